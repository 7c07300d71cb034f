"""The light Markdown marks a converted file's text is written in, as ``clean`` reads them."""

from __future__ import annotations

import re

_BLANK_RUN = re.compile(r"\n{3,}")
# A paragraph's own words that ``clean`` would take for a mark: a heading's ("# of cores per
# socket") or a code fence's.
_LOOKS_MARKED = re.compile(r"#{1,6}(?:\s|$)|```|~~~")
_WORD_JOINER = "\u2060"  # shows nothing, and a line starting with it is no mark


def literal(text: str) -> str:
    """A converted paragraph's text as the line that holds it: one that would read as a
    heading or a code fence starts with an invisible word joiner, so it reads as written."""
    return _WORD_JOINER + text if _LOOKS_MARKED.match(text) else text


def table_row(cells: list[str]) -> str:
    """A table's row: "| a | b |" (a "|" inside a cell is written "/")."""
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def join_lines(lines: list[str]) -> str:
    """Lines to text: runs of blank lines become one blank line."""
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def join_pages(pages: list[list[str]]) -> tuple[str, tuple[int, ...]]:
    """Pages of lines (a deck's slides) to text, a blank line between pages, and where each
    page starts in it; a page with no words still has its start."""
    texts = [join_lines(lines) if any(line.strip() for line in lines) else "\n" for lines in pages]
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return "\n".join(texts), tuple(starts)
