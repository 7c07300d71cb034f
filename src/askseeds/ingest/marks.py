"""The light Markdown marks a converted file's text is written in, as ``clean`` reads them."""

from __future__ import annotations

import re

_BLANK_RUN = re.compile(r"\n{3,}")


def table_row(cells: list[str]) -> str:
    """A table's row: "| a | b |" (a "|" inside a cell is written "/")."""
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def join_lines(lines: list[str]) -> str:
    """Lines to text: runs of blank lines become one blank line."""
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
