"""Rank chunks for a question: dense (FAISS), sparse (BM25) and their fusion.

Near-duplicate hits (the same paragraph reprinted by several outlets) collapse
into one Passage that lists every other place holding it.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import Settings
from ..index import Index
from ..terms import name_terms, terms
from ..types import Location, Passage

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Hit:
    """A chunk position with its score from one ranking."""

    position: int
    score: float


def dense_search(
    index: Index, query_vec: np.ndarray, n: int, within: np.ndarray | None = None
) -> list[Hit]:
    """Top ``n`` chunks by cosine similarity to ``query_vec``, whatever the vector store.

    ``within``: only these chunk positions (sorted; ``Index.select``).
    """
    return [Hit(position, score) for position, score in index.dense(query_vec, n, within)]


def bm25_search(
    index: Index, query_terms: list[str], n: int, within: np.ndarray | None = None
) -> list[Hit]:
    """Top ``n`` chunks by BM25 over stemmed terms; chunks with no shared term are left out.

    Ties are broken by position, so the order is stable. ``within`` limits the
    search to those chunk positions.
    """
    return [Hit(position, score) for position, score in index.sparse(query_terms, n, within)]


# BM25 scores are divided by their maximum, but never by less than what a term found in this
# share of the passages scores: "What is Foam?" over Foam's docs, where nearly every passage
# says "Foam", has no lexical evidence worth the dense side's.
LEXICAL_FLOOR_SHARE = 0.1


def lexical_floor(n_chunks: int) -> float:
    """BM25's idf of a term in ``LEXICAL_FLOOR_SHARE`` of ``n_chunks`` (in one at least)."""
    df = max(1.0, LEXICAL_FLOOR_SHARE * n_chunks)
    return math.log(1 + (n_chunks - df + 0.5) / (df + 0.5))


def fuse(dense: list[Hit], sparse: list[Hit], settings: Settings, floor: float = 0.0) -> list[Hit]:
    """Combine two rankings by weighted, max-normalised scores plus a reciprocal-rank term.

    Scores are normalised per query (BM25 by its maximum, but by no less than ``floor``;
    cosine as is) so the weights mean the same for every question; the small RRF term
    breaks ties in favour of chunks both rankings agree on.
    """
    total: dict[int, float] = {}
    top_sparse = max(sparse[0].score, floor) if sparse else 1.0
    for rank, hit in enumerate(dense):
        total[hit.position] = total.get(hit.position, 0.0) + settings.dense_weight * (
            max(hit.score, 0.0) + 1.0 / (settings.rrf_k + rank + 1)
        )
    for rank, hit in enumerate(sparse):
        total[hit.position] = total.get(hit.position, 0.0) + settings.bm25_weight * (
            hit.score / top_sparse + 1.0 / (settings.rrf_k + rank + 1)
        )
    weight = settings.dense_weight + settings.bm25_weight
    return sorted((Hit(p, s / weight) for p, s in total.items()), key=lambda h: -h.score)


def rank(
    index: Index,
    query: str,
    query_vec: np.ndarray | None,
    settings: Settings,
    mode: Mode = "hybrid",
    within: np.ndarray | None = None,
) -> list[Hit]:
    """All candidate chunks for ``query``, best first, by the chosen retriever.

    ``within``: only these chunk positions (a filter, ``Index.select``).
    """
    depth = settings.candidates
    query_terms = terms(query)
    dense = dense_search(index, query_vec, depth, within) if mode != "bm25" else []
    sparse = bm25_search(index, query_terms, depth, within) if mode != "dense" else []
    if mode == "dense":
        return dense
    if mode == "bm25":
        return sparse
    dense = _by_sentence(index, dense, query_vec, settings.sentence_share)
    fused = fuse(dense, sparse, settings, lexical_floor(len(index.chunks)))
    fused = with_option_entries(index, query_terms, fused, within)
    return with_named_passages(index, named_terms(query, query_terms), fused, within)


# An option's entry can stand far down a long manual page, below passages that only mention
# the option ("What does tar's -C option do?": its entry ranked 26th): the entries whose
# heading names an option the question names are brought within the top PASSAGE_DEPTH, at
# most ENTRIES_KEPT of them.
# Words that say a term is an option, not what it is an option of ("grep's -v option").
_OPTION_WORDS = frozenset(terms("option flag switch argument parameter"))
PASSAGE_DEPTH = 20  # sentences of this many top passages are the answer's candidates
ENTRIES_KEPT = 4


def with_option_entries(
    index: Index, query_terms: list[str], hits: list[Hit], within: np.ndarray | None = None
) -> list[Hit]:
    """``hits`` with the entries of the options among ``query_terms`` (``terms`` keeps them
    as written) among the first ``PASSAGE_DEPTH``, each with the score of the hit it
    displaces (or its own, if lower)."""
    named = [t for t in query_terms if t.startswith("-")]
    if not named:
        return hits
    wanted: dict[int, frozenset[str]] = {}
    for option in named:
        for position, above in index.option_entries(option):
            if within is None or _holds(within, position):
                wanted.setdefault(position, above)
    # Of many entries named alike (-v in every manual), those whose page's name and the
    # headings above them name the most of what the question names besides the option:
    # "grep -v" the grep page's; "diff's -q option" the entry under "Options to diff" in a
    # manual of several programs, not grep's under "Command-line Options". Then those
    # retrieval ranks highest.
    asked = set(query_terms).difference(_OPTION_WORDS, *(terms(option) for option in named))
    naming = {
        p: len(asked & (name_terms(index.chunks[p].source) | above))
        for p, above in wanted.items()
    }
    most = max(naming.values(), default=0)
    rank_of = {h.position: i for i, h in enumerate(hits)}
    best = [p for p in wanted if naming[p] == most]
    return _brought(hits, sorted(best, key=lambda p: rank_of.get(p, len(hits))))


# A name spelled with digits and letters or dots ("X3F", "12.x", "1.0.1g"; not "1990s" or
# "2nd"), or in capitals ("PES"), stands in few passages, and BM25 adds it to the question's
# common words like any other term: a long table's row naming it ranked below passages of
# "supported image formats".
_NAME_TERM = re.compile(r"(?=[\w.]*\d)(?=[\w.]*[^\W\d_.]|\d+\.)(?!\d+(?:st|nd|rd|th|s)$)[\w.]+")
_CAPITALS = re.compile(r"\b[A-Z][A-Z\d]+\b")


def named_terms(query: str, query_terms: list[str] | None = None) -> list[str]:
    """The terms of the names ``query`` (its ``terms``: ``query_terms``) spells with digits
    or in capitals (not where it is all capitals), once each."""
    query_terms = terms(query) if query_terms is None else query_terms
    named = [t for t in query_terms if _NAME_TERM.fullmatch(t)]
    if any(ch.islower() for ch in query):
        named += [t for name in _CAPITALS.findall(query) for t in terms(name)]
    return list(dict.fromkeys(named))


def with_named_passages(
    index: Index, named: list[str], hits: list[Hit], within: np.ndarray | None = None
) -> list[Hit]:
    """``hits`` with the passages that best match the ``named`` terms (``named_terms``; by
    BM25 over them alone) among the first ``PASSAGE_DEPTH``, at most ``ENTRIES_KEPT``: the
    answer stage quotes a sentence that names them where one does."""
    if not named:
        return hits
    found = index.sparse(named, ENTRIES_KEPT, within)
    return _brought(hits, [p for p, _ in found])


def _brought(hits: list[Hit], wanted: list[int]) -> list[Hit]:
    """``hits`` with the first ``ENTRIES_KEPT`` of ``wanted`` that rank below
    ``PASSAGE_DEPTH`` moved to its last places, each with the score of the hit it
    displaces (or its own, if lower)."""
    rank_of = {h.position: i for i, h in enumerate(hits)}
    missing = [p for p in wanted if rank_of.get(p, PASSAGE_DEPTH) >= PASSAGE_DEPTH]
    missing = missing[:ENTRIES_KEPT]
    if not missing:
        return hits
    others = [h for h in hits if h.position not in missing]
    head, rest = others[: PASSAGE_DEPTH - len(missing)], others[PASSAGE_DEPTH - len(missing) :]
    floor = head[-1].score if head else 0.0
    brought = [Hit(p, min(hits[rank_of[p]].score, floor) if p in rank_of else floor) for p in missing]
    return head + brought + rest


def _holds(within: np.ndarray, position: int) -> bool:
    i = int(np.searchsorted(within, position))
    return i < len(within) and int(within[i]) == position


def _by_sentence(index: Index, hits: list[Hit], query_vec: np.ndarray, share: float) -> list[Hit]:
    """Dense hits rescored by their best-matching sentence, in part (``share``) or whole.

    A chunk's vector averages all it says; the one sentence a question is about
    matches it more sharply (on SQuAD's first 12 articles: R@1 0.811 -> 0.823).
    """
    if share <= 0 or not hits:
        return hits
    sims = index.sentence_sims([h.position for h in hits], query_vec)
    out = [
        Hit(h.position, (1 - share) * h.score + share * (float(s.max()) if len(s) else h.score))
        for h, s in zip(hits, sims)
    ]
    return sorted(out, key=lambda h: -h.score)


def to_passages(index: Index, hits: list[Hit], k: int, settings: Settings) -> list[Passage]:
    """The top ``k`` distinct passages, each near-duplicate folded into ``also_in``."""
    if not hits:
        return []
    # One gather and one product compare every hit with every other.
    positions = [h.position for h in hits]
    vecs = np.asarray(index.chunk_vecs[positions], dtype=np.float32)
    near = vecs @ vecs.T >= settings.dedup_threshold
    # The same words (case and spacing aside) make twins too, whatever the threshold.
    keys = [index.text_hash(p) for p in positions]
    kept: list[int] = []  # indices into hits
    also: dict[int, list[Location]] = {}
    for i, hit in enumerate(hits):
        twin = next(
            (
                j
                for j in kept
                if near[i, j]
                or (keys[i] == keys[j] and index.same_text(positions[j], positions[i]))
            ),
            None,
        )
        if twin is not None:
            if index.chunks[hits[twin].position].source != index.chunks[hit.position].source:
                also[twin].append(_location(index, hit.position))
            continue
        if len(kept) == k:
            # Only hits that could still be someone's twin are worth looking at.
            if hit.score < hits[kept[-1]].score * 0.5:
                break
            continue
        kept.append(i)
        also[i] = []
    return [_passage(index, hits[i], also[i]) for i in kept]


def _location(index: Index, position: int) -> Location:
    chunk = index.chunks[position]
    return index.location(chunk.source, chunk.start, chunk.end)


def _passage(index: Index, hit: Hit, also: list[Location]) -> Passage:
    chunk = index.chunks[hit.position]
    title, date = index.title_date(chunk.source)
    unique = {(loc.source, loc.start): loc for loc in also}
    page, section = index.place(chunk.source, chunk.start)
    return Passage(
        chunk_id=chunk.chunk_id,
        source=chunk.source,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        score=round(hit.score, 6),
        title=title,
        date=date,
        sentences=chunk.sentences,
        also_in=tuple(unique.values()),
        page=page,
        section=section,
    )
