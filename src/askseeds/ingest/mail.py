"""E-mail: a saved message (``.eml``) and a mailbox of them (``.mbox``).

Mail clients save a message as its MIME source (RFC 5322): Thunderbird's and Apple Mail's
"Save as", Outlook's drag to a folder, Gmail's "Download message"; an ``.mbox`` file holds a
folder's messages one after another, each opened by a ``From `` line. Python's ``email``
package parses them and undoes their encodings (quoted-printable, base64, RFC 2047 headers,
each part's character set).

A message is written as a section: its subject as a heading, who sent it to whom and when as
``Label: value`` lines (the date as ``clean`` reads a date line, so it dates the document), then
its text: the plain-text part of a message that has one, else its HTML read as a page is. A
message forwarded as an attachment is read after it, one level deeper; other attachments are
named, not read.
"""

from __future__ import annotations

import email.errors
import email.header
import email.policy
import email.utils
import re
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesParser

from .marks import join_lines

__all__ = ["is_mailbox", "read_eml", "read_mbox"]

_ADDRESS_HEADERS = ("From", "To", "Cc")
_NEEDED = ("From", "To", "Subject", "Date", "Message-ID")
_MBOX_SEPARATOR = re.compile(rb"(?:\A|\n)From [^\n]*\n")
_MAX_MESSAGES = 20_000  # a mailbox of more is read up to here

# The HTML reader, given by ``convert`` (which imports this module).
HtmlReader = Callable[[bytes], "str | None"]


def read_eml(data: bytes, html: HtmlReader) -> tuple[str, tuple[int, ...], str | None] | str:
    """A saved message's text and its subject as title, or why it is not a message."""
    message = _parse(data)
    if message is None:
        return "not an e-mail message (no From, To, Subject or Date header)"
    lines: list[str] = []
    _write(message, 1, lines, html)
    return join_lines(lines), (), _header(message, "Subject") or None


def is_mailbox(data: bytes) -> bool:
    """Whether ``data`` (a ``.txt`` file's) is a mailbox: Mailman's monthly archives are."""
    if not data.startswith(b"From "):
        return False
    parts = _MBOX_SEPARATOR.split(data[:65536], maxsplit=2)
    message = _parse(parts[1]) if len(parts) > 1 else None
    return message is not None and bool(message.get("From") or message.get("Subject"))


def read_mbox(data: bytes, html: HtmlReader) -> tuple[str, tuple[int, ...], str | None] | str:
    """A mailbox's messages in order, each a section, or why it holds none."""
    if not data.startswith(b"From "):
        return "not a mailbox (mbox files start with a \"From \" line)"
    lines: list[str] = []
    read = 0
    for chunk in _MBOX_SEPARATOR.split(data)[1 : _MAX_MESSAGES + 1]:
        # mboxrd and mboxo quote a body line starting "From " as ">From "
        message = _parse(re.sub(rb"(?m)^>(>*From )", rb"\1", chunk))
        if message is not None:
            _write(message, 1, lines, html)
            read += 1
    if not read:
        return "no messages in it"
    return join_lines(lines), (), None


def _parse(data: bytes) -> EmailMessage | None:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    return message if any(message.get(h) for h in _NEEDED) else None


def _header(message: EmailMessage, name: str) -> str:
    """A header as written, its encoded words decoded: the parsed form would drop a name
    given as a comment ("anne at example.org (Anne Boffey)", as list archives write it)."""
    raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return ""
    try:
        value = str(email.header.make_header(email.header.decode_header(str(raw))))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        value = str(raw)
    return " ".join(value.split())


def _write(message: EmailMessage, depth: int, lines: list[str], html: HtmlReader) -> None:
    subject = _header(message, "Subject") or "(no subject)"
    lines += ["", "#" * depth + " " + subject, ""]
    for name in _ADDRESS_HEADERS:
        value = _header(message, name)
        if value:
            lines.append(f"{name}: {value}")
    when = _date(_header(message, "Date"))
    if when:
        lines.append(f"Date: {when}")
    lines.append("")
    body = _body(message, html)
    if body:
        lines += [body, ""]
    attached, forwarded = [], []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            forwarded += [inner[0]] if isinstance(inner, list) and inner else []
        elif part.get_filename() or not part.is_multipart():
            attached.append(part.get_filename() or part.get_content_type())
    if attached:
        lines += ["Attachments: " + ", ".join(attached), ""]
    for inner in forwarded:
        if isinstance(inner, EmailMessage):
            _write(inner, min(depth + 1, 6), lines, html)


def _date(value: str) -> str:
    """An RFC 5322 date as "2026-03-03 10:15 +0100" (a form ``clean`` reads), or ""."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return ""
    return when.strftime("%Y-%m-%d %H:%M %z").strip()


def _body(message: EmailMessage, html: HtmlReader) -> str:
    """The message's own text: its plain-text part, else its HTML part read as a page."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, KeyError, AssertionError):  # a wrong or unknown charset
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        return html(content.encode("utf-8")) or ""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
