"""BibTeX databases (``.bib``): a paper folder's references, one table row each.

Each entry (``@article{key, title = {...}, ...}``) is a row of a table under a header: its
title, authors, year, where it appeared (journal, book, conference, publisher, school), type and
key, so "When was Glaze Defects published?" is answered as a table's row is. Field values are
read with LaTeX's text conversion (``latex.plain_text``: accents as characters, ``{\\em X}`` as
X); ``@string`` abbreviations and ``#`` concatenation are expanded; ``@comment``, ``@preamble``
and text between entries are left out. Read by hand: each entry is a brace-balanced span, so a
broken one ends at the next "@" that starts a line and loses nothing after it.
"""

from __future__ import annotations

import re

from .dates import MONTH_NAMES
from .marks import join_lines, table_lines

__all__ = ["read_bibtex"]

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*[{(]")
_FIELD = re.compile(r"\s*([A-Za-z][\w:.+-]*)\s*=\s*")
_KEY = re.compile(r"\s*([^,\s{}()]*)\s*,")
_BARE = re.compile(r"[^\s#,}]+")  # a number or an abbreviation: "year = 2021", "month = mar"
_JOIN = re.compile(r"\s*#\s*")
_NEXT = re.compile(r"\s*,")
# The title first: it is what a question names an entry by ("Who wrote Kiln Logs as Data?").
_COLUMNS = ("Title", "Authors", "Year", "Published in", "Type", "Key")
_VENUES = ("journal", "booktitle", "publisher", "school", "institution", "howpublished")
# BibTeX's predefined abbreviations: "month = mar".
_MONTHS = {name[:3].lower(): name for name in MONTH_NAMES}


def read_bibtex(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """A BibTeX database as a table of its entries, or why not."""
    from .latex import plain_text
    from .load import decode

    decoded = decode(data)
    if decoded is None:
        return "not a BibTeX database (binary data)"
    source = decoded[0]
    strings = dict(_MONTHS)
    rows = []
    for kind, key, fields in _entries(source, strings):
        if kind == "string":
            strings.update(fields)
            continue
        venue = next((fields[f] for f in _VENUES if fields.get(f)), "")
        cells = (fields.get("title", ""), _authors(fields.get("author", "")),
                 fields.get("year", ""), venue, kind, key)  # fmt: skip
        rows.append([" ".join(plain_text(c).split()) if c else "" for c in cells])
    if not rows:
        return "no entries in it (not a BibTeX database?)"
    return join_lines(table_lines([list(_COLUMNS), *rows], header=True)), (), None


def _entries(source: str, strings: dict[str, str]):
    """Each entry's type, key and fields (``@string``'s fields are its abbreviations)."""
    for m in _ENTRY.finditer(source):
        kind = m.group(1).lower()
        if kind in ("comment", "preamble"):
            continue
        body, _ = _balanced(source, m.end() - 1)
        if kind == "string":
            yield kind, "", _fields(body, strings)
            continue
        key = _KEY.match(body)
        if key is None:
            continue
        yield kind, key.group(1), _fields(body[key.end() :], strings)


def _fields(body: str, strings: dict[str, str]) -> dict[str, str]:
    """``name = value`` pairs, a value's parts joined by "#" and abbreviations expanded."""
    out: dict[str, str] = {}
    at = 0
    while (m := _FIELD.match(body, at)) is not None:
        name, at = m.group(1).lower(), m.end()
        parts = []
        while at < len(body):
            ch = body[at]
            if ch == "{":
                text, at = _balanced(body, at)
                parts.append(text)
            elif ch == '"':
                end = at + 1
                depth = 0
                while end < len(body) and (body[end] != '"' or depth):
                    depth += {"{": 1, "}": -1}.get(body[end], 0)
                    end += 1
                parts.append(body[at + 1 : end])
                at = end + 1
            else:
                word = _BARE.match(body, at)
                if word is None:
                    break
                parts.append(strings.get(word.group().lower(), word.group()))
                at = word.end()
            joined = _JOIN.match(body, at)
            if joined is None:
                break
            at = joined.end()
        out[name] = "".join(parts)
        comma = _NEXT.match(body, at)
        if comma is None:
            break
        at = comma.end()
    return out


def _balanced(text: str, start: int) -> tuple[str, int]:
    """The text inside the bracket at ``start`` (to its match, or to the next line that
    starts an entry where it is never closed) and where it ends."""
    close = "}" if text[start] == "{" else ")"
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "{" or ch == "(" and close == ")":
            depth += 1
        elif ch == "}" or ch == ")" and close == ")":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        elif ch == "@" and i > 0 and text[i - 1] == "\n" and depth:
            return text[start + 1 : i], i
    return text[start + 1 :], len(text)


def _authors(names: str) -> str:
    """"Lin, Mei and Tomás Ruiz" as "Mei Lin, Tomás Ruiz"."""
    out = []
    for name in re.split(r"\s+and\s+", names.strip()):
        last, comma, first = name.partition(",")
        out.append(f"{first.strip()} {last.strip()}".strip() if comma else name.strip())
    return ", ".join(n for n in out if n)
