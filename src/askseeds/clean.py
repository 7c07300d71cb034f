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
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from .dates import MONTH, month_day_year, parse_date
from .types import Span

__all__ = ["Cleaned", "clean"]


@dataclass(frozen=True)
class Cleaned:
    """What ``clean`` found: article paragraphs as spans, and metadata."""

    blocks: tuple[Span, ...]
    title: str | None
    date: str | None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD


# Line kinds.
# _NAV is debris only by its context (a menu run, a repeated line): kept when it is all there is.
_TEXT, _LIST, _DEBRIS, _TEASER, _HEADING, _OTHER, _NAV = range(7)

_TERMINAL = frozenset(".!?。！？…")
_CLOSERS = "\"'”’)]」』）»"
_OPENERS = "\"'“‘([「『（«"
_SOFT_END = frozenset(",;:-–—(/&")
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
_HEADING = re.compile(r"(#{1,6})(?:\s+|$)")
_LIST_MARK = re.compile(r"(?:>\s*)*(?:[-*+•]|[0-9]{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(?=\S)")
_QUOTE_MARK = re.compile(r"(?:>\s*)+(?=\S)")
_FENCE = re.compile(r"(?:```|~~~)")
_RULE = re.compile(r"(?:[-*_=]\s*){3,}")
_TABLE = re.compile(r"\|.*\|")
_BREADCRUMB = re.compile(r"\s[/>»›|]\s|\|")
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


def clean(text: str) -> Cleaned:
    """Find the article paragraphs, title and publication date of a text.

    Args:
        text: the full decoded document (any string; never raises).

    Returns:
        ``Cleaned`` whose blocks are sorted, non-overlapping, stripped, non-empty
        spans of ``text``; ``title`` and ``date`` are ``None`` when not given.
    """
    lines = _split(text)
    front_title, front_date = _front_matter(text, lines)
    _classify_all(text, lines)
    units = _units(text, lines)
    blocks: list[tuple[int, int, Span]] = []  # (first line, last line, span)
    dateline_dates: list[tuple[int, str]] = []
    for first, last in units:
        span, found = _unit_span(text, lines, first, last)
        if span is not None:
            blocks.append((first, last, span))
            if found and len(blocks) <= 3:
                dateline_dates.append((span.start, found))
    title_line, title = _find_title(text, lines, units, {b[0] for b in blocks})
    spans = tuple(b[2] for b in blocks if b[0] != title_line)
    if not spans:
        # No paragraph reads as article prose: a one-line note, a title-only file, a list.
        # Then the title and short lines are the content, and only debris is left out.
        spans = _short_text(text, lines)
    date = front_date or _find_date(lines, spans, dateline_dates)
    return Cleaned(blocks=spans, title=front_title or title, date=date)


def _short_text(text: str, lines: list[_Line]) -> tuple[Span, ...]:
    """Every line not recognised as debris (headings without their marks), as blocks."""
    out = []
    for ln in lines:
        if ln.kind not in (_TEXT, _LIST, _HEADING, _NAV):
            continue
        start, end = ln.start, ln.end
        mark = (_HEADING if ln.kind == _HEADING else _LIST_MARK).match(text, start, end)
        if mark:
            start = mark.end()
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


def _classify_all(text: str, lines: list[_Line]) -> None:
    in_code = False
    memo: dict[str, tuple[int, str | None]] = {}  # pages repeat their nav and headline lines
    for ln in lines:
        if ln.kind != _TEXT:
            continue
        s = text[ln.start : ln.end]
        if _FENCE.match(s):
            in_code = not in_code
            ln.kind = _OTHER
        elif in_code:
            ln.kind = _OTHER
        elif len(s) > 200:
            ln.kind, ln.date = _classify(s)
        else:
            if s not in memo:
                memo[s] = _classify(s)
            ln.kind, ln.date = memo[s]
    _mark_repeats(text, lines)
    _mark_teaser_headlines(lines)
    _mark_menus(text, lines)


def _classify(s: str) -> tuple[int, str | None]:
    """Kind (and date, for date/byline lines) of one stripped, non-blank line."""
    n = len(s)
    if _HEADING.match(s):
        return _HEADING, None
    if n <= 400 and _VIEW_COUNT.search(s):
        return _TEASER, None
    if n <= 400 and _FOOTER.search(s):
        return _DEBRIS, None
    if n <= 200 and (_CREDIT.match(s) or _PR_SOURCE.match(s)):
        return _DEBRIS, None
    if _CAPTION_TAIL.search(s[-200:]) or _CAPTION_HEAD.match(s):
        return _DEBRIS, None
    if n <= 120 and _YEAR.search(s):
        found = _date_of_line(s)
        if found:
            return _DEBRIS, found
    if _RULE.fullmatch(s) or (n <= 2000 and _TABLE.fullmatch(s)):
        return _OTHER, None
    if _LIST_MARK.match(s):
        return _LIST, None
    return _TEXT, None


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
    """Short non-sentence lines seen twice or more are headline lists or nav bars."""
    counts: Counter[str] = Counter()
    keys: list[tuple[_Line, str]] = []
    for ln in lines:
        if ln.kind == _TEXT and ln.end - ln.start <= 200:
            s = text[ln.start : ln.end]
            if not _ends_sentence(s):
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
    """Runs of three or more one-to-three-word lines (blank lines aside) are menus."""
    run: list[_Line] = []
    for ln in [*lines, _Line(0, 0, True, False, _OTHER)]:
        s = text[ln.start : ln.end]
        if ln.kind == _TEXT and len(s) <= 40 and _weight(s) <= 3 and not _ends_sentence(s):
            run.append(ln)
            continue
        if len(run) >= 3:
            for item in run:
                item.kind = _NAV
        run = []


def _units(text: str, lines: list[_Line]) -> list[tuple[int, int]]:
    """Group lines into paragraphs: hard-wrapped lines join, line-per-item lists do not."""
    widths = _group_widths(lines)
    units: list[tuple[int, int]] = []
    first = -1
    for i, ln in enumerate(lines):
        if ln.kind not in (_TEXT, _LIST):
            if first >= 0:
                units.append((first, i - 1))
            first = -1
            continue
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
    if _CJK.match(prev[-1]) and head and _CJK.match(head):
        return True
    return width >= 60 and len(prev) >= 0.8 * width


def _unit_span(
    text: str, lines: list[_Line], first: int, last: int
) -> tuple[Span | None, str | None]:
    """The block span of a unit (or None when it is not prose), and a dateline date."""
    start, end = lines[first].start, lines[last].end
    head = text[start : start + 200]
    mark = _LIST_MARK.match(head) if lines[first].kind == _LIST else _QUOTE_MARK.match(head)
    if mark:
        start += mark.end()
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
    if end <= start or not _is_prose(text[start:end]):
        return None, None
    return Span(start, end), found


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
        if ln.kind == _HEADING and s.startswith("# "):
            return -1, " ".join(s.strip("# \t").split()) or None
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
