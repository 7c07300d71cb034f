"""Select the article text of a document: paragraph spans, plus title and date.

Cleaning selects, it never rewrites: every block is a ``Span`` into the original
text, so a quoted sentence can always be cited exactly. Web pages saved as text
carry debris (menus, headline lists, view counts, licence footers, captions,
bylines); the rules below recognise it by *shape* (line length, punctuation,
repetition, footer/credit patterns), never by the strings of particular files,
so plain prose and markdown notes come through whole.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..types import Span
from .dates import MONTH, month_day_year, parse_date
from .tables import TABLE_ROW, TABLE_RULE, is_rule

__all__ = [
    "SECTION_SEP",
    "Cleaned",
    "clean",
    "common_lines",
    "section_at",
    "section_entry",
    "shown_text",
]

SECTION_SEP = " › "


def section_entry(sections: Sequence[tuple[int, str]], offset: int) -> tuple[int, str] | None:
    """The ``(heading offset, heading path)`` of ``Cleaned.sections`` in force at ``offset``
    (None before the first heading, or where no heading applies)."""
    i = bisect_right(sections, offset, key=lambda item: item[0])
    return sections[i - 1] if i and sections[i - 1][1] else None


def section_at(sections: Sequence[tuple[int, str]], offset: int) -> str | None:
    """The heading path in force at ``offset`` of a text, given its ``Cleaned.sections``."""
    entry = section_entry(sections, offset)
    return entry[1] if entry else None


@dataclass(frozen=True)
class Cleaned:
    """What ``clean`` found: article paragraphs as spans, and metadata."""

    blocks: tuple[Span, ...]
    title: str | None
    date: str | None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    # (offset, heading path) from each heading on, in order; "" where no heading applies.
    sections: tuple[tuple[int, str], ...] = ()
    headings: tuple[Span, ...] = ()  # blocks that are a heading alone: searched, not quoted
    # The title is a short line standing first, taken for the headline; not a first-level
    # heading or front matter that says so.
    title_guessed: bool = False


# Line kinds.
# _NAV is debris only by its context (a menu run, a repeated line): kept when it is all there is.
# _ROW is a table row and _CODE a line of a fenced code block: each kept as it stands.
_TEXT, _LIST, _DEBRIS, _TEASER, _HEADING, _OTHER, _NAV, _ROW, _CODE = range(9)

_TERMINAL = frozenset(".!?。！？…")
_CLOSERS = "\"'”’)]」』）»"
_OPENERS = "\"'“‘([「『（«"
_SOFT_END = frozenset(",;:-–—(/&")
_LINK_START = re.compile(r"\[[^\]\s]")  # a Markdown link: callers pass a line's first chars
_MIN_WORDS = 4  # a sentence-like block has at least this many words...
_LONG_WORDS = 25  # ...or so many that it is prose even without final punctuation
# Words that cannot end a sentence: a line ending in one continues on the next.
_FUNCTION_WORDS_TEXT = (
    "a an the of to in on at by for from with and or but nor as that which who whose "
    "than into onto over under about between its their his her our your is are was were "
    "be been has have had will would can could may might should said says"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())

_NONEMPTY = re.compile(r"[^\n]+")
_YEAR = re.compile(r"[0-9]{4}")
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_ATX = re.compile(r"(#{1,6})(?:\s+|$)")  # a Markdown heading's marks
_LIST_MARK = re.compile(r"(?:>\s*)*(?:[-*+•]|[0-9]{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?=\S)")
_O_BULLET = re.compile(r"o[ \t]+(?=\S)")  # a release note's " o adds ..." (_mark_o_bullets)
_QUOTE_MARK = re.compile(r"(?:>\s*)+(?=\S)")
# A callout or alert opening a blockquote: "> [!NOTE]" (GitHub), "> [!tip]- Its title"
# (Obsidian). The mark is never shown as text; a title heads the callout's body.
_CALLOUT = re.compile(r"(?:>\s*)+\[![A-Za-z][\w-]*\][+-]?(?:\s+|$)")
# A note's property line, "description:: Used to group pages" (Logseq writes names in lower
# case; "APT::Architecture" is no property).
_PROPERTY = re.compile(r"([a-z][a-z0-9_-]*)::[ \t]+(\S.*)")
# Fewer words than this in a property's value, links aside, make it metadata: "type::
# [[Feature]]", "platforms:: [[All Platforms]] except [[Publish Web]]", "alias:: term/undo".
PROPERTY_WORDS = 4
_FENCE = re.compile(r"(?:```|~~~)")
# Emacs's mode line, on a file's first line: "GNU coreutils NEWS   -*- outline -*-",
# "-*- mode: org; coding: utf-8 -*-". In outline and Org mode a line of stars at the margin is
# a heading ("* Noteworthy changes in release 9.1", "** Bug fixes"), as deep as its stars.
_MODE_LINE = re.compile(r"[ \t]*-\*-(.*?)-\*-")
_OUTLINE_MODES = re.compile(r"(?:^|[\s;:])(outline|org)(?=$|[\s;])", re.IGNORECASE)
_STARS = re.compile(r"(\*+)[ \t]+(?=\S)")
# Org's own markup: "#+title: ..." keywords, "#+begin_src" ... "#+end_src" blocks (code, as
# "example" and "export" ones are), ":PROPERTIES:" ... ":END:" drawers, "# " comments, and a
# heading's tags ("* Plans :work:urgent:").
_ORG_KEYWORD = re.compile(r"#\+(\w+)(?::[ \t]*(.*))?$")
_ORG_BEGIN = re.compile(r"#\+begin_(\w+)", re.IGNORECASE)
_ORG_CODE_BLOCKS = frozenset({"src", "example", "export"})
_ORG_DRAWER = re.compile(r":[\w-]+:$")
_ORG_COMMENT = re.compile(r"#(?:[ \t]|$)")
_ORG_FIXED = re.compile(r":(?:[ \t]|$)")  # ": make autoloads", a line shown as it is
_ORG_TAGS = re.compile(r"[ \t]+:(?:[\w@#%]+:)+[ \t]*$")
# AsciiDoc's markup: "== Section" headings (as deep as their marks, "= Title" the document's),
# ".Block title" captions, delimited blocks ("----" listing and "...." literal hold code,
# "++++" passthrough raw output, "////" a comment; "====" example, "****" sidebar, "____"
# quote, "--" open and "|===" table blocks hold text), ":name: value" attribute entries,
# "[source,ruby]" block attribute lines, "include::x.adoc[]" block macros and "// " comments.
_ADOC_HEADING = re.compile(r"(={1,6})[ \t]+(?=\S)")
_ADOC_BLOCK_TITLE = re.compile(r"\.(?=[^\s.])")
_ADOC_DELIMITER = re.compile(r"(?:-{4,}|\.{4,}|\+{4,}|/{4,}|={4,}|\*{4,}|_{4,}|--|[|,:!]={3,})$")
_ADOC_ATTRIBUTE = re.compile(r":!?\w[\w-]*!?:(?:[ \t]+(.*))?$")
_ADOC_LINE_MARKUP = re.compile(r"\[[^\]]*\]$|[a-z]\w*::\S*\[.*\]$")
_ADOC_COMMENT = re.compile(r"//(?:[^/]|$)")
_RULE = re.compile(r"(?:[-*_=]\s*){3,}")
_BREADCRUMB = re.compile(r"\s[/>»›|]\s|\|")
_BREADCRUMB_SEP = re.compile(r"\s[/>»›]\s")
_NAV_SEP = re.compile(r"\s+[/>»›|·•]\s+|\s*\|\s*")
_UNDERLINE = re.compile(r"([=\-~^\"'`#*+_:.])\1{2,}")
_DIRECTIVE = re.compile(r"\.\.\s+(?:\|[^|]+\|\s+)?[\w:-]+::|\.\.\s+_[^:]+:|\.\.\s*$")
# MyST directives whose body is Markdown ("````{tab} Linux", "```{note}"); any other
# ("```{code-block} python", "```{pip-cli}", "```{toctree}") holds code or markup.
_MYST_CONTAINER = re.compile(
    r"\{(?:note|warning|tip|hint|important|caution|attention|danger|error|seealso|admonition|"
    r"tab|tab-set|tab-item|dropdown|card|grid|grid-item|grid-item-card|topic|sidebar|margin|"
    r"versionadded|versionchanged|deprecated|epigraph|pull-quote|div|only)\}"
)
_CODE_DIRECTIVE = re.compile(r"\.\.\s+(?:code|code-block|sourcecode|doctest|testcode|ipython)::")
# A line's markup, read here and by web/quote.py, which shows a quote as its file reads.
HEADING_MARK, LIST_MARK, UNDERLINE = _ATX, _LIST_MARK, _UNDERLINE
DIRECTIVE, CODE_DIRECTIVE = _DIRECTIVE, _CODE_DIRECTIVE
ORG_HEADING, ORG_TAGS = _STARS, _ORG_TAGS
ADOC_HEADING, ADOC_BLOCK_TITLE = _ADOC_HEADING, _ADOC_BLOCK_TITLE
_LINK_TARGET = re.compile(r"\[[^\]]+\]:\s+\S+$")  # Markdown "[ref]: https://..."
_FIELD = re.compile(r":[\w -]+:(?:\s|$)")
# "Default: 30", "**Type**: `string`", "Valid values: a filename": a label, a colon, a value.
_FIELD_LINE = re.compile(r"[*_`]*[A-Za-z][\w -]{0,30}?[*_`]*\s*:[*_`]*\s+\S")
# An image, or a wiki-style embed ("![[diagram.png]]", "![[Other note#Part]]"): shown as
# something other than this line's text.
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]|!\[\[[^\[\]]*\]\]")
# Markdown's inline and reference links, wiki links ("[[Target]]", "[[Target|label]]", as in
# Obsidian, Foam or Logseq notes) and reST's; the group that matched is the shown label.
_MD_LINK = re.compile(
    r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]"
    r"|\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]|`([^`<]+) <[^>]+>`_"
)
_BARE_URL = re.compile(r"<?https?://\S+")
_HTML_IMG = re.compile(r"<img\b", re.IGNORECASE)
# A tag, not an autolink ("<https://...>"): a name, then attributes or the end.
_HTML_ELEMENT = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^>]*)?/?>")
_LINK_TAIL = re.compile(r"\S+\)")  # "https://numfocus.org)": the rest of a wrapped link
_HTML_LINK = re.compile(r"<a\s[^>]*>([^<]*)</a>", re.IGNORECASE)
# View counts and "(4031)人阅读" style teasers of other articles.
_VIEW_COUNT = re.compile(
    r"\([0-9][0-9,]*\)\s*人(?:阅读|浏览|观看)|[0-9][0-9,]*\s*人(?:阅读|浏览)"
    r"|(?:阅读|浏览|点击)(?:量|数|次数)\s*[:：]\s*[0-9]"
)
# Copyright and licence footers (Chinese ICP / public-security registrations).
_FOOTER = re.compile(
    r"copyright\s*(?:©|\(c\)|[0-9]{4})|©\s*(?:[0-9]{4}|\w)|all rights reserved|版权所有"
    r"|ICP\s*[备证]|\bICP\s*(?:licen[cs]e|No\b)|公网安备|网安备|\bhotline\s*[:：]|许可证\s*[:：]",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:source|sources|editor|editors|editing|reporter|reporting|writer|written by|author"
    r"|photographer|translator|compiled by|责任编辑|编辑|来源|作者|记者)\s*[:：]"
    r"|(?:originally|first) published\b|(?:images?|photos?) courtesy\b|courtesy of\b",
    re.IGNORECASE,
)
_PR_SOURCE = re.compile(r"SOURCE\s+[A-Z]\S*(?:\s+\S+){0,5}$")  # press-release credit line
_CAPTION_TAIL = re.compile(
    r"\((?:(?i:[^()]*\b(?:photo|photos|photograph|image|file pic)\b[^()]*)"
    r"|[A-Z][\w .'’&-]{0,40}/[\w .'’&-]{1,60})\)$"
)
_CAPTION_HEAD = re.compile(r"(?i:(?:file\s+)?photos?\s*(?:[:：]|taken\b|shows\b|provided\b))")
# A table of contents or index entry: dot leaders up to a page number ("Introduction . . . 1").
_LEADER = re.compile(r"(?:\.\s?){4,}\s*(?:[0-9]{1,4}|[ivxlc]{1,7})$", re.IGNORECASE)
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"
_TIMESTAMP = re.compile(
    rf"\b{_TIME}\b[^\n]{{0,20}}?\b([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\b"
    rf"|\b([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})[ T]{_TIME}"
)
_DATE_LINE = re.compile(
    r"(?i:date|dated|published|updated|posted|released|time|发布时间|发布日期|日期|时间)?"
    r"\s*(?i:on)?\s*[:：]?\s*(?P<rest>.+?)"
    rf"(?:\s+{_TIME}(?:\s*(?:UTC|GMT|BJT)?\s*[+-]?[0-9]{{0,2}})?)?"
)
# Wire datelines ("BEIJING, Nov. 6, 2023 /PRNewswire/ — ", "(ECNS) — "): not article text.
_DATELINE = re.compile(
    r"[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][A-Za-z.'’\- ]{1,30}){0,2},\s+"
    rf"{MONTH}\s+[0-9]{{1,2}}(?:,\s*[0-9]{{4}})?"
    r"\s*(?:/[^/\n]{1,40}/|\([^()\n]{1,40}\))?\s*(?:—|–|--|-)\s*"
    r"|[A-Z][A-Z.'’\- ]{1,40}\s*\([^()\n]{1,40}\)\s*(?:—|–|--)\s*"
    r"|\([A-Z][A-Za-z]{1,15}\)\s*(?:—|–|--)\s*"
)
# A credit after the last sentence: "... relations. –The Daily Mail-Beijing Review item".
_TRAILING_CREDIT = re.compile(r"[.!?。！？][\"'”’)]*(\s*(?:—|–|--)\s*[A-Z][^.!?。！？\n]{0,150})$")
# The marks of an FAQ's question and answer: "Q:", "Question:"; "A:", "Answer:" (not "q.",
# the 17th item of a lettered list).
_QUESTION_MARK = re.compile(r"(?:Q|Question|QUESTION)\s*[:)]\s+(?=\S)")
_ANSWER_MARK = re.compile(r"(?:A|Answer|ANSWER)\s*[:)]\s+(?=\S)")
_QUESTION_LEAD = re.compile(rf"(?:[0-9]{{1,3}}(?:\.[0-9]{{1,3}})*[.)]\s+)?(?:{_QUESTION_MARK.pattern})?")
_DOTTED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})+\.?\s")  # a numbered entry: "3.4. "
_INNER_END = re.compile(r"[.!?][\"'”’)]*\s+[\"'“‘(]*[A-Z]")  # a sentence ends inside
# A file reads as an FAQ from this many questions with answers, and this share of its
# paragraphs: a changelog's "Bug 50733 - Add font-file hash?" is a few in thousands.
_FAQ_MIN, _FAQ_SHARE = 3, 0.02
_FRONT_KEY = re.compile(r"(title|date)\s*:\s*[\"']?(.*?)[\"']?\s*$", re.IGNORECASE)


@dataclass(slots=True)
class _Line:
    """A non-blank line: stripped bounds, and whether blank lines precede it."""

    start: int
    end: int
    gap: bool
    indented: bool
    kind: int = 0
    date: str | None = None
    level: int = 0  # heading level (1 = top), 0 for any other line
    # characters of markup before a heading's or an item's text (AsciiDoc's "== ", ".", "o ")
    mark: int = 0
    asks: bool = False  # the question of an FAQ entry (a heading)


def is_fence(line: str) -> bool:
    """Whether ``line`` opens or closes a fenced code block (```` ``` ```` or ``~~~``)."""
    return _FENCE.match(line.lstrip()) is not None


def shown_text(line: str) -> str:
    """``line`` as a reader sees it rendered: links as their labels ("[Faiss](https://...)",
    "[[Vault|vaults]]"), without images, tags or bare URLs."""
    return _visible(line)[0]


def common_lines(texts: Sequence[str]) -> frozenset[str]:
    """Lines that recur across files: a site's menus, share bars and footers.

    A line counts when at least three files hold it and it is not a sentence, or
    when at least three files and half of all files hold it. Two versions of one
    document share their prose, so prose needs the stronger evidence. Headings,
    table rows and code are never counted: READMEs share "Installation".
    """
    counts: Counter[str] = Counter()
    for text in texts:
        seen = set()
        for m in _NONEMPTY.finditer(text):
            s = m.group().strip()
            if s and len(s) <= 200 and s[0] not in "#|`~" and not _UNDERLINE.fullmatch(s):
                seen.add(s)
        counts.update(seen)
    half = len(texts) / 2
    return frozenset(
        s for s, n in counts.items() if n >= 3 and (n >= half or not _ends_sentence(s))
    )


def clean(
    text: str, common: frozenset[str] = frozenset(), org: bool = False, asciidoc: bool = False
) -> Cleaned:
    """Find the article paragraphs, title and publication date of a text.

    Args:
        text: the full decoded document (any string; never raises).
        common: stripped lines that recur across the corpus's files (``common_lines``):
            a site's shared menus and footers. Headings, rows and code are never dropped
            for it.
        org: the file is an Org file (``.org``); one whose first line names Org or outline
            mode for Emacs is read as one too.
        asciidoc: the file is an AsciiDoc file (``.adoc``, ``.asciidoc``).

    Returns:
        ``Cleaned`` whose blocks are sorted, non-overlapping, stripped, non-empty
        spans of ``text``; ``title`` and ``date`` are ``None`` when not given.
    """
    lines = _split(text)
    front_title, front_date = _front_matter(text, lines)
    mode = _emacs_mode(text, lines)
    if org or mode == "org":
        front_title = _org_markup(text, lines) or front_title
    if asciidoc:
        _asciidoc_markup(text, lines)
    _classify_all(text, lines, common, outline=org or mode is not None)
    units = _mark_questions(text, lines, _units(text, lines))
    blocks: list[tuple[int, int, Span]] = []  # (first line, last line, span)
    dateline_dates: list[tuple[int, str]] = []
    for first, last in units:
        span, found = _unit_span(text, lines, first, last)
        if span is not None:
            blocks.append((first, last, span))
            if found and len(blocks) <= 3:
                dateline_dates.append((span.start, found))
    title_line, title = _find_title(text, lines, units, {b[0] for b in blocks})
    spans, headings = _join_headings(text, lines, [b for b in blocks if b[0] != title_line])
    if not spans:
        # No paragraph reads as article prose: a one-line note, a title-only file, a list.
        # Then the title and short lines are the content, and only debris is left out.
        spans = _short_text(text, lines)
    date = front_date or _find_date(lines, spans, dateline_dates)
    guessed = title_line >= 0 and not front_title
    title = front_title or (_MODE_LINE.sub("", title).strip() or None if title else None)
    sections = _sections(text, lines, title)
    return Cleaned(spans, title, date, sections, headings, guessed)


def _join_headings(
    text: str, lines: list[_Line], blocks: list[tuple[int, int, Span]]
) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Blocks, with a heading joined to the paragraph right below it; the lone headings.

    "## NO_PROXY" over "Valid values: a list of hosts" is one statement: joined, the
    first sentence names what it is about. Only blank lines or quote marks may lie between
    (no underline, no list mark). Headings left alone are searchable, never quoted.
    """
    spans: list[Span] = []
    lone: list[Span] = []
    i = 0
    while i < len(blocks):
        first, _, span = blocks[i]
        if lines[first].kind != _HEADING:
            spans.append(span)
            i += 1
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (
            nxt is not None
            and lines[nxt[0]].kind in (_TEXT, _ROW)
            and not text[span.end : nxt[2].start].replace(">", " ").strip()
        ):
            spans.append(Span(span.start, nxt[2].end))
            i += 2
            continue
        spans.append(span)
        lone.append(span)
        i += 1
    return tuple(spans), tuple(lone)


def _sections(text: str, lines: list[_Line], title: str | None) -> tuple[tuple[int, str], ...]:
    """The heading path in force from each heading on; the document's title is left out.

    Each entry starts where the heading's words start (after any "#" marks): the
    offset at which the heading's own block, and so its sentence, begins.
    """
    stack: list[tuple[int, str]] = []
    out: list[tuple[int, str]] = []
    for ln in lines:
        if not ln.level:
            continue
        start, end = _strip(text, *_heading_bounds(text, ln))
        name = _heading_name(text[start:end])
        while stack and stack[-1][0] >= ln.level:
            stack.pop()
        stack.append((ln.level, name))
        out.append((start, SECTION_SEP.join(n for _, n in stack if n and n != title)))
    return tuple(out)


def _heading_name(s: str) -> str:
    return " ".join(s.strip("#").split())


def _short_text(text: str, lines: list[_Line]) -> tuple[Span, ...]:
    """Every line not recognised as debris (headings without their marks), as blocks."""
    out = []
    for ln in lines:
        if ln.kind not in (_TEXT, _LIST, _HEADING, _NAV):
            continue
        start, end = ln.start, ln.end
        if ln.kind == _HEADING:
            mark = _ATX.match(text, start, end) or _STARS.match(text, start, end)
        else:
            mark = _LIST_MARK.match(text, start, end)
        if mark:
            start = mark.end()
        start += ln.mark
        start, end = _strip(text, start, end)
        if end > start:
            out.append(Span(start, end))
    return tuple(out)


def _split(text: str) -> list[_Line]:
    """Non-blank lines only: blank runs become the ``gap`` flag of the next line."""
    lines: list[_Line] = []
    gap = False
    prev_end = -1
    for m in _NONEMPTY.finditer(text):
        raw_start, raw = m.start(), m.group()
        gap = gap or raw_start > prev_end + 1
        prev_end = m.end()
        right = len(raw.rstrip())
        if right == 0:
            gap = True
            continue
        left = len(raw) - len(raw.lstrip())
        lines.append(_Line(raw_start + left, raw_start + right, gap or not lines, left > 0))
        gap = False
    return lines


def _front_matter(text: str, lines: list[_Line]) -> tuple[str | None, str | None]:
    """YAML front matter at the top of a markdown file: metadata, never blocks."""
    if not lines or text[lines[0].start : lines[0].end] != "---" or lines[0].start != 0:
        return None, None
    title = date = None
    for ln in lines[1:100]:
        s = text[ln.start : ln.end]
        ln.kind = _OTHER
        if s in ("---", "..."):
            return title, date
        m = _FRONT_KEY.fullmatch(s)
        if m and m.group(1).lower() == "title" and m.group(2):
            title = m.group(2)
        elif m and m.group(1).lower() == "date":
            date = parse_date(m.group(2)[:10]) or parse_date(m.group(2))
    for ln in lines[1:100]:  # no closing fence: it was not front matter after all
        ln.kind = _TEXT
    return None, None


def _fences(text: str, lines: list[_Line]) -> tuple[set[int], set[int]]:
    """The lines that open or close a fenced code block; those of a MyST directive.

    A fence closes on a line of at least as many of its own marks (CommonMark). One
    that never closes is text: "~~~~~~" under a plain-text title is an underline, and
    taking it for a fence would make the rest of the file code. A MyST directive
    ("````{tab} Linux", "```{note}") holds Markdown, code fences among it: its fences are
    markup and what they hold is read as text.
    """
    code: set[int] = set()
    markup: set[int] = set()
    directives: list[tuple[int, str]] = []  # open directives, innermost last
    opener: tuple[int, str] | None = None  # the open code fence
    for i, ln in enumerate(lines):
        s = text[ln.start : ln.end]
        item = _LIST_MARK.match(s)  # "- ```" opens a fence inside a list item
        s = s[item.end() :] if item else s
        if not is_fence(s):
            continue
        run = len(s) - len(s.lstrip(s[0]))
        marks, info = s[:run], s[run:].strip()
        if opener is not None:
            if marks.startswith(opener[1]) and not info:
                code.update((opener[0], i))
                opener = None
        elif directives and marks.startswith(directives[-1][1]) and not info:
            markup.update((directives.pop()[0], i))
        elif _MYST_CONTAINER.match(info):
            directives.append((i, marks))
        else:
            opener = (i, marks)
    return code, markup


def _emacs_mode(text: str, lines: list[_Line]) -> str | None:
    """The mode ("org" or "outline") the file's first line tells Emacs to read it in, if any."""
    if not lines:
        return None
    mode = _MODE_LINE.search(text, lines[0].start, lines[0].end)
    found = _OUTLINE_MODES.search(mode.group(1)) if mode else None
    return found.group(1).lower() if found else None


def org_line(line: str, block: str) -> tuple[str, str]:
    """How Org reads a stripped ``line`` inside ``block`` (the block open before it: a
    "#+begin_" name, ":drawer:", or ""): ``(the block open after it, its part)``, the part
    "code" (a code block's line, or a ": " fixed-width one), "markup" (keywords, block lines,
    drawers), "comment" or "" (text). Read here and by web/quote.py."""
    low = line.lower()
    if block == ":drawer:":
        return ("" if low == ":end:" else block), "markup"
    if block:
        if low.startswith(f"#+end_{block}"):
            return "", "markup"
        return block, ("code" if block in _ORG_CODE_BLOCKS else "")
    if begin := _ORG_BEGIN.match(line):
        return begin.group(1).lower(), "markup"
    if _ORG_DRAWER.match(line) and low != ":end:":
        return ":drawer:", "markup"
    if _ORG_KEYWORD.match(line):
        return "", "markup"
    if _ORG_COMMENT.match(line):
        return "", "comment"
    if _ORG_FIXED.match(line):
        return "", "code"
    return "", ""


def asciidoc_line(line: str, block: str) -> tuple[str, str]:
    """How AsciiDoc reads a stripped ``line`` inside ``block`` (the delimiter of the listing,
    literal, passthrough or comment block open before it, or ""): ``(the block open after it,
    its part)``, the part "code" (a listing's or literal block's line), "markup" (delimiters,
    attribute entries and lists, block macros, a passthrough's raw output), "comment" or ""
    (text). Blocks that hold text (example, sidebar, quote, open, table) are not tracked:
    their delimiters are markup and what they hold is read as any text. Read here and by
    web/quote.py."""
    if block:
        if line == block:
            return "", "markup"
        return block, {"+": "markup", "/": "comment"}.get(block[0], "code")
    if _ADOC_DELIMITER.match(line):
        return (line if len(line) >= 4 and line[0] in "-.+/" else ""), "markup"
    if _ADOC_ATTRIBUTE.match(line) or _ADOC_LINE_MARKUP.match(line):
        return "", "markup"
    if _ADOC_COMMENT.match(line):
        return "", "comment"
    return "", ""


def _asciidoc_markup(text: str, lines: list[_Line]) -> None:
    """Mark an AsciiDoc file's headings, block titles, code and own markup as such. A
    paragraph whose first line is indented is literal (code); a block title (".Title")
    starts a block, after a blank line or another block's markup."""
    block = ""
    literal = table = False
    previous = _TEXT
    for ln in lines:
        s = text[ln.start : ln.end]
        block, part = asciidoc_line(s, block)
        if part == "markup" and s[0] == "|" and s.lstrip("|").strip("=") == "":
            table = not table
        starts = ln.gap or previous == _OTHER
        literal = part == "" and ln.indented and (literal or starts) and not _LIST_MARK.match(s)
        if part == "markup":
            ln.kind = _OTHER
        elif part == "code" or literal:
            ln.kind = _CODE
        elif part == "comment":
            ln.kind = _DEBRIS
        elif ln.indented:
            pass
        elif table and s[0] == "|":
            ln.kind = _ROW  # "|Ruby |{ge} 2.7": a row, or a cell on a line of its own
        elif heading := _ADOC_HEADING.match(s):
            ln.kind, ln.level, ln.mark = _HEADING, len(heading.group(1)), heading.end()
        elif starts and _ADOC_BLOCK_TITLE.match(s):
            ln.kind, ln.level, ln.mark = _HEADING, 9, 1
        previous = ln.kind


def _org_markup(text: str, lines: list[_Line]) -> str | None:
    """Mark an Org file's own markup (keywords, block lines, drawers, comments) as such and
    what its code blocks hold as code; return its ``#+title:``."""
    title = None
    block = ""
    for ln in lines:
        s = text[ln.start : ln.end]
        block, part = org_line(s, block)
        if part == "markup":
            ln.kind = _OTHER
            keyword = _ORG_KEYWORD.match(s)
            if keyword and keyword.group(1).lower() == "title" and keyword.group(2):
                title = title or keyword.group(2).strip()
        elif part == "code":
            ln.kind = _CODE
        elif part == "comment" and not ln.indented:
            ln.kind = _DEBRIS
    return title


def _classify_all(
    text: str, lines: list[_Line], common: frozenset[str] = frozenset(), outline: bool = False
) -> None:
    fences, directives = _fences(text, lines)
    in_code = in_comment = False
    memo: dict[str, tuple[int, str | None]] = {}  # pages repeat their nav and headline lines
    for i, ln in enumerate(lines):
        if ln.kind != _TEXT:
            continue
        s = text[ln.start : ln.end]
        if in_comment or not in_code and s.startswith("<!--"):
            # An HTML comment in Markdown is never shown ("<!-- DO NOT EDIT ... -->").
            body = s if in_comment else s[len("<!--") :]
            in_comment = "-->" not in body
            ln.kind = _DEBRIS
        elif i in fences:
            in_code = not in_code
            ln.kind = _OTHER
        elif i in directives:
            ln.kind = _OTHER
        elif in_code:
            ln.kind = _CODE
        elif outline and not ln.indented and (stars := _STARS.match(s)):
            ln.kind, ln.level = _HEADING, len(stars.group(1))
            continue
        elif len(s) > 200:
            ln.kind, ln.date = _classify(s)
        else:
            if s not in memo:
                memo[s] = _classify(s)
            ln.kind, ln.date = memo[s]
        if ln.kind == _HEADING and ln.indented:
            ln.kind = _TEXT  # "# ..." indented is a comment in a code sample, not a heading
        item = _LIST_MARK.match(s) if ln.kind == _LIST else None
        if item and _ATX.match(s, item.end()):
            # A list item that is a heading: an outliner's ("- ## Usage" in Logseq, at any depth).
            ln.kind, s = _HEADING, s[item.end() :]
        if ln.kind == _HEADING:
            ln.level = len(s) - len(s.lstrip("#"))
        elif ln.kind in (_TEXT, _LIST) and s in common:
            ln.kind = _NAV
    _mark_o_bullets(text, lines)
    _mark_directives(text, lines)
    _mark_underlined_headings(text, lines)
    _mark_link_lists(text, lines)
    _mark_repeats(text, lines)
    _mark_teaser_headlines(lines)
    _mark_menus(text, lines)
    _mark_plain_headings(text, lines)
    _mark_bare_tables(text, lines)


def _mark_bare_tables(text: str, lines: list[_Line]) -> None:
    """A Markdown table written without its outer bars ("Release | Status", "---|---", "[22.x][]
    | **Maintenance LTS**"): its header and rows are rows, each read as it stands, though
    short ones read as a menu's links ("Home | About")."""
    i = 0
    while i + 1 < len(lines):
        header, rule = lines[i], lines[i + 1]
        if not (
            header.kind in (_TEXT, _NAV)
            and "|" in text[header.start : header.end]
            and rule.kind in (_TEXT, _OTHER)
            and not rule.gap
            and is_rule(text[rule.start : rule.end].strip())
        ):
            i += 1
            continue
        header.kind, rule.kind = _ROW, _OTHER
        i += 2
        while i < len(lines) and not lines[i].gap and "|" in text[lines[i].start : lines[i].end]:
            if lines[i].kind in (_TEXT, _NAV):
                lines[i].kind = _ROW
            i += 1


def _mark_o_bullets(text: str, lines: list[_Line]) -> None:
    """Items marked by a lowercase "o", as plain-text release notes list changes (" o adds
    agent forwarding support"). An "o" opening a line is a word ("or") in Spanish, Italian
    and Portuguese prose, so only lines of a run are items: the next line as far in that
    is not another item's continuation (indented further) starts with "o " too, or the one
    before does."""
    marks = [_O_BULLET.match(text, ln.start, ln.end) if ln.kind == _TEXT else None for ln in lines]

    def paired(i: int, step: int) -> bool:
        indent = _indent(text, lines[i])
        j = i + step
        while 0 <= j < len(lines):
            if marks[j] and _indent(text, lines[j]) == indent:
                return True
            if _indent(text, lines[j]) <= indent or lines[j].kind != _TEXT:
                return False
            j += step
        return False

    for i, (ln, m) in enumerate(zip(lines, marks)):
        if m and (paired(i, 1) or paired(i, -1)):
            ln.kind, ln.mark = _LIST, m.end() - ln.start


def _mark_underlined_headings(text: str, lines: list[_Line]) -> None:
    """Setext (Markdown) and reST section titles: a line under- (and over-)lined by a rule.

    Levels follow the order in which underline styles first appear, as in reST.
    """
    styles: list[tuple[str, bool]] = []
    for i in range(1, len(lines)):
        ln, title = lines[i], lines[i - 1]
        rule = text[ln.start : ln.end]
        if ln.gap or ln.kind == _CODE or title.kind not in (_TEXT, _LIST):
            continue
        if not _UNDERLINE.fullmatch(rule):
            continue
        if rule[0] == "-" and title.kind == _LIST:
            continue
        said = text[title.start : title.end]
        if said.rstrip(_CLOSERS).endswith(".") and _weight(said) >= 4 and len(rule) != len(said):
            # A sentence over a rule of the page's width separates (a plain-text FAQ's
            # entries); "Timing guarantees, races, etc." underlined to its length is a title.
            continue
        over = i >= 2 and not title.gap and text[lines[i - 2].start : lines[i - 2].end] == rule
        style = (rule[0], over)
        if style not in styles:
            styles.append(style)
        title.kind, title.level = _HEADING, styles.index(style) + 1
        ln.kind = _OTHER
        if over:
            lines[i - 2].kind = _OTHER


def _mark_directives(text: str, lines: list[_Line]) -> None:
    """reST directives, their options and link targets are markup; literal blocks are code.

    A literal block is the indented text after a line ending in "::" or after a code
    directive; the body of any other directive (a note) is indented text and stays.
    """
    in_options = False
    literal_from = -1  # indentation of the line that opened a literal block
    for ln in lines:
        s = text[ln.start : ln.end]
        if ln.kind == _CODE:
            continue
        indent = _indent(text, ln)
        if literal_from >= 0 and indent > literal_from:
            ln.kind, ln.level = _CODE, 0
            continue
        literal_from = -1
        directive = _DIRECTIVE.match(s)
        if directive or _LINK_TARGET.match(s):
            ln.kind, in_options = _OTHER, True
            if directive and _CODE_DIRECTIVE.match(s):
                literal_from = indent
        elif in_options and ln.indented and _FIELD.match(s):
            ln.kind = _OTHER
        else:
            in_options = False
            if s.endswith("::") and ln.kind in (_TEXT, _LIST):
                literal_from = indent


def _visible(s: str) -> tuple[str, int, int]:
    """Markdown/HTML line -> (text a reader sees, characters inside links, images)."""
    images = len(_MD_IMAGE.findall(s)) + len(_HTML_IMG.findall(s))
    linked = 0

    def label(m: re.Match[str]) -> str:
        nonlocal linked
        text = next((g for g in m.groups() if g is not None), m.group(0).strip("<>`_"))
        linked += len(text.strip())
        return text

    s = _MD_LINK.sub(label, _MD_IMAGE.sub("", s))
    s = _HTML_LINK.sub(label, s)
    # Tags before bare URLs: the URL in '<a href="https://...">' is no text of the line.
    s = _HTML_ELEMENT.sub("", s)
    return _BARE_URL.sub(label, s), linked, images


def _mark_link_lists(text: str, lines: list[_Line]) -> None:
    """Badges (lines of images), HTML-only lines, and lists whose items are only links."""
    runs: list[list[_Line]] = [[]]
    for i, ln in enumerate(lines):
        s = text[ln.start : ln.end]
        prev = lines[i - 1] if i else None
        if (  # the rest of a badge whose link target wrapped: "[![PyPI](...)](" above
            prev is not None
            and prev.kind == _DEBRIS
            and not ln.gap
            and text[prev.start : prev.end].endswith("](")
            and _LINK_TAIL.fullmatch(s)
        ):
            ln.kind = _DEBRIS
        if ln.kind not in (_TEXT, _LIST):
            runs.append([])
            continue
        # An item nested under a link item describes it ("- [[Set up Sync]]" over "  - Set up
        # Sync on all your devices."): the links still run on.
        nested = (
            ln.kind == _LIST and bool(runs[-1]) and _indent(text, ln) > _indent(text, runs[-1][-1])
        )
        if "[" not in s and "<" not in s and "://" not in s:
            if not nested:
                runs.append([])
            continue
        seen, linked, images = _visible(_LIST_MARK.sub("", s, count=1))
        bare = "".join(ch for ch in seen if ch.isalnum())
        if images and len(bare) <= 3 * images or not bare and "<" in s:
            ln.kind = _DEBRIS  # badges, an image alone, an HTML wrapper tag
            continue
        letters = len(seen.strip())
        item = ln.kind == _LIST or ln.gap  # a line of its own, not a wrapped sentence's part
        if item and letters and linked >= 0.7 * letters:
            runs[-1].append(ln)
            alone = i + 1 == len(lines) or lines[i + 1].gap
            if seen.count("|") >= 2 or seen.count("·") >= 2:
                ln.kind = _NAV  # "[Docs](..) | [Blog](..) | [Chat](..)"
            elif ln.kind == _TEXT and alone and linked >= 0.9 * letters and _weight(seen) <= 3:
                ln.kind = _NAV  # a paragraph that is one short link: "Learn more."
        elif not nested:
            runs.append([])
    for run in runs:
        if len(run) >= 2:
            for ln in run:
                ln.kind = _NAV
    _mark_link_paragraphs(text, lines)


def _mark_link_paragraphs(text: str, lines: list[_Line]) -> None:
    """A paragraph of links wrapped over lines ("[Website](..)", "| [Docs](..)", ...) is a
    link bar, though no line of it looks like one alone."""
    paragraph: list[_Line] = []
    for ln in [*lines, _Line(0, 0, True, False, _OTHER)]:
        if paragraph and (ln.gap or ln.kind != _TEXT):
            joined = " ".join(text[x.start : x.end] for x in paragraph)
            seen, linked, _ = _visible(joined)
            letters = len(seen.strip())
            # Links written as links: lines of bare URLs ("PROXY protocol v1: http://...")
            # are content.
            links = len(_MD_LINK.findall(joined)) + len(_HTML_LINK.findall(joined))
            if len(paragraph) >= 2 and links >= 2 and linked >= 0.7 * letters:
                for x in paragraph:
                    x.kind = _NAV
            paragraph = []
        if ln.kind == _TEXT and (paragraph or ln.gap):  # not the rest of a list item
            paragraph.append(ln)


def _mark_plain_headings(text: str, lines: list[_Line]) -> None:
    """A short title-like line standing alone between paragraphs of prose is a subheading.

    Text from a PDF has no blank lines: there a short line that neither continues the
    line above nor runs on into the prose line below (a term or name set on a line of
    its own, "MAX_CONTENT_LENGTH") is one too.
    """
    widths = _group_widths(lines)
    for i in range(1, len(lines) - 1):
        ln, prev, nxt = lines[i], lines[i - 1], lines[i + 1]
        if ln.kind != _TEXT or nxt.kind != _TEXT or prev.kind == _HEADING:
            continue
        s, after = text[ln.start : ln.end], text[nxt.start : nxt.end]
        if _ends_sentence(s) or _weight(s) > 12:
            continue
        before = text[prev.start : prev.end]
        if ln.gap and nxt.gap:
            heading = (
                prev.kind == _TEXT
                and _is_title_like(s)
                and _ends_sentence(before)
                and _is_prose(after)
            )
        else:
            heading = (
                not ln.gap
                and not nxt.gap
                and _weight(s) <= 4
                and len(s) <= 60
                and s[-1] not in _SOFT_END
                and not _soft_break(before, s[:8], widths[i])
                and not _soft_break(s, after[:8], widths[i])
                and not after[:1].islower()
                and _weight(after) >= 6  # a line of prose follows
            )
        if heading:
            ln.kind, ln.level = _HEADING, 9  # below any marked heading


def _classify(s: str) -> tuple[int, str | None]:
    """Kind (and date, for date/byline lines) of one stripped, non-blank line."""
    n = len(s)
    if _ATX.match(s):
        return _HEADING, None
    callout = _CALLOUT.match(s)
    if callout:  # a heading of level 0: it heads the callout's body, not the text after it
        return (_HEADING if callout.end() < n else _DEBRIS), None
    if n <= 400 and _VIEW_COUNT.search(s):
        return _TEASER, None
    if n <= 400 and _FOOTER.search(s):
        return _DEBRIS, None
    if n <= 200 and (_CREDIT.match(s) or _PR_SOURCE.match(s)):
        return _DEBRIS, None
    if _CAPTION_TAIL.search(s[-200:]) or _CAPTION_HEAD.match(s):
        return _DEBRIS, None
    if n <= 300 and _LEADER.search(s):
        return _DEBRIS, None
    if n <= 120 and _YEAR.search(s):
        found = _date_of_line(s)
        if found:
            return _DEBRIS, found
    if _RULE.fullmatch(s) or TABLE_RULE.fullmatch(s):
        return _OTHER, None
    if n <= 2000 and TABLE_ROW.fullmatch(s):
        return _ROW, None
    if n <= 80 and not _ends_sentence(s) and _is_nav_line(s):
        return _NAV, None
    prop = _PROPERTY.fullmatch(s)
    if prop:  # each property is a line of its own; one of links or a few words is metadata
        said = _weight(_MD_LINK.sub(" ", prop.group(2)))
        return (_LIST if said >= PROPERTY_WORDS else _OTHER), None
    if _LIST_MARK.match(s):
        return _LIST, None
    return _TEXT, None


def _is_nav_line(s: str) -> bool:
    """A breadcrumb ("News / Nation") or a bar of links ("About Us | Contact Us | Jobs")."""
    parts = [p for p in _NAV_SEP.split(s) if p.strip()]
    needed = 2 if _BREADCRUMB_SEP.search(s) else 3
    return len(parts) >= needed and all(_weight(p) <= 4 for p in parts)


def _date_of_line(s: str) -> str | None:
    """The date of a line that is only a date (with a label or time) or a byline stamp."""
    m = _DATE_LINE.fullmatch(s)
    if m:
        found = parse_date(m.group("rest"))
        if found:
            return found
    t = _TIMESTAMP.search(s) if ":" in s else None
    if t and _weight(s) <= 10:
        return parse_date(t.group(1) or t.group(2))
    return None


def _mark_repeats(text: str, lines: list[_Line]) -> None:
    """Short non-sentence lines seen twice or more are headline lists or nav bars.

    A field ("Default: false", "**Type**: `boolean`") is not: a reference repeats the same
    field under entry after entry, and each says something of its own entry. Nor is the
    first line of a hard-wrapped sentence that goes on in lower case on the next line:
    two entries may open with the same words ("A list of file name patterns, the files to
    leave out of").
    """
    counts: Counter[str] = Counter()
    keys: list[tuple[_Line, str]] = []
    for ln, nxt in pairwise([*lines, None]):
        if ln.kind == _TEXT and ln.end - ln.start <= 200:
            s = text[ln.start : ln.end]
            goes_on = (
                nxt is not None
                and not nxt.gap
                and text[nxt.start : nxt.start + 8].lstrip(_OPENERS)[:1].islower()
            )
            if not _ends_sentence(s) and not _FIELD_LINE.match(s) and not goes_on:
                counts[s] += 1
                keys.append((ln, s))
    for ln, s in keys:
        if counts[s] > 1:
            ln.kind = _NAV


def _mark_teaser_headlines(lines: list[_Line]) -> None:
    """The line right above a view-count teaser is that teaser's headline."""
    for prev, ln in pairwise(lines):
        if ln.kind == _TEASER and prev.kind == _TEXT and not ln.gap:
            prev.kind = _DEBRIS


def _mark_menus(text: str, lines: list[_Line]) -> None:
    """Runs of short non-sentence lines, most of them one to three words, are menus.

    Three such lines make a run; a longer line (up to six words) inside it, such as
    a tagline between menu items, belongs to it when most lines are that short.
    """
    run: list[_Line] = []
    for ln in [*lines, _Line(0, 0, True, False, _OTHER)]:
        s = text[ln.start : ln.end]
        short = (
            len(s) <= 60 and _weight(s) <= 6 and not _ends_sentence(s) and not _FIELD_LINE.match(s)
        )
        if ln.kind == _NAV or ln.kind == _TEXT and short:  # a repeated line can be an item
            run.append(ln)
            continue
        _close_menu(text, run)
        run = []


def _close_menu(text: str, run: list[_Line]) -> None:
    tiny = [
        ln.kind == _NAV or _weight(text[ln.start : ln.end]) <= 3 and ln.end - ln.start <= 40
        for ln in run
    ]
    # The run's tiny lines, from its first tiny line to its last.
    if sum(tiny) < 3:
        return
    first, last = tiny.index(True), len(tiny) - 1 - tiny[::-1].index(True)
    if sum(tiny[first : last + 1]) >= 0.6 * (last - first + 1):
        for ln in run[first : last + 1]:
            ln.kind = _NAV


def _units(text: str, lines: list[_Line]) -> list[tuple[int, int]]:
    """Group lines into paragraphs: hard-wrapped lines join, line-per-item lists do not."""
    widths = _group_widths(lines)
    units: list[tuple[int, int]] = []
    first = -1
    for i, ln in enumerate(lines):
        if (
            ln.kind in (_HEADING, _ROW)
            or ln.kind == _CODE
            and (i == 0 or lines[i - 1].kind != _CODE)
        ):
            if first >= 0:
                units.append((first, i - 1))
            first = i  # a unit of its own (code: up to the fence)
            continue
        if ln.kind == _CODE:
            continue
        if ln.kind not in (_TEXT, _LIST):
            if first >= 0:
                units.append((first, i - 1))
            first = -1
            continue
        if first >= 0 and lines[first].kind in (_HEADING, _ROW, _CODE):
            units.append((first, i - 1))
            first = -1
        if first >= 0 and ln.kind == _TEXT and not ln.gap:
            prev = lines[i - 1]
            in_list = lines[first].kind == _LIST and ln.indented
            if in_list or _soft_break(
                text[prev.start : prev.end], text[ln.start : ln.start + 8], widths[i]
            ):
                continue
        if first >= 0:
            units.append((first, i - 1))
        first = i
    if first >= 0:
        units.append((first, len(lines) - 1))
    return units


def _mark_questions(
    text: str, lines: list[_Line], units: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """An FAQ's questions become the headings of their answers.

    A question is a short paragraph that asks ("Is zlib thread-safe?", "Q: ...") with an
    answer below it. A file holding fewer than ``_FAQ_MIN`` of them, or a smaller share
    than ``_FAQ_SHARE`` of its paragraphs, is prose asking rhetorically. In an FAQ whose
    numbered items mostly ask, every numbered item with an indented answer is one ("4.
    compress() returns Z_BUF_ERROR."). The question's lines become one heading line; the
    units are returned with it as one unit.
    """
    units = _join_marked_questions(text, lines, units)
    entries: list[tuple[int, bool, bool]] = []  # (unit, asks, a numbered item with a body)
    for k, (first, last) in enumerate(units[:-1]):
        head, (nxt, _) = lines[first], units[k + 1]
        if head.kind not in (_TEXT, _LIST) or lines[nxt].kind not in (_TEXT, _LIST):
            continue
        said = text[head.start : lines[last].end]
        answer = text[lines[nxt].start : lines[nxt].end]
        if last - first > 3 or _weight(said) > 40 or _asking(answer):
            continue
        marked = _QUESTION_MARK.match(said) is not None
        dotted = _DOTTED.match(said) is not None  # "3.4. I tried running a Java program ..."
        numbered = head.kind == _LIST or dotted
        bare = said[_QUESTION_LEAD.match(said).end() :]
        worded = bare.lstrip(_OPENERS)[:1].isupper()  # not "./xcbext.h:271: did you mean?"
        asks = marked or worded and _asking(said) and (numbered or not _INNER_END.search(bare))
        item = dotted or (
            head.kind == _LIST
            and lines[nxt].gap
            and _indent(text, lines[nxt]) > _indent(text, head)
        )
        if asks or item:
            entries.append((k, asks, item))
    asked = sum(a for _, a, _ in entries)
    items = [i for _, _, i in entries if i]
    if asked < max(_FAQ_MIN, len(units) * _FAQ_SHARE):
        return units
    # Numbered items that mostly ask are all questions, those that state a problem too.
    all_items = len(items) >= _FAQ_MIN and 2 * sum(a for _, a, i in entries if i) >= len(items)
    out = list(units)
    for k, asks, item in entries:
        if not (asks or all_items and item):
            continue
        first, last = units[k]
        head = lines[first]
        head.kind, head.level, head.asks, head.end = _HEADING, 9, True, lines[last].end
        for ln in lines[first + 1 : last + 1]:
            ln.kind, ln.asks = _OTHER, True
        out[k] = (first, first)
    return out


def _join_marked_questions(
    text: str, lines: list[_Line], units: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """A "Q:" paragraph is one question however its sentences split it into units
    ("Q: Why is liblzma named liblzma? / Shouldn't it be e.g. libxz?")."""
    out: list[tuple[int, int]] = []
    for first, last in units:
        ln = lines[first]
        if (
            out
            and not ln.gap
            and ln.kind == _TEXT
            and _QUESTION_MARK.match(text, lines[out[-1][0]].start, lines[out[-1][0]].end)
            and not _ANSWER_MARK.match(text, ln.start, ln.end)
            and last - out[-1][0] <= 3
        ):
            out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def _indent(text: str, ln: _Line) -> int:
    return ln.start - text.rfind("\n", 0, ln.start) - 1


def _asking(s: str) -> bool:
    return s.rstrip().rstrip(_CLOSERS).endswith(("?", "？"))


def _group_widths(lines: list[_Line]) -> list[int]:
    """Per line, the longest line of its blank-separated group (the wrap width)."""
    widths = [0] * len(lines)
    start = 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or lines[i].gap:
            width = max(ln.end - ln.start for ln in lines[start:i])
            widths[start:i] = [width] * (i - start)
            start = i
    return widths


def _soft_break(prev: str, cur: str, width: int) -> bool:
    """Whether a line break falls inside a sentence (hard-wrapped prose)."""
    if _ends_sentence(prev):
        return False
    head = cur.lstrip(_OPENERS)[:1]
    if head and (head.islower() or head.isdigit()):
        return True
    if prev[-1] in _SOFT_END or prev.rsplit(None, 1)[-1].lower() in _FUNCTION_WORDS:
        return True
    if prev[-1].islower() and _LINK_START.match(cur):
        return True  # "... but use" / "[HTTP range requests](...)": a link inside the sentence
    if _CJK.match(prev[-1]) and head and _CJK.match(head):
        return True
    return width >= 60 and len(prev) >= 0.8 * width


def _unit_span(
    text: str, lines: list[_Line], first: int, last: int
) -> tuple[Span | None, str | None]:
    """The block span of a unit (or None when it is not prose), and a dateline date."""
    start, end = lines[first].start, lines[last].end
    kind = lines[first].kind
    if kind in (_HEADING, _ROW, _CODE):
        if kind == _HEADING:
            start, end = _heading_bounds(text, lines[first])
        elif kind == _ROW:  # within its outer bars, where it has them
            start += text[start] == "|"
            end -= text[end - 1] == "|" and end - 1 > start
        start, end = _strip(text, start, end)
        return (Span(start, end) if _weight(text[start:end]) else None), None
    head = text[start : start + 200]
    mark = _LIST_MARK.match(head) if kind == _LIST else _QUOTE_MARK.match(head)
    if first and lines[first - 1].asks and not mark:
        mark = _ANSWER_MARK.match(head)  # "Q: ..." over "A: Nothing. ..."
    if mark:
        start += mark.end()
    start += lines[first].mark if kind == _LIST else 0  # an "o" item's mark
    dateline = _DATELINE.match(text, start, min(end, start + 200))
    found = None
    if dateline:
        found = month_day_year(dateline.group(0))
        start = dateline.end()
    tail_from = max(start, end - 300)
    credit = _TRAILING_CREDIT.search(text, tail_from, end)
    if credit and _weight(credit.group(1)) <= 15:
        end = credit.start(1)
    start, end = _strip(text, start, end)
    if end <= start or not _weight(text[start:end]):
        return None, None
    return Span(start, end), found


def _heading_bounds(text: str, ln: _Line) -> tuple[int, int]:
    """A heading line without its marks: Markdown's ("## Install ##" -> "Install"), a
    callout's ("> [!tip] Its title"), and an FAQ question's number or "Q:" ("3.4. I tried
    ...", "Q:  What do ...")."""
    start, end = ln.start, ln.end
    seg = text[start:end]
    item = _LIST_MARK.match(seg)
    if ln.mark:  # AsciiDoc's "== Install ==" or ".Block title"
        start += ln.mark
        end -= len(seg) - len(seg.rstrip("=")) if seg.rstrip("=").endswith(" ") else 0
    elif item and seg.startswith("#", item.end()):  # "- ## Usage"
        start, seg = start + item.end(), seg[item.end() :]
    if seg.startswith("#"):
        start += len(seg) - len(seg.lstrip("#"))
        end -= len(seg) - len(seg.rstrip("#")) if seg.rstrip("#").endswith(" ") else 0
    elif stars := _STARS.match(seg):  # an outline's "** Bug fixes", an Org "* Plans :work:"
        start += stars.end()
        if tags := _ORG_TAGS.search(seg):
            end -= len(seg) - tags.start()
    elif callout := _CALLOUT.match(seg):
        start += callout.end()
    if ln.asks:
        start = _QUESTION_LEAD.match(text, start, end).end()
    return start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    seg = text[start:end]
    left = len(seg) - len(seg.lstrip())
    return start + left, start + max(left, len(seg.rstrip()))


def _is_prose(s: str) -> bool:
    """A block has a sentence: enough words and final punctuation (or very many words)."""
    words = _weight(s, cap=_LONG_WORDS)
    return words >= _LONG_WORDS or (words >= _MIN_WORDS and _ends_sentence(s))


def _ends_sentence(s: str) -> bool:
    s = s.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(s) and (s[-1] in _TERMINAL or (s[-1] == ":" and _weight(s) >= 8))


def _weight(s: str, cap: int = 40) -> int:
    """Words in ``s`` (each CJK character counts as one), counted up to ``cap``."""
    n = 0
    for pattern in (_WORD, _CJK):
        for _ in pattern.finditer(s):
            n += 1
            if n >= cap:
                return cap
    return n


def _find_title(
    text: str, lines: list[_Line], units: list[tuple[int, int]], block_lines: set[int]
) -> tuple[int, str | None]:
    """The headline: a first-level heading or short title-like line before the body."""
    unit_at = dict(units)
    i = 0
    while i < len(lines):
        ln = lines[i]
        s = text[ln.start : ln.end]
        if ln.kind == _HEADING and (s.startswith("# ") or ln.level == 1 and s[0] != "#"):
            return -1, _heading_name(text[slice(*_heading_bounds(text, ln))]) or None
        if i in unit_at:
            if unit_at[i] == i and ln.kind == _TEXT and _is_title_like(s):
                return i, " ".join(s.split())
            if i in block_lines:
                return -1, None
            i = unit_at[i]
        i += 1
    return -1, None


def _is_title_like(s: str) -> bool:
    if len(s) > 200 or _BREADCRUMB.search(s) or not s[0].isupper() and not _CJK.match(s[0]):
        return False
    bare = s.rstrip(_CLOSERS)
    if not bare or bare[-1] in ".。:;,":
        return False
    return 3 <= _weight(s) <= 25


def _find_date(
    lines: list[_Line], blocks: tuple[Span, ...], datelines: list[tuple[int, str]]
) -> str | None:
    """The first date line, byline stamp or dateline near the top of the article."""
    limit = blocks[2].start if len(blocks) > 2 else float("inf")
    found = [(ln.start, ln.date) for ln in lines if ln.date and ln.start < limit]
    found += datelines
    return min(found)[1] if found else None
