"""The open index: chunks, vectors and BM25 as retrieval and answering read them."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mmap
import threading
import time
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ..config import Settings
from ..errors import IndexCorruptError
from ..ingest.clean import SECTION_SEP, section_at, section_entry
from ..ingest.tables import tables_of
from ..retrieve.filters import Filters, select
from ..terms import options, terms
from ..types import Chunk, Document, Location, SkippedFile, Span
from .bm25 import LexicalIndex
from .manifest import FORMAT_VERSION, DocInfo, _verify, read_manifest
from .store import FaissStore, StoreInfo, VectorStore, open_store, subset_store

log = logging.getLogger(__name__)

SELECTIONS_KEPT = 16  # filters whose chunk positions an open index remembers
# Filters whose passages an open index keeps as 8-bit codes (each at most
# filter_exact_max x dim bytes: 7.5 MiB at 20,000 passages of 384 dimensions).
SUBSETS_KEPT = 8


@dataclass
class Index:
    """An open index: everything retrieval and answering read, in memory or mapped."""

    dir: Path
    manifest: dict
    chunks: list[Chunk]
    raws: list[str]  # each chunk's original text, doc.text[chunk.start:chunk.end]
    docs: dict[str, DocInfo]
    store: VectorStore
    rows: np.ndarray  # (n_chunks,) int64: chunk i's row id in the vector store
    chunk_vecs: np.ndarray  # (n_chunks, dim) float16, unit length, memory-mapped
    sentence_rows: np.ndarray  # (n_chunks + 1,): chunk i's sentence vectors are rows [i, i+1)
    sentence_vectors: np.ndarray  # (n_sentences, dim) float16, unit length, memory-mapped
    lexical: LexicalIndex | None  # None: written by an older askseeds; sync rebuilds it
    skipped: tuple[SkippedFile, ...] = ()
    changes: dict = field(default_factory=dict)
    # Per source: "pages" (PDF page starts), "sections" ([offset, heading path]) and, for a
    # converted file (PDF, HTML, DOCX), "text": the extracted text citations point into.
    outlines: dict[str, dict] = field(default_factory=dict)

    # Filters over at most this many chunks are searched exactly (Settings.filter_exact_max).
    filter_exact_max: int = 20_000

    def __post_init__(self) -> None:
        top = int(self.rows.max()) + 1 if len(self.rows) else 0
        self._position_of_row = np.full(top, -1, dtype=np.int64)
        self._position_of_row[self.rows] = np.arange(len(self.rows))
        self._text_hashes: dict[int, int] = {}
        self._headings: dict[str, list[tuple[int, int]]] = {}
        self._sims = threading.local()  # the last question's sentence cosines, per thread

    def same_text(self, a: int, b: int) -> bool:
        """Chunks ``a`` and ``b`` say the same words, case and spacing aside."""
        return a == b or (
            self.text_hash(a) == self.text_hash(b) and self._text_key(a) == self._text_key(b)
        )

    def text_hash(self, position: int) -> int:
        """A hash of chunk ``position``'s words, case and spacing aside (see ``same_text``)."""
        # Hashes only: a copy of every chunk's text would double what the index holds.
        h = self._text_hashes.get(position)
        if h is None:
            h = self._text_hashes[position] = hash(self._text_key(position))
        return h

    def _text_key(self, position: int) -> str:
        return " ".join(self.chunks[position].text.lower().split())

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Chunk positions of store row ids; -1 for rows this generation does not hold."""
        rows = np.asarray(rows, dtype=np.int64)
        inside = (rows >= 0) & (rows < len(self._position_of_row))
        out = np.full(rows.shape, -1, dtype=np.int64)
        out[inside] = self._position_of_row[rows[inside]]
        return out

    def select(self, filters: Filters) -> np.ndarray:
        """Sorted positions of the chunks of the documents ``filters`` keeps (cached).

        Raises:
            FilterError: a source pattern matches no document, or no document is kept.
        """
        cache = self.__dict__.setdefault("_selections", {})
        if filters not in cache:
            names = sorted(self.docs)
            number = {name: i for i, name in enumerate(names)}
            if "_chunk_sources" not in self.__dict__:
                self._chunk_sources = np.fromiter(
                    (number[c.source] for c in self.chunks), dtype=np.int64, count=len(self.chunks)
                )
            dates = {name: self.docs[name].date for name in names}
            if len(cache) >= SELECTIONS_KEPT:
                cache.pop(next(iter(cache)))
            cache[filters] = select(filters, self._chunk_sources, names, dates)
        return cache[filters]

    def dense(
        self, query_vec: np.ndarray, n: int, within: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``n`` (position, cosine) pairs for a unit query vector.

        The store proposes candidates; they are scored again with the float16 copy
        kept beside the chunks, so FAISS (exact or quantised) and Milvus give the
        same scores for the same chunk, and an approximate store's quantisation
        error never reaches the ranking.

        ``within`` (sorted positions, from ``select``) limits the search to those
        chunks. Up to ``filter_exact_max`` of them are scanned in full, whatever the
        store: their stored vectors as 8-bit codes in a small in-memory FAISS index
        (``subset_store``, built on a filter's first question and kept for the next
        ones), whose candidates are then rescored exactly like any others. More are
        searched by the store with the filter applied inside its search (FAISS's ID
        selector, Milvus's filter expression). Never by filtering an unfiltered top.
        """
        n = min(n, len(self.chunks) if within is None else len(within))
        if n <= 0:
            return []
        q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        # Headroom for rows the manifest no longer names and for quantisation swaps.
        depth = min(2 * n + 10, len(self.chunks) + 16)
        if within is not None and len(within) <= self.filter_exact_max:
            _, ids = self._subset(within).search(q.reshape(1, -1), depth)
            pos = np.unique(ids[0][ids[0] >= 0])  # the subset's ids are chunk positions
        else:
            rows = None if within is None else self.rows[within]
            _, ids = self.store.search(q.reshape(1, -1), depth, rows)
            pos = np.unique(self.positions(ids[0]))
            pos = pos[pos >= 0]
        if not len(pos):
            return []
        scores = np.asarray(self.chunk_vecs[pos], dtype=np.float32) @ q
        order = np.lexsort((pos, -scores))[:n]
        return [(int(pos[i]), float(scores[i])) for i in order]

    def sparse(
        self, query_terms: list[str], n: int, within: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``n`` (position, BM25 score) pairs for stemmed ``query_terms``, ties by position;
        chunks sharing no term with the query are left out. ``within`` (sorted positions)
        limits the search to those chunks, inside the search.

        From the vector store where it searches terms itself (Milvus with BM25
        functions), else from the local segments; both score as bm25s does.
        """
        n = min(n, len(self.chunks) if within is None else len(within))
        if n <= 0:
            return []
        allowed = None if within is None else self.rows[within]
        # Headroom so that ties at the n-th score are broken by position, not by chance,
        # and for rows the manifest no longer names (Milvus).
        if self.store.searches_text():
            scores, rows = self.store.text_search(query_terms, n + 16, allowed)
        elif self.lexical is not None:
            rows, scores = self.lexical.search(query_terms, n + 16, allowed)
        else:
            return []
        pos = self.positions(rows)
        keep = (pos >= 0) & (scores > 0)
        pos, scores = pos[keep], scores[keep]
        order = np.lexsort((pos, -np.round(scores, 9)))[:n]
        return [(int(pos[i]), float(scores[i])) for i in order]

    def _subset(self, within: np.ndarray) -> FaissStore:
        """The in-memory store over the chunks ``within`` (cached for the last few filters)."""
        cache = self.__dict__.setdefault("_subsets", {})
        key = hashlib.blake2b(np.ascontiguousarray(within).tobytes(), digest_size=16).digest()
        store = cache.pop(key, None)  # popped and put back: the newest stay
        if store is None:
            store = subset_store(np.asarray(self.chunk_vecs[within], dtype=np.float32), within)
            if len(cache) >= SUBSETS_KEPT:
                cache.pop(next(iter(cache)))
        cache[key] = store
        return store

    def original(self, position: int, start: int, end: int) -> str:
        """The source file's text at ``[start, end)``, a range inside chunk ``position``."""
        chunk = self.chunks[position]
        return self.raws[position][start - chunk.start : end - chunk.start]

    def title_date(self, source: str) -> tuple[str | None, str | None]:
        """The title and date of document ``source`` (None where unknown)."""
        doc = self.docs.get(source)
        return (doc.title, doc.date) if doc else (None, None)

    def place(self, source: str, offset: int) -> tuple[int | None, str | None]:
        """The 1-based page (PDF) and the heading path at ``offset`` of ``source``."""
        outline = self.outlines.get(source) or {}
        pages = outline.get("pages") or ()
        page = bisect_right(pages, offset) or None if pages else None
        return page, section_at(outline.get("sections") or (), offset)

    def section(self, source: str, offset: int) -> tuple[int, str] | None:
        """The ``(heading offset, heading path)`` over ``offset`` of ``source``, or None."""
        return section_entry((self.outlines.get(source) or {}).get("sections") or (), offset)

    def section_span(self, source: str, offset: int) -> tuple[int, int]:
        """Where the section holding ``offset`` of ``source`` starts and where the next one
        does: from its heading to the next heading, of any level (``(0, inf)`` in a document
        without headings)."""
        sections = (self.outlines.get(source) or {}).get("sections") or ()
        i = bisect_right(sections, offset, key=lambda item: item[0])
        return (sections[i - 1][0] if i else 0), (sections[i][0] if i < len(sections) else math.inf)

    def is_heading(self, source: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` of ``source`` lies in a heading standing alone (never
        quoted): a heading of two sentences, as an FAQ's question can be, is one."""
        spans = self._headings.get(source)
        if spans is None:
            found = (self.outlines.get(source) or {}).get("headings") or ()
            spans = self._headings[source] = sorted((a, b) for a, b in found)
        i = bisect_right(spans, (start, float("inf"))) - 1
        return i >= 0 and spans[i][0] <= start and end <= spans[i][1]

    def table_header(self, source: str, offset: int) -> tuple[str, ...] | None:
        """The header of the table whose rows hold ``offset`` of ``source``, or None where
        ``offset`` is in no row under a header."""
        tables = (self.outlines.get(source) or {}).get("tables") or ()
        i = bisect_right(tables, offset, key=lambda t: t[0]) - 1
        return tuple(tables[i][2]) if i >= 0 and offset < tables[i][1] else None

    def positions_of(self, source: str) -> list[int]:
        """The positions of ``source``'s chunks, in order."""
        return self._positions_by_source.get(source, [])

    @cached_property
    def _positions_by_source(self) -> dict[str, list[int]]:
        by_source: dict[str, list[int]] = {}
        for position, chunk in enumerate(self.chunks):
            by_source.setdefault(chunk.source, []).append(position)
        return by_source

    def option_entries(self, option: str) -> list[tuple[int, frozenset[str]]]:
        """The entries whose heading names the command-line ``option`` ("-C" of "-C,
        --directory=DIR"), as written: each the position of the chunk holding the most of
        what follows its heading, and the terms of the headings above it ("Options to
        'diff'"). Headings are read for this once, on first use."""
        entries = self.__dict__.get("_option_entries")
        if entries is None:
            entries = {}
            for source, outline in self.outlines.items():
                for offset, path in outline.get("sections") or ():
                    above, _, heading = path.rpartition(SECTION_SEP)
                    named = options(heading)
                    if not named:
                        continue
                    holding = [
                        p for p in self.positions_of(source)
                        if self.chunks[p].start <= offset < self.chunks[p].end
                    ]  # fmt: skip
                    if holding:
                        best = max(holding, key=lambda p: self.chunks[p].end)
                        above_terms = frozenset(terms(above))
                        for name in dict.fromkeys(named):
                            entries.setdefault(name, []).append((best, above_terms))
            self._option_entries = entries
        return entries.get(option, [])

    def stored_text(self, source: str) -> str | None:
        """The extracted text of a converted file; None for a text file (read the file)."""
        return (self.outlines.get(source) or {}).get("text")

    def location(self, source: str, start: int, end: int) -> Location:
        """A span of ``source`` with the document's title and date."""
        return Location(source, start, end, *self.title_date(source))

    def sentence_sims(self, positions: Sequence[int], query_vec: np.ndarray) -> list[np.ndarray]:
        """Per chunk in ``positions``, the cosine of each of its sentences with ``query_vec``.

        One gather and one product for all chunks (a question's 50 candidate
        chunks hold ~250 sentences) rather than a small product per chunk. Ranking and
        answering both ask this of one question's vector, mostly of the same chunks: what
        was computed for the last vector this thread passed is kept.
        """
        if not len(positions):
            return []
        memo = self._sims
        if getattr(memo, "vec", None) is not query_vec:
            memo.vec, memo.known = query_vec, {}
        known: dict[int, np.ndarray] = memo.known
        missing = [p for p in positions if p not in known]
        if missing:
            at = np.asarray(missing)
            starts, ends = self.sentence_rows[at], self.sentence_rows[at + 1]
            rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])
            q = np.asarray(query_vec, dtype=np.float32).reshape(-1)
            sims = self.sentence_vectors[rows].astype(np.float32) @ q
            known.update(zip(missing, np.split(sims, np.cumsum(ends - starts)[:-1])))
        return [known[p] for p in positions]


def open_index(index_dir: Path, verify: bool = True, settings: Settings | None = None) -> Index:
    """Open the index a manifest names, checking every artefact's size and checksum.

    Args:
        index_dir: the folder holding ``manifest.json``.
        verify: check artefacts against the manifest (``False`` right after writing them).
        settings: only the vector store's connection settings (Milvus token) are read.

    Raises:
        IndexCorruptError: an artefact is missing, truncated or altered.
    """
    settings = settings or Settings()
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexCorruptError(f"no index in {index_dir}; build one with `askseeds index`")
    if manifest.get("format") != FORMAT_VERSION or "store" not in manifest:
        raise IndexCorruptError(f"index in {index_dir} has an old format; rebuild it")
    names = manifest["artifacts"]
    if verify:
        t0 = time.perf_counter()
        _verify(index_dir, manifest, settings.verify_full_mb << 20)
        log.debug("verified %s in %.2fs", index_dir, time.perf_counter() - t0)
    try:
        chunks, raws, rows, sent_rows = _read_chunks(index_dir / names["chunks"])
        info = StoreInfo.from_dict(manifest["store"])
        store = open_store(info, index_dir, settings)
        chunk_vecs = map_rows(index_dir / names["chunkvec"])
        sentvec = map_rows(index_dir / names["sentvec"])
        lexical = _open_lexical(index_dir / names["bm25"])
        outlines = _read_outlines(index_dir / names["outline"])
        count = store.count()
    except IndexCorruptError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"index in {index_dir} is damaged ({exc}); rebuild it") from exc
    # Milvus may briefly hold rows an interrupted update left behind; search skips them.
    short = count < len(chunks) if info.backend == "milvus" else count != len(chunks)
    if short or len(chunk_vecs) != len(chunks) or sent_rows[-1] != len(sentvec):
        raise IndexCorruptError(f"index in {index_dir} is inconsistent; rebuild it")
    docs = {s: DocInfo(source=s, **meta) for s, meta in manifest["files"].items()}
    index = Index(
        index_dir,
        manifest,
        chunks,
        raws,
        docs,
        store,
        rows,
        chunk_vecs,
        sent_rows,
        sentvec,
        lexical,
        outlines=outlines,
    )
    index.filter_exact_max = settings.filter_exact_max
    return index


def outline_of(doc: Document) -> dict:
    """What the outline artefact keeps of a document (as JSON reads it back)."""
    spans = ",".join(f"{b.start}-{b.end}" for b in doc.blocks)
    out: dict = {
        # Which text was indexed: cleaning rules or a folder's shared lines can change it
        # while the file stays the same, and then the file is indexed again.
        "blocks": hashlib.sha256(spans.encode()).hexdigest()[:16],
        "pages": list(doc.pages),
        "sections": [list(s) for s in doc.sections],
        "headings": [[h.start, h.end] for h in doc.headings],
    }
    if tables := tables_of(doc.text):
        out["tables"] = [[t.start, t.end, list(t.header)] for t in tables]
    if doc.converted:
        out["text"] = doc.text
    return out


def _read_outlines(path: Path) -> dict[str, dict]:
    outlines = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            outlines[rec.pop("source")] = rec
    return outlines


def _open_lexical(folder: Path) -> LexicalIndex | None:
    if (folder / "segments.json").exists():
        return LexicalIndex.open(folder)
    # bm25s's layout, from before segments: the vectors are fine, sync rebuilds BM25 alone.
    log.warning("BM25 index in %s predates segments; indexing again rebuilds it", folder)
    return None


def map_rows(path: Path) -> np.ndarray:
    """Memory-map a .npy array that is read a few scattered rows at a time.

    Without the hint the kernel reads ahead ~128 KiB around every touched row, and
    at 1M chunks most of the file ends up resident after a few hundred questions.
    """
    array = np.load(path, allow_pickle=False, mmap_mode="r")
    raw = getattr(array, "_mmap", None)
    if raw is not None and hasattr(mmap, "MADV_RANDOM"):
        raw.madvise(mmap.MADV_RANDOM)
    return array


def _read_chunks(path: Path) -> tuple[list[Chunk], list[str], np.ndarray, np.ndarray]:
    chunks, raws, rows, sent_rows = [], [], [], [0]
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            sentences = tuple(Span(a, b) for a, b in rec["sentences"])
            chunks.append(
                Chunk(rec["id"], rec["source"], rec["text"], rec["start"], rec["end"], sentences)
            )
            raws.append(rec["raw"])
            rows.append(rec["row"])
            sent_rows.append(sent_rows[-1] + len(sentences))
    return chunks, raws, np.asarray(rows, dtype=np.int64), np.asarray(sent_rows, dtype=np.int64)
