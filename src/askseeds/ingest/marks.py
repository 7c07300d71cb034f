"""The light Markdown marks a converted file's text is written in, as ``clean`` reads them, and
the word processors' conventions that decide a few of them (code styles, generated fields)."""

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


# A word processor's paragraph styles for code (Word's "HTML Preformatted", LibreOffice's
# "Preformatted Text" and "Source Code"), by their names as RTF and Word files spell them.
_CODE_STYLES = ("preformatted text", "html preformatted", "source code", "source text")
# Fields whose result the word processor generates from the document: a table of contents, an
# index, a table of authorities. Their text is the headings' again, with page numbers.
_GENERATED_FIELDS = frozenset({"TOC", "INDEX", "TOA"})


def code_style(name: str) -> bool:
    """Whether a paragraph style of this name sets code."""
    return any(code in name.lower() for code in _CODE_STYLES)


def generated_field(instruction: str) -> bool:
    """Whether a field with this instruction ("TOC \\o "1-3"") generates its result."""
    return instruction.split()[:1] in ([name] for name in _GENERATED_FIELDS)


def fenced(code: list[str]) -> list[str]:
    """Lines of code as a fenced block, without the blank lines at either end that space it
    from the text; nothing if they are all blank."""
    start = next((i for i, line in enumerate(code) if line.strip()), len(code))
    end = len(code) - next((i for i, line in enumerate(reversed(code)) if line.strip()), 0)
    return ["", "```", *code[start:end], "```", ""] if start < end else []


def table_row(cells: list[str]) -> str:
    """A table's row: "| a | b |" (a "|" inside a cell is written "/")."""
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def header_rule(cells: int) -> str:
    """The rule under a table's header row ("| --- | --- |"): its rows are read under it."""
    return "| " + " | ".join(["---"] * cells) + " |"


def table_lines(rows: list[list[str]], header: bool) -> list[str]:
    """A table's rows as lines, apart from the text around; ``header``: the format marks its
    first row as the header (Word's and PowerPoint's header row, OpenDocument's header rows),
    which is written so where it labels every column."""
    rows = [cells for cells in rows if any(cells)]
    if not rows:
        return []
    lines = [table_row(cells) for cells in rows]
    if header and len(rows) > 1 and len(rows[0]) > 1 and all(rows[0]):
        lines.insert(1, header_rule(len(rows[0])))
    return ["", *lines, ""]


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
