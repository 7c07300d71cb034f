"""Read a PDF's text layer as its pages lay it out.

A PDF holds positioned runs of glyphs, not paragraphs. pypdf (see README, "Formats") puts
the runs of a page into lines; this module reads each line's font size, face and position
as well, and from them writes the text a reader sees: headings set larger or in bold on a
line of their own, or named by the PDF's outline, are Markdown headings; lines in a
typewriter face are fenced code; a wider gap or an indented first line starts a
paragraph, and a footnote that falls inside a sentence goes after it; running heads and
feet (the title, chapter or printer's mark and the page number repeated at the top or
bottom of pages) are left out; a word hyphenated at a line's end is whole again, and
typographic ligatures are letters. The clean stage then reads this text as it reads any
Markdown.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise, takewhile

from .marks import literal

__all__ = ["NO_CHARACTER_MAP", "NO_TEXT_LAYER", "read_pdf"]

MAX_PDF_PAGES = 5000
NO_TEXT_LAYER = "PDF has no text layer (scanned pages?)"
NO_CHARACTER_MAP = "PDF fonts have no character map (its text reads as glyph ids /g18/g152...)"

_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# fi, fl, ff, ffi, ffl, long s t, st: typeset as one glyph, searched for as letters.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
# A font without a map back to characters: pypdf writes its glyph ids ("/g18/g152/g3").
_GLYPH_ID = re.compile(r"/g\d+")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|medi|[-+,]bd?\b|cmbx", re.IGNORECASE)
# Typewriter faces set code: Courier, Nimbus Mono, TeX's cmtt, DejaVu Sans Mono, Source Code.
_MONO_FONT = re.compile(
    r"mono|courier|typewriter|consol|menlo|code|nimbusmon|cm[a-z]*tt\d", re.IGNORECASE
)
# A page or line number alone: "12", "xiv", "Page 3", "3 of 10", "- 3 -", a proof's "R33".
_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?[-–—]?\s*(?:[A-Z]?\d{1,4}[A-Z]?|(?=[ivxlc])c{0,3}(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3}))"
    r"\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_NUMBERING = frozenset(
    re.findall(
        r"\w+",
        "chapter part section appendix one two three four five six seven eight nine ten eleven"
        " twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty",
    )
)
_ROMAN = re.compile(r"(?=[ivxlc])c{0,3}(?:x[cl]|l?x{0,3})(?:i[xv]|v?i{0,3})")
_BULLET = re.compile(r"[•◦▪‣∙·●○■□–—*-]\s")  # a list item, even of names set as code
_HYPHENATED = re.compile(r"([^\W\d_]+)-$")
_NEXT_WORD = re.compile(r"([^\W\d_]+)(\S*)\s*")

HEADING_SCALE = 1.15  # a line set this much larger than the body text is a heading
HEADING_WORDS = 20  # longer lines are prose, however they are set
EDGE_LINES = 4  # lines looked at for running heads at each end of a page
RUNNING_PAGES = 3  # a line repeated at the edge of this many pages is a running head
OUTLINE_FOUND = 0.5  # the outline is followed when this share of its titles is found
LINE_NUMBERS = 5  # this many counting numbers in a row are a margin's line numbers
MARGIN_LINES = 5  # this many lines starting at one place make a column's left edge
PARAGRAPH_GAP = 1.35  # a gap this many times the usual line spacing starts a paragraph
INDENT = 0.8  # an indent of this many body-font sizes starts a paragraph after a sentence


@dataclass
class _Line:
    text: str
    size: float  # the font size of most of its characters; 0 when unknown
    x: float
    y: float
    bold: bool
    mono: bool = False  # all in a typewriter face: code
    heading: int = 0  # Markdown level, 0 for text
    aside: bool = False  # a footnote moved out of the sentence it fell into
    resumes: bool = False  # the line that goes on with that sentence


def read_pdf(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a PDF, where each page starts in it and the title its properties give,
    or why it cannot be read."""
    from pypdf import PdfReader

    head = data[:1024]
    if b"%PDF-" not in head:
        kind = "text" if _LETTER.search(head.decode("latin-1")) and b"\x00" not in head else "data"
        return f"not a PDF (the file holds {kind}, not PDF data); give it its real extension"
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # many PDFs are encrypted with an empty password
        except Exception:  # noqa: BLE001 - e.g. a cipher needing a library not installed
            opened = 0
        if not opened:
            return "encrypted PDF (needs a password); save an unencrypted copy to index it"
    if len(reader.pages) > MAX_PDF_PAGES:
        return f"PDF has {len(reader.pages)} pages (more than {MAX_PDF_PAGES}); split it"
    pages = [_page_lines(page) for page in reader.pages]
    text, starts = _write(_laid_out(pages, _outline(reader)))
    shown = sum(1 for ch in text if not ch.isspace())
    if shown and sum(map(len, _GLYPH_ID.findall(text))) > 0.3 * shown:
        return NO_CHARACTER_MAP
    return text, starts, _declared_title(reader)


def _declared_title(reader) -> str | None:
    """The title in the PDF's properties, unless it is a file's name ("Microsoft Word -
    report.docx", "draft.tex") or a placeholder."""
    try:
        title = " ".join(str((reader.metadata or {}).get("/Title") or "").split())
    except Exception:  # noqa: BLE001 - unreadable properties are no title
        return None
    if (
        len(_WORD.findall(title)) < 1
        or re.search(
            r"\.(?:docx?|odt|rtf|tex|dvi|pdf|indd|qxd|pptx?|xlsx?)\b", title, re.IGNORECASE
        )
        or title.lower() in {"untitled", "title", "document", "slide 1"}
    ):
        return None
    return title


def _page_lines(page) -> list[_Line]:
    """One page's lines, each with the size, weight and place of its letters."""
    runs: list[tuple[str, float, float, float, bool, bool]] = []

    def visit(text, cm, tm, font, size) -> None:
        # The text matrix within the page's transformation: where the run starts and how
        # tall its letters are.
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str((font or {}).get("/BaseFont", ""))
        bold, mono = bool(_BOLD_FONT.search(name)), bool(_MONO_FONT.search(name))
        runs.append((text, abs(size) * (c * c + d * d) ** 0.5, x, y, bold, mono))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(r[0] for r in runs) != text:  # runs pypdf wrote out of order: text alone
        return [_Line(s, 0.0, 0.0, 0.0, False) for s in map(_tidy, text.split("\n")) if s]
    lines: list[_Line] = []
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    bold = mono = shown = 0  # characters in a bold face, a typewriter face, any face
    at: tuple[float, float] | None = None

    def end_line() -> None:
        nonlocal bold, mono, shown, at
        s = _tidy("".join(parts))
        if s and at is not None:
            size = sizes.most_common(1)[0][0] if sizes else 0.0
            lines.append(_Line(s, size, at[0], at[1], bold == shown > 0, mono == shown > 0))
        parts.clear()
        sizes.clear()
        bold = mono = shown = 0
        at = None

    for run, size, x, y, is_bold, is_mono in runs:
        for i, piece in enumerate(run.split("\n")):
            if i:
                end_line()
            n = sum(1 for ch in piece if not ch.isspace())
            if n:
                sizes[round(size * 2) / 2] += n
                shown += n
                bold += n if is_bold else 0
                mono += n if is_mono else 0
                if at is None:
                    at = (x, y)
            parts.append(piece)
    end_line()
    return lines


def _tidy(line: str) -> str:
    return _SPACES.sub(" ", line.replace("\x00", "").translate(_LIGATURES)).strip()


def _laid_out(
    pages: list[list[_Line]], outline: list[tuple[int, int, frozenset[str]]] = ()
) -> list[list[_Line | None]]:
    """Pages of lines with running heads dropped, headings marked and ``None`` where a
    paragraph breaks."""
    body = _body_size(pages)
    _drop_running(pages, body)
    _mark_headings(pages, body)
    _mark_outline(pages, outline)
    _title_first(pages)
    spacing = _spacing(pages, body)
    out: list[list[_Line | None]] = []
    for lines in pages:
        flow: list[_Line | None] = []
        prev: _Line | None = None
        margins = _margins(lines, body)
        for ln in _asides_after(lines, body):
            if (
                prev is not None
                and prev.heading
                and ln.heading == prev.heading
                and _close(prev, ln)
            ):
                prev.text += " " + ln.text  # a heading set on two lines is one heading
                continue
            if prev is not None and (
                ln.aside != prev.aside
                or not ln.resumes
                and _breaks(prev, ln, body, spacing, margins)
            ):
                flow.append(None)
            flow.append(ln)
            prev = ln
        out.append(flow)
    return out


def _title_first(pages: list[list[_Line]]) -> None:
    """The one first-level heading, on the first page, is the title: set first, so what a
    page prints above it (a journal's name, an infobox, a logo's words) is read under it
    and not as the text before the title."""
    first = next((i for i, lines in enumerate(pages) if lines), None)
    if first is None or any(ln.heading == 1 for lines in pages[first + 1 :] for ln in lines):
        return
    at = [j for j, ln in enumerate(pages[first]) if ln.heading == 1]
    if at and at[0] > 0 and at == list(range(at[0], at[-1] + 1)):  # one title, maybe on two lines
        lines = pages[first]
        pages[first] = lines[at[0] : at[-1] + 1] + lines[: at[0]] + lines[at[-1] + 1 :]


def _asides_after(lines: list[_Line], body: float) -> list[_Line]:
    """The page's lines with each block of smaller print that falls inside a sentence of
    the text (a footnote at the foot of a column, read before the next column that
    finishes the sentence) moved after that sentence."""
    lines = list(lines)
    j = 1
    while j < len(lines) - 1:
        k = j
        while k < len(lines) and 0 < lines[k].size < body - 0.4 and not lines[k].heading:
            k += 1
        before = lines[j - 1]
        # smaller print between a sentence's start and the text line that finishes it
        inside = (
            j < k < len(lines)
            and before.size == lines[k].size == body
            and not (before.heading or lines[k].heading)
            and not _SENTENCE_END.search(before.text)
        )
        if not inside:
            j = k + 1
            continue
        end = next(
            (
                m
                for m in range(k, len(lines))
                if lines[m].size == body and _SENTENCE_END.search(lines[m].text)
            ),
            len(lines) - 1,
        )
        run = lines[j:k]
        for ln in run:
            ln.aside = True
        lines[k].resumes = True
        lines[j : end + 1] = lines[k : end + 1] + run
        j = end + 1
    return lines


def _margins(lines: list[_Line], body: float) -> tuple[float, ...]:
    """Where a page's lines usually start: the left edge of each of its columns (not the
    indent of its paragraphs, a little to the right of one)."""
    starts = Counter(round(ln.x) for ln in lines if ln.size)
    usual = sorted(x for x, n in starts.items() if n >= MARGIN_LINES)
    return tuple(x for x in usual if not any(x - 4 * body <= m < x for m in usual))


def _body_size(pages: list[list[_Line]]) -> float:
    sizes: Counter[float] = Counter()
    for ln in (ln for lines in pages for ln in lines):
        sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _spacing(pages: list[list[_Line]], body: float) -> float:
    """The usual distance between the baselines of two lines of body text."""
    gaps: Counter[float] = Counter()
    for lines in pages:
        for a, b in pairwise(lines):
            if a.size == b.size == body and 0 < a.y - b.y < 3 * body:
                gaps[round(a.y - b.y, 1)] += 1
    return gaps.most_common(1)[0][0] if gaps else 1.2 * body


def _edge_key(s: str) -> str:
    return re.sub(r"\d+", "#", s.lower())


def _drop_running(pages: list[list[_Line]], body: float) -> None:
    """Leave out what is printed at the top or bottom of many pages: running heads, page
    numbers, printers' marks; not the title of the first page, set larger, that the
    running heads repeat."""

    def edges(lines: list[_Line]) -> list[_Line]:
        return [lines[j] for j in _edge_indices(len(lines))]

    # A booklet of two pages repeats its running head twice.
    often = min(RUNNING_PAGES, max(2, len(pages)))
    seen = Counter(k for lines in pages for k in {_edge_key(ln.text) for ln in edges(lines)})
    running = {k for k, n in seen.items() if n >= often}
    # Page numbers counting with the pages, wherever among the edge lines they stand.
    counted = Counter(
        int(ln.text) - i
        for i, lines in enumerate(pages)
        for ln in edges(lines)
        if ln.text.isdigit()
    )
    offsets = {k for k, n in counted.items() if n >= often}
    places = Counter()  # heights where running heads stand: a chapter's own head there too
    for lines in pages:
        for ln in edges(lines):
            if _edge_key(ln.text) in running and ln.size <= body:
                places[round(ln.y)] += 1
    first = next((i for i, lines in enumerate(pages) if lines), 0)
    drops: list[set[int]] = []
    for i, lines in enumerate(pages):
        drop: set[int] = set()
        drops.append(drop)
        for side in (range(len(lines)), range(len(lines) - 1, -1, -1)):
            n = 0  # lines passed that are more than a number
            for j in side:
                ln = lines[j]
                key = _edge_key(ln.text)
                number = _PAGE_NUMBER.fullmatch(ln.text) is not None
                repeated = key in running
                if repeated and i == first and body and ln.size > body:
                    break  # the title, repeated as the running head of the pages after
                placed = places[round(ln.y)] >= often and len(ln.text.split()) <= 12
                # past the edge lines, only more numbers: a proof's column of line numbers
                if not (number or repeated or (placed and n < EDGE_LINES)) or (
                    n >= EDGE_LINES and not number
                ):
                    break
                drop.add(j)
                n += not number
        drop |= _line_numbers(lines)
        drop |= {
            j
            for j in _edge_indices(len(lines))
            if lines[j].text.isdigit() and int(lines[j].text) - i in offsets
        }
    # What stands on most pages and nothing else is their content: one label a page, a
    # slide's single line. A proof's blank pages, all marks, are a few.
    emptied = sum(1 for lines, drop in zip(pages, drops) if lines and len(drop) == len(lines))
    if emptied > 0.5 * sum(1 for lines in pages if lines):
        return
    for i, drop in enumerate(drops):
        pages[i] = [ln for j, ln in enumerate(pages[i]) if j not in drop]


def _edge_indices(n: int) -> list[int]:
    """The first and last ``EDGE_LINES`` of a page of ``n`` lines, each once."""
    top = min(EDGE_LINES, n)
    return [*range(top), *range(max(top, n - EDGE_LINES), n)]


def _line_numbers(lines: list[_Line]) -> set[int]:
    """A margin's column of line numbers (a proof's, a legal filing's): lines of counting
    numbers, 1, 2, 3, ..., wherever the page's order puts them."""
    found: set[int] = set()
    run: list[int] = []
    for j, ln in enumerate([*lines, None]):
        m = re.fullmatch(r"[A-Za-z]{0,2}(\d{1,3})[A-Za-z]{0,2}", ln.text) if ln else None
        if m and run and int(m.group(1)) == int(re.sub(r"\D", "", lines[run[-1]].text)) + 1:
            run.append(j)
            continue
        # mostly bare numbers: a board's "a1", "a2", ... are labels, not line numbers
        if sum(lines[r].text.isdigit() for r in run) >= LINE_NUMBERS:
            found.update(run)
        run = [j] if m else []
    return found


def _mark_headings(pages: list[list[_Line]], body: float) -> None:
    """A short line set larger than the text is a heading, the largest size level 1; a
    short line all in bold at the text's size is a heading below those."""
    if not body:
        return

    def short(ln: _Line) -> bool:
        return (
            len(ln.text.split()) <= HEADING_WORDS and re.search(r"[^\W\d_]{3}", ln.text) is not None
        )

    larger = sorted(
        {
            ln.size
            for lines in pages
            for ln in lines
            if ln.size >= HEADING_SCALE * body and short(ln)
        },
        reverse=True,
    )
    level = {size: min(i + 1, 5) for i, size in enumerate(larger)}
    for lines in pages:
        for ln in lines:
            if ln.size in level and short(ln):
                ln.heading = level[ln.size]
            elif (
                ln.bold
                and not ln.mono
                and ln.size >= body
                and short(ln)
                and not re.search(r"[.!?:;,-]$", ln.text)
            ):
                ln.heading = min(len(larger) + 1, 6)
        # A heading heads text below it on its page: the labels of a figure, set apart in
        # a larger or bold face, are followed by more labels, and a title page's names by
        # nothing.
        below: _Line | None = None
        for ln in reversed(lines):
            if ln.heading and not _heads(ln, below, body):
                ln.heading = 0
            below = ln


def _outline(reader) -> list[tuple[int, int, frozenset[str]]]:
    """The PDF's own outline (its bookmarks): each title's page, depth and words."""
    found: list[tuple[int, int, frozenset[str]]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # noqa: BLE001, S112 - a bookmark to nowhere is no heading
                continue
            words = _title_words(str(getattr(item, "title", "") or ""))
            if page is not None and page >= 0 and words:
                found.append((page, depth, words))

    try:
        walk(reader.outline, 0)
    except Exception:  # noqa: BLE001 - a broken outline is no outline
        return []
    return found


def _title_words(s: str) -> frozenset[str]:
    """A title's words without its numbering: "Chapter 1: Creators" and "CHAPTER ONE:
    Creators" both give {"creators"}."""
    return frozenset(
        w
        for w in re.findall(r"[^\W\d_]+", s.lower())
        if w not in _NUMBERING and not _ROMAN.fullmatch(w)
    )


def _mark_outline(pages: list[list[_Line]], outline) -> None:
    """Mark the lines the outline names, at its depth, where it names its titles: on the
    page a bookmark points to (or the next), a short line holding the title's words.
    Headings found by their face alone go below its levels, where the outline is
    followed."""
    marked: list[tuple[_Line, int]] = []
    for page, depth, words in outline:
        for lines in pages[page : page + 2]:
            line = next(
                (
                    ln
                    for ln in lines
                    if len(ln.text.split()) <= len(words) + 4 and words <= _title_words(ln.text)
                ),
                None,
            )
            if line is not None:
                marked.append((line, depth + 1))
                break
    if not outline or len(marked) < OUTLINE_FOUND * len(outline):
        return
    below = min(max(level for _, level in marked) + 1, 6)
    # The title, set largest on the first page before anything the outline names, stays
    # the title: outlines list what follows it.
    first = next((lines for lines in pages if lines), [])
    named = {id(ln) for ln, _ in marked}
    heads = [ln for ln in first if ln.heading or id(ln) in named]
    title = {id(ln) for ln in takewhile(lambda h: h.heading == 1 and id(h) not in named, heads)}
    for lines in pages:
        for ln in lines:
            if ln.heading and id(ln) not in title:
                ln.heading = below
    for ln, level in marked:
        ln.heading = min(level, 6)


def _heads(ln: _Line, below: _Line | None, body: float) -> bool:
    if below is None:
        return False  # typesetters never leave a heading last on a page: a title page's name
    near = 0 < ln.y - below.y <= 4 * max(ln.size, below.size)
    # text below, a deeper heading, or the heading's own next line (a title set on two)
    return near and (
        below.heading > ln.heading
        or below.heading == ln.heading
        and _close(ln, below)
        or not below.heading
        and below.size == body
    )


def _close(a: _Line, b: _Line) -> bool:
    return 0 < a.y - b.y <= 1.6 * max(a.size, b.size)


def _breaks(
    prev: _Line, ln: _Line, body: float, spacing: float, margins: tuple[float, ...]
) -> bool:
    """Whether ``ln`` starts a new paragraph after ``prev`` on the same page."""
    if prev.heading or ln.heading:
        return True
    if not body:
        return False
    if 0 < prev.y - ln.y and prev.y - ln.y > PARAGRAPH_GAP * max(spacing, ln.size):
        return True
    if _SENTENCE_END.search(prev.text) is None:
        return False
    # Indented from the left edge of its column: the page's usual line starts, so a
    # paragraph opening at the top of the next column is seen as well.
    # A list's items stand indented alike: each is set against the one before.
    edge = (
        prev.x
        if _BULLET.match(ln.text)
        else max((m for m in margins if m <= ln.x + 1), default=prev.x)
    )
    return ln.x - edge >= INDENT * body


def _write(pages: list[list[_Line | None]]) -> tuple[str, tuple[int, ...]]:
    """Join the pages' lines into text, whole words where a line's end hyphenated one."""
    # The words the document spells whole, not the halves of those broken at a line's end.
    words: Counter[str] = Counter()
    broken = False
    for ln in (ln for lines in pages for ln in lines if ln):
        text = _HYPHENATED.sub("", ln.text)
        found = _WORD.findall(text)
        words.update(w.lower() for w in found[1 if broken and found else 0 :])
        broken = text != ln.text
    hyphened = Counter(
        m.lower() for lines in pages for ln in lines if ln for m in re.findall(r"\w+-\w+", ln.text)
    )
    flat: list[_Line | None | int] = []  # an int marks where a page starts
    for i, lines in enumerate(pages):
        flat.append(i)
        flat.extend(lines)
    texts: list[str | None | int] = [x.text if isinstance(x, _Line) else x for x in flat]
    heads = {i for i, x in enumerate(flat) if isinstance(x, _Line) and x.heading}
    code = {
        i
        for i, x in enumerate(flat)
        if isinstance(x, _Line) and x.mono and not x.heading and not _BULLET.match(x.text)
    }
    for i, s in enumerate(texts):
        if not isinstance(s, str) or i in heads or i in code:
            continue
        m = _HYPHENATED.search(s)
        j = _next_text(texts, i)
        if m is None or j is None or j in heads or j in code:
            continue
        n = _NEXT_WORD.match(texts[j])
        if n is None or not n.group(1)[:1].islower():
            continue
        first, second = m.group(1), n.group(1)
        whole = (first + second).lower()
        keep = hyphened[f"{first}-{second}".lower()] > 0 or (
            not words[whole] and len(first) > 2 and words[first.lower()] and words[second.lower()]
        )
        texts[i] = s[: m.end(1)] + ("-" if keep else "") + second + n.group(2)
        texts[j] = texts[j][n.end() :]
        # the paragraph goes on past the line that lent its word, even across a page
        for k in range(i + 1, j):
            if texts[k] is None:
                texts[k] = ""
    out: list[str] = []
    starts: list[int] = []
    at = 0
    opened = 0  # pages begun whose first line is still to come
    pending = ""
    fenced = False  # inside a code block: lines in a typewriter face, fenced as Markdown's
    for k, s in enumerate(texts):
        if isinstance(s, int):
            if out and not _continues(out[-1], _next_str(texts, k)):
                pending = "\n\n"
            opened += 1
        elif s is None:
            pending = "\n\n" if out else ""
        elif s:
            head = k in heads
            sep = "" if not out else "\n\n" if head else pending or "\n"
            if fenced != (k in code):
                sep = (
                    ("\n```" if fenced else "")
                    + ("\n\n" if out else "")
                    + ("" if fenced else "```\n")
                )
                fenced = not fenced
            elif fenced:
                sep = "\n"
            starts += [at + len(sep) if out else 0] * opened
            opened = 0
            line = "#" * flat[k].heading + " " + s if head else s if fenced else literal(s)
            out.append(sep + line)
            at += len(sep) + len(line)
            pending = "\n\n" if head else ""
    if fenced:
        out.append("\n```")
    starts += [at] * opened
    return "".join(out) + "\n", tuple(starts)


def _next_text(texts: list, i: int) -> int | None:
    """The next line after ``i``, past paragraph breaks and page starts, if any."""
    for j in range(i + 1, len(texts)):
        if isinstance(texts[j], str) and texts[j]:
            return j
    return None


def _next_str(texts: list, k: int) -> str:
    j = _next_text(texts, k)
    return texts[j] if j is not None else ""


def _continues(before: str, after: str) -> bool:
    """A paragraph that runs on from one page to the next."""
    return bool(after) and after[:1].islower() and not _SENTENCE_END.search(before)
