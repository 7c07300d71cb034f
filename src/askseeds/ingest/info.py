"""Read a GNU Info manual (what makeinfo writes from Texinfo, as in ``/usr/share/info``) as
plain text with light Markdown marks, as ``roff`` reads a manual page.

A node's title, underlined with "*", "=", "-" or ".", is a heading at its level. A table's
item ("‘-c’" over "‘--count’", text indented under them) or a definition (" -- Function:
...") is a heading one level deeper over what it describes, so an option is an entry, as in
a manual page. A bullet is a "- " item; text indented as an example is fenced as code, unless
it is filled prose (a quotation). What an Info reader moves around by is dropped: the node
header lines, menus, the index's entries, the tag table, and the directory entry before the
first node. A cross reference "*note Invoking::" reads "see Invoking". A split manual's
first file ("find.info" beside "find.info-1") holds no node, only where the others' start:
it is no document.
"""

from __future__ import annotations

import re

__all__ = ["INFO_SUFFIX", "is_info", "read_info"]

# "grep.info", and a split manual's parts "find.info-1", "find.info-2".
INFO_SUFFIX = re.compile(r"\.info(?:-\d+)?")
_NODE_HEADER = re.compile(
    r"^\x1f\n(?:\x00?\x08\[[^\]]*\x00?\x08\]\n)?File: [^\n]*?Node:", re.MULTILINE
)
_INDIRECT = re.compile(r"^\x1f\nIndirect:", re.MULTILINE)
# "[index]", "[image ...]" between NUL and backspace bytes, the NULs perhaps removed already
_MARKER = re.compile(r"\x00?\x08\[[^\x00\x08]*\x00?\x08\]")
_UNDERLINE = re.compile(r"([*=\-.])\1{2,}")
_LEVELS = {"*": 2, "=": 3, "-": 4, ".": 5}
_DEFINITION = re.compile(r" -- \S[^:\n]*: \S")
_BULLET = re.compile(r"(?:[•*\-\u2212]) ")
_NUMBERED = re.compile(r"(?:\d{1,3}|[a-zA-Z])\. ")
_FOOTNOTES = re.compile(r"-{5,} Footnotes -{5,}")
_MENU_TITLE = re.compile(r"[-—]+ The Detailed Node Listing [-—]+")
# "*Note Invoking::", "*note Title: Node.", "*note (coreutils)ls invocation::"
_XREF_SHORT = re.compile(r"\*([Nn])ote\s+(?:\([^)\s]*\))?([^:*]+?)::")
_XREF_LONG = re.compile(r"\*([Nn])ote\s+([^:*]+?):\s+(?:\([^)\s]*\))?[^.,:*]*?([.,])")
# An item's name in the quotes makeinfo writes: ‘-c’, “x”, '-c' and `-c' (before 5.0), "-c"
_QUOTED = re.compile(r"‘([^‘’]+)’|“([^“”]+)”|'([^']+)'|`([^`']+)'|\"([^\"]+)\"")
_TERM_END = re.compile(r"[.:;,!?]$")
_PROSE_END = re.compile(r"[.!?:)\"’”]$")
_HEADING = re.compile(r"(#{1,6}) ")
_TOP = re.compile(r"Node:\s*Top\s*(?:,|$)")
_TERM_WIDTH = 60
_PROSE_WIDTH = 50  # an indented block whose lines fill to this is a quotation, not code


def is_info(text: str) -> bool:
    """Whether ``text`` is an Info file: nodes, or a split manual's table of its parts."""
    head = text[:200000]
    return bool(_NODE_HEADER.search(head) or _INDIRECT.search(head))


def read_info(source: str) -> tuple[str, str | None] | None:
    """An Info file's text and title (its top node's, "GNU Coreutils"), or None when it holds
    no node: not Info, or a split manual's table of its parts (``is_info`` tells them apart)."""
    manual = _Manual()
    for part in source.replace("\r\n", "\n").split("\x1f")[1:]:
        part = _MARKER.sub("", part).lstrip("\n")
        if part.startswith("File:"):
            manual.node(part)
    out = _without_empty_sections(manual.out)
    if not out:
        return None
    return "\n\n".join(out) + "\n", manual.title


def _without_empty_sections(out: list[str]) -> list[str]:
    """``out`` without the headings that head nothing (an index node, once its entries are
    left out): those followed by a heading of their level or above, or by nothing."""
    kept: list[str] = []
    for block in reversed(out):
        level = _heading_level(block)
        if level and (not kept or 0 < _heading_level(kept[-1]) <= level):
            continue
        kept.append(block)
    return kept[::-1]


def _heading_level(block: str) -> int:
    match = _HEADING.match(block)
    return len(match.group(1)) if match else 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Manual:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.title: str | None = None
        self.level = 1  # the heading level of the section being read
        self.context = 0  # the indentation of the text a block continues
        self.in_menu = False
        self.fence_indent = 0  # the indentation the last example was read at

    def node(self, part: str) -> None:
        header, _, body = part.partition("\n")
        top = _TOP.search(header) is not None
        self.level, self.context, self.in_menu = 1, 0, False
        block: list[str] = []
        for line in body.split("\n"):
            if line.strip():
                block.append(line.rstrip())
                continue
            if block:
                self.block(block, top)
                block = []
        if block:
            self.block(block, top)

    def block(self, lines: list[str], top: bool) -> None:
        if len(lines) >= 2 and _indent(lines[0]) == 0 and _UNDERLINE.fullmatch(lines[1]):
            char = lines[1][0]
            level = 1 if top and char == "*" else _LEVELS[char]
            title = lines[0].strip()
            if level == 1 and self.title is None:
                self.title = title
            self.out.append("#" * level + " " + title)
            self.level, self.context, self.in_menu = level, 0, False
            if len(lines) > 2:
                self.block(lines[2:], top)
            return
        first = lines[0].strip()
        if first.startswith("* Menu:"):
            self.in_menu = True
            return
        if self.in_menu:
            if first.startswith("* ") or _MENU_TITLE.fullmatch(first) or (
                len(lines) == 1 and len(first) < _TERM_WIDTH and not _TERM_END.search(first)
            ):
                return
            self.in_menu = False
        lines = [line for line in lines if not _FOOTNOTES.fullmatch(line.strip())]
        if not lines:
            return
        least = min(_indent(line) for line in lines)
        if len(lines) == 1 and least % 5 == 3:  # a paragraph's first line is indented by 3
            least -= 3
        if least < self.context:  # the table or definition this text was under has ended
            self.context = least - least % 5
        if least >= self.context + 4:
            self.indented(lines, least)
        else:
            self.lines(lines, self.context, self.level + 1)

    def lines(self, lines: list[str], context: int, entry_level: int) -> None:
        """Read lines whose text starts at ``context``: items, definitions, bullets and
        paragraphs; what is indented under an item is read as its own text, one level down."""
        i, paragraph = 0, []
        while i < len(lines):
            line, indent = lines[i], _indent(lines[i])
            text = line.strip()
            if indent <= context + 1 and _DEFINITION.match(" " + text):
                self.paragraph(paragraph)
                paragraph = []
                heading = [text[3:]]
                i += 1
                while i < len(lines) and _indent(lines[i]) >= indent + 8:
                    heading.append(lines[i].strip())
                    i += 1
                self.entry(" ".join(heading), lines, i, indent + 4, entry_level)
                i = _under(lines, i, indent + 4)
                continue
            term_end = self.terms(lines, i, context)
            if term_end > i:
                self.paragraph(paragraph)
                paragraph = []
                heading = ", ".join(_unquote(line.strip()) for line in lines[i:term_end])
                self.entry(heading, lines, term_end, _indent(lines[term_end]), entry_level)
                i = _under(lines, term_end, _indent(lines[term_end]))
                continue
            if _BULLET.match(text) or _NUMBERED.match(text):
                self.paragraph(paragraph)
                paragraph = []
                body = [text if _NUMBERED.match(text) else "- " + text[2:].lstrip()]
                stop = _under(lines, i + 1, indent + 2)
                body += [line.strip() for line in lines[i + 1 : stop]]
                self.out.append(_joined(body))
                self.context = -(-(indent + 2) // 5) * 5  # where the item's text goes on
                i = stop
                continue
            if indent >= context + 4:  # an example straight under text, no blank line
                self.paragraph(paragraph)
                paragraph = []
                stop = _under(lines, i, indent)
                self.indented(lines[i:stop], indent)
                i = stop
                continue
            paragraph.append(text)
            i += 1
        self.paragraph(paragraph)

    def terms(self, lines: list[str], i: int, context: int) -> int:
        """Where the item names starting at ``i`` end (the first line indented under them),
        or ``i`` when line ``i`` names no item."""
        j = i
        while j < len(lines) and _indent(lines[j]) <= context + 1 and _is_term(lines[j]):
            j += 1
        if j == i or j == len(lines) or _indent(lines[j]) < _indent(lines[j - 1]) + 4:
            return i
        return j

    def entry(self, heading: str, lines: list[str], start: int, indent: int, level: int) -> None:
        self.out.append("#" * min(level, 6) + " " + heading)
        stop = _under(lines, start, indent)
        self.lines(lines[start:stop], indent, level + 1)
        self.context = indent - indent % 5

    def indented(self, lines: list[str], indent: int) -> None:
        body = [line[indent:] for line in lines]
        widths = [len(line) for line in lines]
        prose = (
            len(lines) >= 2
            and min(widths[:-1]) >= _PROSE_WIDTH
            and _PROSE_END.search(lines[-1]) is not None
        )
        if prose:
            self.out.append(_joined([line.strip() for line in body]))
        elif self.out and self.out[-1].startswith("```") and indent >= self.fence_indent:
            # An example's blank lines part it into blocks: one example, one fence.
            body = [line[self.fence_indent :] for line in lines]
            self.out[-1] = self.out[-1][:-3] + "\n" + "\n".join(body) + "\n```"
        else:
            self.out.append("```\n" + "\n".join(body) + "\n```")
            self.fence_indent = indent

    def paragraph(self, lines: list[str]) -> None:
        if lines:
            self.out.append(_joined(lines))


def _under(lines: list[str], start: int, indent: int) -> int:
    """The end of the run of lines from ``start`` indented by at least ``indent``."""
    i = start
    while i < len(lines) and _indent(lines[i]) >= indent:
        i += 1
    return i


def _is_term(line: str) -> bool:
    text = line.strip()
    if _QUOTED.fullmatch(text):
        return True
    return len(text) <= _TERM_WIDTH and not _TERM_END.search(text)


def _unquote(text: str) -> str:
    match = _QUOTED.fullmatch(text)
    return next(g for g in match.groups() if g is not None) if match else text


def _joined(lines: list[str]) -> str:
    text = " ".join(lines)
    text = _XREF_SHORT.sub(lambda m: ("See " if m[1] == "N" else "see ") + m[2], text)
    return _XREF_LONG.sub(lambda m: ("See " if m[1] == "N" else "see ") + m[2] + m[3], text)
