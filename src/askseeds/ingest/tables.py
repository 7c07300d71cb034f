"""A document's tables that have a header row, so that each row can be read under it.

A row alone says little: "| Spokane | Jilin | China | 1996 |" answers "What is Spokane's
sister city?" only read as "City: Spokane; Sister city: Jilin; ...". A table has a header
where its first row is followed by a rule, as Markdown writes one ("| --- | --- |"), and as
the converters write one under a row their format marks as the header (HTML's ``<th>`` row,
Word's "header row", a spreadsheet's first row of labels).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = [
    "TABLE_ROW", "TABLE_RULE", "Table", "cells", "fields", "is_rule", "labelled", "tables_of"
]

TABLE_ROW = re.compile(r"\|.*\|")  # a line's text without its indentation
TABLE_RULE = re.compile(r"\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?|\+(?:[-=]+\+)+")
_MAX_ROW = 2000  # a longer line is text with bars in it, not a row
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Table:
    """Rows ``[start, end)`` of a document's text and the header they stand under."""

    start: int
    end: int
    header: tuple[str, ...]


def cells(row: str) -> list[tuple[int, str]]:
    """A row's cells, each as its offset in ``row`` and its text, stripped ("| a | b |", or
    without the outer bars, as GitHub's Markdown allows: "a | b")."""
    out = []
    bars = [m.start() for m in _CELL_SPLIT.finditer(row)]
    if not row.lstrip().startswith("|"):
        bars.insert(0, -1)
    if not row.rstrip().endswith("|"):
        bars.append(len(row))
    for a, b in itertools.pairwise(bars):
        raw = row[a + 1 : b]
        text = raw.strip()
        out.append((a + 1 + (raw.find(text) if text else 0), text))
    return out


def tables_of(text: str) -> list[Table]:
    """Every run of table rows in ``text`` whose first row is a header (a rule follows it)."""
    found = []
    lines = text.splitlines(keepends=True)
    at = 0
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not _is_row(line) or i + 1 >= len(lines) or not is_rule(lines[i + 1].strip()):
            at += len(lines[i])
            i += 1
            continue
        header = tuple(text for _, text in cells(line))
        at += len(lines[i]) + len(lines[i + 1])
        i += 2
        start = end = at
        while i < len(lines) and _is_row(lines[i].strip()):
            end = at + len(lines[i].rstrip("\r\n"))
            at += len(lines[i])
            i += 1
        if end > start and len(header) > 1:
            found.append(Table(start, end, header))
    return found


def fields(header: tuple[str, ...], row: str, start: int, end: int) -> list[tuple[str, str]]:
    """The cells of row ``row`` from ``start`` to ``end`` of it (a sentence of the row), each
    with its column's label ("" past the header's end): a cell the span cuts is read from the
    span's part of it; the row's first cell, what the row is about, is always read."""
    out = []
    for k, (at, value) in enumerate(cells(row)):
        stop = at + len(value)
        if stop <= start or at >= end:
            if k > 0 or not value:
                continue
        else:
            value = row[max(at, start) : min(stop, end)].strip()
        if value:
            out.append((header[k] if k < len(header) else "", value))
    return out


def labelled(pairs: list[tuple[str, str]]) -> str:
    """Cells as they read under their labels: "City: Spokane; Sister city: Jilin"."""
    return "; ".join(f"{label}: {value}" if label and label != value else value
                     for label, value in pairs)


def _is_row(line: str) -> bool:
    """A line of a table's (under its header and rule, the outer bars may be left out)."""
    return len(line) <= _MAX_ROW and "|" in line and not is_rule(line)


def is_rule(line: str) -> bool:
    """Whether ``line`` (stripped) is the rule under a Markdown table's header: "| --- |",
    or "---|:---:" without the outer bars."""
    return "|" in line and "-" in line and TABLE_RULE.fullmatch(line) is not None
