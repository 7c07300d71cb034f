"""BM25 over stemmed terms, kept in segments so that an update adds to it instead of rebuilding.

A generation's ``bm25-G/`` folder holds one main segment, a few small delta segments
(one per update) and tombstones (the rows deleted since the main segment was built,
with the document frequencies they took with them). An update writes one delta
segment and the tombstones and hard-links the unchanged segment files into the new
folder, so it costs what the changed file costs, not what the corpus costs. When the
deltas or tombstones grow past a share of the main segment, the segments are merged
from their postings (no re-tokenising).

Scores are Lucene's BM25 as bm25s computes it (``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``,
``tf / (tf + k1 (1 - b + b dl / avgdl))``), with N, df and avgdl taken over the live
documents of all segments at query time: results equal a full rebuild's, whatever
the segments. Terms are keyed by a 64-bit hash (two of a million terms share one
with odds of about 1 in 30 million) so that segments need no shared vocabulary
and open as memory-mapped arrays.

The top ``n`` are found term at a time with MaxScore pruning: rare terms (highest
upper bound first) gather candidates; once the ``n``-th best candidate scores more
than all remaining terms could add, those terms only add to existing candidates
(a mask over their postings, no new candidates to collect), so common terms cost little.
The loops over postings are compiled with numba (``bm25_kernels``), numpy where it is missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bm25_kernels import (
    NORM,
    SCORE,
    add_to_candidates,
    find_keys,
    gather,
    n_above,
    reset,
    take_top,
)

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75  # bm25s's defaults
FORMAT = 1
MAX_DELTAS = 8  # more delta segments than this are merged into the main one
MERGE_SHARE = 0.1  # ... as are deltas or tombstones above this share of the main segment
_ARRAYS = ("keys", "indptr", "docs", "tfs", "maxtf", "mindl", "rows", "lengths")


def term_keys(terms: Sequence[str]) -> np.ndarray:
    """The 64-bit keys of ``terms``, as segments store them."""
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
            for t in terms
        ),
        dtype=np.uint64,
        count=len(terms),
    )


@dataclass
class Segment:
    """Postings of some documents: per term (sorted by key) the documents and term counts."""

    name: str
    keys: np.ndarray  # (V,) uint64, sorted
    indptr: np.ndarray  # (V + 1,) int64: term i's postings are [indptr[i], indptr[i+1])
    docs: np.ndarray  # (P,) int32: local document, ascending within a term
    tfs: np.ndarray  # (P,) uint16: the term's count in that document
    maxtf: np.ndarray  # (V,) uint16: largest count of the term, for its score's upper bound
    mindl: np.ndarray  # (V,) int32: shortest document holding the term, likewise
    rows: np.ndarray  # (D,) int64: each local document's row id, ascending
    lengths: np.ndarray  # (D,) int32: each document's term count
    folder: Path | None = None  # where its files are, once saved or opened

    @classmethod
    def from_postings(
        cls,
        name: str,
        keys: np.ndarray,
        docs: np.ndarray,
        tfs: np.ndarray,
        rows: np.ndarray,
        lengths: np.ndarray,
    ) -> Segment:
        """A segment from postings sorted by (key, doc)."""
        ukeys, starts = np.unique(keys, return_index=True)
        indptr = np.append(starts, len(keys)).astype(np.int64)
        docs = docs.astype(np.int32)
        tfs = np.minimum(tfs, np.iinfo(np.uint16).max).astype(np.uint16)
        maxtf = np.maximum.reduceat(tfs, starts) if len(keys) else np.zeros(0, np.uint16)
        dl = lengths[docs]
        mindl = np.minimum.reduceat(dl, starts) if len(keys) else np.zeros(0, np.int32)
        return cls(
            name,
            ukeys.astype(np.uint64),
            indptr,
            docs,
            tfs,
            maxtf.astype(np.uint16),
            mindl.astype(np.int32),
            rows.astype(np.int64),
            lengths.astype(np.int32),
        )

    @classmethod
    def from_ids(
        cls,
        name: str,
        rows: np.ndarray,
        lengths: np.ndarray,
        token_ids: np.ndarray,
        id_keys: np.ndarray,
    ) -> Segment:
        """A segment from documents given as runs of token ids (``lengths`` per document)."""
        rows = np.asarray(rows, np.int64)
        lengths = np.asarray(lengths, np.int64)
        n = len(rows)
        order = np.argsort(rows, kind="stable")
        local = np.empty(n, np.int64)
        local[order] = np.arange(n)
        ukeys, rank = np.unique(np.asarray(id_keys, np.uint64), return_inverse=True)
        # One int64 per token, term-major, so a single sort yields the postings in order.
        combined = rank[np.asarray(token_ids, np.int64)] * max(n, 1) + np.repeat(local, lengths)
        pairs, tfs = np.unique(combined, return_counts=True)
        term, doc = np.divmod(pairs, max(n, 1))
        return cls.from_postings(name, ukeys[term], doc, tfs, rows[order], lengths[order])

    @classmethod
    def from_terms(cls, name: str, rows: np.ndarray, docs_terms: Sequence[list[str]]) -> Segment:
        """A segment from each document's terms."""
        vocab: dict[str, int] = {}
        ids: list[int] = []
        lengths = np.zeros(len(docs_terms), np.int64)
        for i, doc in enumerate(docs_terms):
            lengths[i] = len(doc)
            ids.extend(vocab.setdefault(t, len(vocab)) for t in doc)
        token_ids = np.asarray(ids, np.int64)
        return cls.from_ids(name, rows, lengths, token_ids, term_keys(list(vocab)))

    def save(self, folder: Path) -> None:
        """Write the segment to ``folder``, or hard-link the files it was read from."""
        folder.mkdir(parents=True)
        for name in _ARRAYS:
            target = folder / f"{name}.npy"
            if self.folder is not None:
                _link_or_copy(self.folder / f"{name}.npy", target)
            else:
                np.save(target, getattr(self, name), allow_pickle=False)
        self.folder = folder

    @classmethod
    def open(cls, folder: Path) -> Segment:
        # Memory-mapped, as plain arrays over the mapping: np.memmap's own indexing costs
        # microseconds a call, and a question reads a few spans of several arrays per term.
        arrays = {
            name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in _ARRAYS
        }
        return cls(folder.name, folder=folder, **arrays)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(src, dst)


@dataclass(frozen=True)
class _Term:
    weight: float  # idf times how often the query names the term
    bound: float  # the most it can add to one document's score
    spans: tuple[tuple[int, int, int], ...]  # (segment, start, end) of its postings


class LexicalIndex:
    """BM25 over segments with tombstones; see the module's docstring."""

    def __init__(
        self,
        segments: list[Segment],
        dead_rows: np.ndarray,
        dead_keys: np.ndarray,
        dead_df: np.ndarray,
        next_segment: int,
    ) -> None:
        self.segments = segments
        self.dead_rows = np.asarray(dead_rows, np.int64)  # sorted
        self.dead_keys = np.asarray(dead_keys, np.uint64)  # sorted
        self.dead_df = np.asarray(dead_df, np.int64)
        self.next_segment = next_segment
        self._offsets = np.cumsum([0] + [len(s.rows) for s in segments])
        self.rows = (
            np.concatenate([s.rows for s in segments]) if segments else np.zeros(0, np.int64)
        )
        self.alive = ~np.isin(self.rows, self.dead_rows)
        lengths = (
            np.concatenate([s.lengths for s in segments]) if segments else np.zeros(0, np.int32)
        )
        self.n_docs = int(self.alive.sum())
        self.total_length = int(lengths[self.alive].sum(dtype=np.int64))
        avgdl = self.total_length / max(self.n_docs, 1) or 1.0
        # The length part of each document's score, fixed for a generation.
        self._norm = (K1 * (1 - B + B * lengths / avgdl)).astype(np.float32)
        self._avgdl = avgdl
        self._scratch = threading.local()

    # -- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, rows: np.ndarray, docs_terms: Sequence[list[str]]) -> LexicalIndex:
        """One main segment over all documents."""
        empty = np.zeros(0, np.int64)
        return cls([Segment.from_terms("seg-0", rows, docs_terms)], empty, empty, empty, 1)

    def updated(
        self,
        add_rows: np.ndarray,
        add_terms: Sequence[list[str]],
        remove_rows: np.ndarray,
        removed_terms: Sequence[list[str]],
    ) -> LexicalIndex:
        """This index with documents added (a new delta segment) and removed (tombstones).

        ``removed_terms`` are the removed documents' terms, whose document
        frequencies the tombstones take away. Merges when the deltas grow large.
        """
        segments = list(self.segments)
        if len(add_rows):
            segments.append(Segment.from_terms(f"seg-{self.next_segment}", add_rows, add_terms))
        keys = term_keys([t for doc in removed_terms for t in set(doc)])
        old = dict(zip(self.dead_keys.tolist(), self.dead_df.tolist()))
        for key, count in Counter(keys.tolist()).items():
            old[key] = old.get(key, 0) + count
        dead_keys = np.asarray(sorted(old), np.uint64)
        dead_df = np.asarray([old[k] for k in dead_keys.tolist()], np.int64)
        dead_rows = np.union1d(self.dead_rows, np.asarray(remove_rows, np.int64))
        out = LexicalIndex(segments, dead_rows, dead_keys, dead_df, self.next_segment + 1)
        main = len(segments[0].rows) if segments else 0
        delta = sum(len(s.rows) for s in segments[1:])
        if len(segments) > 1 + MAX_DELTAS or max(delta, len(dead_rows)) > MERGE_SHARE * main:
            return out.merged()
        return out

    def merged(self) -> LexicalIndex:
        """All live documents in one segment, built from the segments' postings."""
        keys, rows, tfs, lengths, doc_rows = [], [], [], [], []
        for seg, at in zip(self.segments, self._offsets):
            alive = self.alive[at : at + len(seg.rows)]
            counts = np.diff(np.asarray(seg.indptr))
            term = np.repeat(np.arange(len(seg.keys)), counts)
            docs = np.asarray(seg.docs)
            keep = alive[docs]
            keys.append(seg.keys[term[keep]])
            rows.append(seg.rows[docs[keep]])
            tfs.append(np.asarray(seg.tfs)[keep])
            doc_rows.append(seg.rows[alive])
            lengths.append(seg.lengths[alive])
        all_rows = np.concatenate(doc_rows)
        order = np.argsort(all_rows)
        all_rows, all_lengths = all_rows[order], np.concatenate(lengths)[order]
        keys_p = np.concatenate(keys)
        docs_p = np.searchsorted(all_rows, np.concatenate(rows))
        sort = np.lexsort((docs_p, keys_p))
        segment = Segment.from_postings(
            f"seg-{self.next_segment}",
            keys_p[sort],
            docs_p[sort],
            np.concatenate(tfs)[sort],
            all_rows,
            all_lengths,
        )
        empty = np.zeros(0, np.int64)
        return LexicalIndex([segment], empty, empty, empty, self.next_segment + 1)

    # -- files ----------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write to ``folder`` (new); segments read from disk are hard-linked, not copied."""
        folder.mkdir(parents=True)
        for seg in self.segments:
            seg.save(folder / seg.name)
        np.save(folder / "dead_rows.npy", self.dead_rows, allow_pickle=False)
        np.save(folder / "dead_keys.npy", self.dead_keys, allow_pickle=False)
        np.save(folder / "dead_df.npy", self.dead_df, allow_pickle=False)
        meta = {
            "format": FORMAT,
            "k1": K1,
            "b": B,
            "segments": [s.name for s in self.segments],
            "next_segment": self.next_segment,
            "documents": self.n_docs,
        }
        (folder / "segments.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def open(cls, folder: Path) -> LexicalIndex:
        """Open a saved index, postings memory-mapped.

        Raises:
            ValueError: the folder is not a lexical index of this format.
        """
        meta = json.loads((folder / "segments.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"BM25 format {meta.get('format')} is not {FORMAT}")
        segments = [Segment.open(folder / name) for name in meta["segments"]]
        dead = [np.load(folder / f"{n}.npy", allow_pickle=False) for n in _DEAD]
        out = cls(segments, *dead, int(meta["next_segment"]))
        if out.n_docs != meta["documents"]:
            raise ValueError("BM25 segments and tombstones disagree")
        return out

    # -- reading --------------------------------------------------------------------------

    def doc_freq(self, term: str) -> int:
        """How many live documents hold ``term``."""
        hits, dead = self._find(term_keys([term]))
        return sum(end - start for _, _, start, end in hits[0]) - dead[0]

    def _find(self, keys: np.ndarray) -> tuple[list[list[tuple[int, int, int, int]]], list[int]]:
        """Per key: (segment, the term's index there, start, end of its postings) for each
        segment holding it, and how many of its documents the tombstones took away."""
        hits: list[list[tuple[int, int, int, int]]] = [[] for _ in range(len(keys))]
        for s, seg in enumerate(self.segments):  # one compiled look-up per segment
            indptr = seg.indptr
            for k, i in enumerate(find_keys(seg.keys, keys).tolist()):
                if i >= 0:
                    hits[k].append((s, i, int(indptr[i]), int(indptr[i + 1])))
        gone = find_keys(self.dead_keys, keys).tolist()
        return hits, [int(self.dead_df[i]) if i >= 0 else 0 for i in gone]

    def _terms(self, query_terms: Sequence[str], avgdl: float) -> list[_Term]:
        counts = Counter(query_terms)
        found, dead = self._find(term_keys(list(counts)))
        out = []
        for hits, gone, times in zip(found, dead, counts.values()):
            df = sum(end - start for _, _, start, end in hits) - gone
            if df <= 0:
                continue
            bound = 0.0
            for s, i, _, _ in hits:
                seg = self.segments[s]
                tf = float(seg.maxtf[i])
                bound = max(bound, tf / (tf + K1 * (1 - B + B * float(seg.mindl[i]) / avgdl)))
            idf = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))
            spans = tuple((s, start, end) for s, _, start, end in hits)
            out.append(_Term(times * idf, times * idf * bound, spans))
        return sorted(out, key=lambda t: -t.bound)

    def _postings(self, s: int, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Segment ``s``'s postings ``[start, end)``: local documents and term counts."""
        seg = self.segments[s]
        return seg.docs[start:end], seg.tfs[start:end]

    def _gather(
        self, term: _Term, table: np.ndarray, mask: np.ndarray | None, found: np.ndarray, count: int
    ) -> int:
        """Add ``term``'s score to the documents ``mask`` keeps, appending the new candidates
        to ``found[count:]``; returns the new count."""
        for s, a, b in term.spans:
            docs, tfs = self._postings(s, a, b)
            count = gather(docs, tfs, self._offsets[s], term.weight, table, mask, found, count)
        return count

    def _add_to(self, term: _Term, table: np.ndarray) -> None:
        """Add ``term``'s score to the candidates that hold it."""
        for s, a, b in term.spans:
            add_to_candidates(*self._postings(s, a, b), self._offsets[s], term.weight, table)

    def _buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """This thread's table of scores and norms (``bm25_kernels``; scores 0, -inf for dead
        documents, between searches) and room for the candidates' keys."""
        table = getattr(self._scratch, "table", None)
        if table is None:
            # float32 scores, as bm25s's (1M passages, p50: 0.53 ms, float64 0.78 ms), each
            # beside its norm, read with it (benchmarks/scale.py: 0.52 ms, apart 0.72 ms); a
            # dead document's -inf spares every posting an `alive` look-up.
            table = np.zeros((int(self._offsets[-1]), 2), np.float32)
            table[:, NORM] = self._norm
            table[~self.alive, SCORE] = -np.inf
            self._scratch.table = table
            self._scratch.found = np.zeros(len(table), np.int64)
        return table, self._scratch.found

    def search(
        self, query_terms: Sequence[str], n: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and BM25 scores of the top ``n`` live documents sharing a term with the
        query (a query term named twice counts twice, as in bm25s); ties beyond the
        ``n``-th are cut arbitrarily, so ask for a few more than you keep. ``rows``
        limits the search to those documents (scores stay the whole corpus's)."""
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float64))
        if n <= 0 or self.n_docs == 0 or not query_terms:
            return empty
        terms = self._terms(query_terms, self._avgdl)
        if not terms:
            return empty
        bounds = [t.bound for t in terms]
        rest = np.cumsum(bounds[::-1])[::-1]  # what terms i.. can still add
        done = np.cumsum([0.0, *bounds])  # the most terms ..i-1 can have given a candidate
        mask = None if rows is None else np.isin(self.rows, rows)
        table, found = self._buffers()
        count = 0
        i = 0
        try:
            while i < len(terms):
                # No document outside the candidates can reach the top n once n of them score
                # more than the terms left could give one (which takes more than done[i]).
                if count >= n and done[i] > rest[i] and n_above(table, found, count, n, rest[i]):
                    break
                count = self._gather(terms[i], table, mask, found, count)
                i += 1
            for term in terms[i:]:
                self._add_to(term, table)
        except BaseException:
            reset(table, found, count)
            raise
        cand, score = take_top(table, found, count, n)  # and the scores back to 0
        order = np.argsort(-score, kind="stable")
        return self.rows[cand[order]], score[order]


_DEAD = ("dead_rows", "dead_keys", "dead_df")
