"""The page inside a web page saved as one file: MHTML (``.mhtml``, ``.mht``).

Chrome, Edge and Opera save "Webpage, Single File" as MHTML, Internet Explorer and Word saved
``.mht``: a MIME message (RFC 2557) whose root part is the page's HTML and whose other parts
are its style sheets, images and frames. Only the root page is read; its frames are other
pages (mostly advertising) and its style sheets and images hold no text. Python's ``email``
package parses the message and undoes its transfer encodings (quoted-printable, base64).
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

__all__ = ["SavedPage", "read_mhtml"]

_PAGE_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class SavedPage:
    """The saved page's HTML as UTF-8 bytes, and the title the browser wrote for it."""

    html: bytes
    subject: str | None


def read_mhtml(data: bytes) -> SavedPage | str:
    """The root page of an MHTML file, or the reason it holds none."""
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    if message.defects and not message.is_multipart():
        return "not a saved web page (MHTML): no MIME headers"
    root = _root(message)
    if root is None:
        return "not a saved web page (MHTML): no HTML page in it"
    body = root.get_payload(decode=True) or b""
    charset = root.get_content_charset()
    if charset:  # the part says how its bytes are written; the HTML reader would guess
        try:
            body = body.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong label: left to the HTML reader's own decoding
    # The browser wrote the page's links to itself ("#cite_note-4", a heading's "¶") against its
    # address; as written in the page they are links within it, which say nothing.
    location = str(root.get("Content-Location", "")).strip()
    if location:
        body = body.replace(f'href="{location}#'.encode(), b'href="#')
    subject = " ".join(str(message.get("Subject", "")).split())
    return SavedPage(body, subject or None)


def _root(message: EmailMessage) -> EmailMessage | None:
    """The part that is the page: the one ``start`` names, else the first HTML part."""
    if not message.is_multipart():
        return message if message.get_content_type() in _PAGE_TYPES else None
    start = message.get_param("start")
    parts = [p for p in message.walk() if not p.is_multipart()]
    if isinstance(start, str):
        for part in parts:
            if (part.get("Content-ID") or "").strip() == start.strip():
                return part
    return next((p for p in parts if p.get_content_type() in _PAGE_TYPES), None)
