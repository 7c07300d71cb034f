"""Build and update the on-disk index: vectors, BM25, chunk store.

Layout of ``index_dir``: ``manifest.json`` names one generation of artefacts
(``chunks-G.jsonl``, ``chunkvec-G.npy``, ``sentvec-G.npy``, ``bm25-G/`` and, for
the FAISS store, ``faiss-G.index``) with their sizes and SHA-256 checksums. A new
generation is written beside the old one and the manifest is swapped in with an
atomic rename, so a crash mid-write leaves the previous good index in place.
Nothing is read with pickle.

Every chunk has a stable *row* id that keys its vector in the vector store
(``store.py``); an update removes and adds only the rows of files that changed,
so nothing is re-embedded and approximate indexes are not retrained.
``chunkvec-G.npy`` keeps each chunk's unit vector (float16, memory-mapped) so
scores, near-duplicate checks and store rebuilds never depend on the backend.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..config import Settings
from ..embed.encoder import Embedder
from ..errors import IndexCorruptError
from ..ingest.chunk import SENTENCE_RULES, chunk_document, sentence_offsets
from ..terms import TERMS_VERSION, terms
from ..types import Chunk, Document, SkippedFile
from .bm25 import LexicalIndex
from .manifest import (
    ARTEFACT_KINDS,
    FORMAT_VERSION,
    MANIFEST,
    _fingerprints,
    read_manifest,
    rebuild_reason,
)
from .open import Index, open_index, outline_of
from .store import (
    RowFields,
    StoreInfo,
    VectorStore,
    build_store,
    open_store,
    store_mismatch,
)

log = logging.getLogger(__name__)


def _embed(
    chunks: list[Chunk],
    docs: dict[str, Document],
    embedder: Embedder,
    settings: Settings,
    progress: bool,
) -> tuple[np.ndarray, list[np.ndarray]]:
    vecs, sents = [], []
    step = max(settings.batch_size * 8, 1)
    with tqdm(total=len(chunks), desc="Embedding", unit="chunk", disable=not progress) as bar:
        for i in range(0, len(chunks), step):
            batch = chunks[i : i + step]
            spans = [sentence_offsets(c, docs[c.source]) for c in batch]
            enc = embedder.encode_chunks([c.text for c in batch], spans, settings.batch_size)
            vecs.append(enc.chunks)
            sents.extend(enc.sentences)
            bar.update(len(batch))
    dim = embedder.dim
    return (np.concatenate(vecs) if vecs else np.zeros((0, dim), np.float32)), sents


@dataclass(frozen=True)
class _Plan:
    """One generation to write: chunks in position order with where their vectors come from."""

    chunks: list[Chunk]
    raws: list[str]
    rows: np.ndarray  # (n,) int64 store row ids
    from_old: np.ndarray  # (n,) int64: position in the old index, or -1 for a new chunk
    from_new: np.ndarray  # (n,) int64: index into the new embeddings, or -1


def sync(
    documents: list[Document],
    skipped: list[SkippedFile],
    index_dir: Path,
    settings: Settings,
    embedder: Embedder,
    progress: bool = True,
) -> Index:
    """Bring the index in ``index_dir`` in line with ``documents``, re-embedding only what changed.

    Unchanged files keep their vectors; added and changed files are chunked and
    embedded; deleted files are dropped. Only the rows of added, changed and
    deleted files are written to the vector store. A different model, chunking or
    format, or a damaged index, rebuilds from scratch (with a warning for damage);
    a different vector store, or a corpus that outgrew its FAISS index kind, is
    rebuilt from the stored vectors without embedding. After a change of sentence rules
    (``chunk.SENTENCE_RULES``) every file is split anew once, and only those cut
    differently are re-embedded.

    Returns:
        The open, up-to-date index; ``index.changes`` says what was done.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    old: Index | None = None
    previous: StoreInfo | None = None
    try:
        manifest = read_manifest(index_dir)
        if manifest is not None:
            if isinstance(manifest.get("store"), dict):
                previous = StoreInfo.from_dict(manifest["store"])
            reason = rebuild_reason(manifest, settings, embedder.dim)
            if reason:
                log.info("rebuilding index: %s", reason)
            else:
                old = open_index(index_dir, settings=settings)
    except IndexCorruptError as exc:
        log.warning("index damaged, rebuilding it: %s", exc)

    by_source = {d.source: d for d in documents}
    old_files = old.docs if old else {}
    unchanged = {
        s for s, d in by_source.items() if s in old_files and old_files[s].sha256 == d.sha256
    }
    outlines = {d.source: outline_of(d) for d in documents}
    if old is not None:
        unchanged -= _stale_sources(old, by_source, unchanged)
        unchanged -= {
            s
            for s in unchanged
            if (old.outlines.get(s) or {}).get("blocks") != outlines[s]["blocks"]
        }
    cut: dict[str, list[Chunk]] = {}  # each file is chunked once, whichever step asks first

    def chunks_of(source: str) -> list[Chunk]:
        if source not in cut:
            cut[source] = chunk_document(
                by_source[source], settings.chunk_tokens, settings.chunk_overlap_tokens
            )
        return cut[source]

    rules_changed = old is not None and old.manifest.get("sentence_rules") != SENTENCE_RULES
    if rules_changed:
        unchanged -= _resplit_sources(old, unchanged, chunks_of)
    added = sorted(s for s in by_source if s not in old_files)
    changed = sorted(s for s in by_source if s in old_files and s not in unchanged)
    deleted = sorted(s for s in old_files if s not in by_source)
    meta_changed = any(
        (old_files[s].title, old_files[s].date) != (by_source[s].title, by_source[s].date)
        for s in unchanged
    ) or (old is not None and any(old.outlines.get(s) != outlines[s] for s in unchanged))
    store_reason = _store_reason(old, settings, index_dir) if old else None
    # terms() changed since the index was built: BM25 is rebuilt from the stored chunk texts.
    terms_changed = old is not None and (
        old.manifest.get("terms") != TERMS_VERSION or old.lexical is None
    )
    if terms_changed:
        log.info("term rules changed since indexing; rebuilding the BM25 index (no embedding)")
        if store_reason is None and old.store.searches_text():
            store_reason = "term rules changed (the store searches terms)"
    changes = {"added": added, "changed": changed, "deleted": deleted, "unchanged": len(unchanged)}
    files_changed = added or changed or deleted or meta_changed
    if old is not None and not (files_changed or store_reason or terms_changed or rules_changed):
        log.info("index up to date: %d documents, %d chunks", len(old.docs), len(old.chunks))
        old.skipped, old.changes = tuple(skipped), {**changes, "embedded": 0}
        return old

    t0 = time.perf_counter()
    new_chunks = [c for s in sorted(set(added) | set(changed)) for c in chunks_of(s)]
    new_raws = [by_source[c.source].text[c.start : c.end] for c in new_chunks]
    new_vecs, new_sents = _embed(new_chunks, by_source, embedder, settings, progress)
    plan = _plan(old, unchanged, new_chunks, new_raws)
    counts: dict[str, int] = {}
    for c in plan.chunks:
        counts[c.source] = counts.get(c.source, 0) + 1
    files = {
        d.source: {
            "sha256": d.sha256,
            "encoding": d.encoding,
            "title": d.title,
            "date": d.date,
            "chunks": counts.get(d.source, 0),
        }
        for d in sorted(documents, key=lambda d: d.source)
    }
    generation = _new_generation(index_dir)
    chunk_vecs = _gather(plan, old.chunk_vecs if old else None, new_vecs, embedder.dim)
    added_terms = [terms(c.text) for c, new in zip(plan.chunks, plan.from_new >= 0) if new]
    redated = {s for s in unchanged if old_files[s].date != by_source[s].date}
    store = _updated_store(
        old,
        plan,
        _Fields(by_source, added_terms, redated),
        new_vecs,
        chunk_vecs,
        store_reason,
        settings,
        index_dir,
        generation,
        embedder.dim,
    )
    lexical = _updated_lexical(old, plan, added_terms, terms_changed)
    _write(
        index_dir,
        generation,
        settings,
        embedder.dim,
        plan,
        chunk_vecs,
        old,
        new_sents,
        store,
        lexical,
        previous,
        files,
        outlines,
    )
    index = open_index(index_dir, verify=False, settings=settings)
    index.skipped = tuple(skipped)
    index.changes = {**changes, "embedded": len(new_chunks)}
    log.info(
        "indexed %d documents, %d chunks (%d embedded) in %.1fs",
        len(files),
        len(plan.chunks),
        len(new_chunks),
        time.perf_counter() - t0,
    )
    return index


def _stale_sources(old: Index, by_source: dict[str, Document], unchanged: set[str]) -> set[str]:
    """Unchanged files whose stored chunk text differs from the file's text at the chunk's span.

    Checksums prove the chunk store is the one the manifest names, not that it
    quotes the files: a store edited along with its checksum would otherwise be
    served, and a citation would quote words the file never had. The same check
    re-reads a converted file whose format's reader has changed since it was indexed.
    """
    stale = set()
    for chunk, raw in zip(old.chunks, old.raws):
        doc = by_source.get(chunk.source)
        if chunk.source in unchanged and doc.text[chunk.start : chunk.end] != raw:
            stale.add(chunk.source)
    for source in sorted(stale):
        log.warning(
            "text read from %s differs from the text indexed for it (its format's reader has "
            "changed, or the index was altered); re-indexing it", source,
        )
    return stale


def _resplit_sources(
    old: Index, unchanged: set[str], chunks_of: Callable[[str], list[Chunk]]
) -> set[str]:
    """Unchanged files that the current sentence rules cut into other chunks or sentences
    than the stored ones (the index was built under other rules)."""
    stored: dict[str, list[tuple]] = {}
    for c in old.chunks:
        stored.setdefault(c.source, []).append((c.start, c.end, c.sentences))
    moved = {
        s
        for s in unchanged
        if stored.get(s, []) != [(c.start, c.end, c.sentences) for c in chunks_of(s)]
    }
    log.info(
        "sentence rules changed since indexing: %d of %d unchanged files split anew",
        len(moved), len(unchanged),
    )  # fmt: skip
    return moved


def _store_reason(old: Index, settings: Settings, index_dir: Path) -> str | None:
    """Why the old store must be rebuilt (from stored vectors) even if no file changed."""
    reason = store_mismatch(old.store.info, index_dir, settings)
    if reason is None:
        reason = old.store.needs_rebuild(len(old.chunks), settings)
    return reason


def _plan(
    old: Index | None, unchanged: set[str], new_chunks: list[Chunk], new_raws: list[str]
) -> _Plan:
    kept = [i for i, c in enumerate(old.chunks) if c.source in unchanged] if old else []
    next_row = int(old.manifest.get("next_row", 0)) if old else 0
    items = [(old.chunks[i], old.raws[i], int(old.rows[i]), i, -1) for i in kept]
    items += [(c, raw, next_row + j, -1, j) for j, (c, raw) in enumerate(zip(new_chunks, new_raws))]
    # Order chunks by source so a file's chunks stay contiguous whatever the update history.
    items.sort(key=lambda it: (it[0].source, it[0].start, it[0].chunk_id))
    return _Plan(
        chunks=[it[0] for it in items],
        raws=[it[1] for it in items],
        rows=np.asarray([it[2] for it in items], dtype=np.int64),
        from_old=np.asarray([it[3] for it in items], dtype=np.int64),
        from_new=np.asarray([it[4] for it in items], dtype=np.int64),
    )


def _gather(plan: _Plan, old_vecs: np.ndarray | None, new_vecs: np.ndarray, dim: int) -> np.ndarray:
    """Chunk vectors (float16) in plan order, copied from the old index or the new embeddings."""
    out = np.zeros((len(plan.chunks), dim), dtype=np.float16)
    is_old = plan.from_old >= 0
    if is_old.any() and old_vecs is not None:
        out[is_old] = old_vecs[plan.from_old[is_old]]
    if (~is_old).any():
        out[~is_old] = new_vecs[plan.from_new[~is_old]]
    return out


@dataclass(frozen=True)
class _Fields:
    """What the store keeps beside vectors comes from: the documents and the new chunks' terms."""

    documents: dict[str, Document]
    added_terms: list[list[str]]  # per added chunk, in plan order
    redated: set[str]  # unchanged files whose date changed: their rows' fields are rewritten

    def of(self, chunks: list[Chunk], chunk_terms: list[list[str]]) -> RowFields:
        return RowFields(
            [c.source for c in chunks],
            [self.documents[c.source].date or "" for c in chunks],
            chunk_terms,
        )


def _updated_store(
    old: Index | None,
    plan: _Plan,
    fields: _Fields,
    new_vecs: np.ndarray,
    chunk_vecs: np.ndarray,
    store_reason: str | None,
    settings: Settings,
    index_dir: Path,
    generation: int,
    dim: int,
) -> VectorStore:
    """The old store with only changed rows touched, or a new one when it no longer fits."""
    reason = store_reason
    if old is not None and reason is None:
        reason = old.store.needs_rebuild(len(plan.chunks), settings)
    if old is None or reason:
        if old is not None:
            log.info("rebuilding vector store from stored vectors: %s", reason)
        # A fresh build uses the float32 embeddings; a rebuild the stored float16 copy.
        vectors = new_vecs if old is None else chunk_vecs.astype(np.float32)
        row_fields = None
        if settings.vector_store != "faiss":
            row_fields = fields.of(plan.chunks, [terms(c.text) for c in plan.chunks])
        return build_store(plan.rows, vectors, dim, settings, index_dir, generation, row_fields)
    t0 = time.perf_counter()
    # FAISS was opened memory-mapped (read-only); Milvus is changed where it is.
    if old.store.info.backend == "faiss":
        store = open_store(old.store.info, index_dir, settings, writable=True)
    else:
        store = old.store
    added = plan.from_new >= 0
    kept_rows = set(plan.rows[~added].tolist())
    removed = np.asarray([r for r in old.rows.tolist() if r not in kept_rows], dtype=np.int64)
    chunks = [c for c, new in zip(plan.chunks, added) if new]
    vectors, chunk_terms = new_vecs[plan.from_new[added]], fields.added_terms
    rows = plan.rows[added]
    if fields.redated and store.info.backend == "milvus":
        # Milvus keeps each row's date for filters: rows of redated files are written again.
        again = np.asarray([c.source in fields.redated for c in plan.chunks])
        chunks += [c for c, a in zip(plan.chunks, again) if a]
        chunk_terms = chunk_terms + [terms(c.text) for c, a in zip(plan.chunks, again) if a]
        vectors = np.concatenate([vectors, chunk_vecs[again].astype(np.float32)])
        rows = np.concatenate([rows, plan.rows[again]])
    store.update(rows, vectors, removed, fields.of(chunks, chunk_terms))
    log.info(
        "vector store: +%d -%d rows in %.2fs",
        int(added.sum()),
        len(removed),
        time.perf_counter() - t0,
    )
    return store


def _updated_lexical(
    old: Index | None, plan: _Plan, added_terms: list[list[str]], terms_changed: bool
) -> LexicalIndex:
    """The old BM25 index plus a segment for new chunks and tombstones for removed ones,
    or a new one when there is none or the term rules changed."""
    t0 = time.perf_counter()
    added = plan.from_new >= 0
    if old is None or terms_changed:
        lexical = LexicalIndex.build(plan.rows, [terms(c.text) for c in plan.chunks])
    else:
        kept_rows = set(plan.rows[~added].tolist())
        removed = [i for i, r in enumerate(old.rows.tolist()) if r not in kept_rows]
        lexical = old.lexical.updated(
            plan.rows[added],
            added_terms,
            old.rows[removed],
            [terms(old.chunks[i].text) for i in removed],
        )
    log.info(
        "bm25: %d segment(s), %d documents in %.2fs",
        len(lexical.segments),
        lexical.n_docs,
        time.perf_counter() - t0,
    )
    return lexical


def _new_generation(index_dir: Path) -> int:
    """A generation number newer than any file in ``index_dir`` (clocks can repeat)."""
    generation = int(time.time() * 1000)
    used = [
        int(p.name.split("-")[1].split(".")[0])
        for p in index_dir.iterdir()
        if p.name.split("-")[0] in ARTEFACT_KINDS and p.name.split("-")[1].split(".")[0].isdigit()
    ]
    return max([generation, *(u + 1 for u in used)])


def _write(
    index_dir: Path,
    generation: int,
    settings: Settings,
    dim: int,
    plan: _Plan,
    chunk_vecs: np.ndarray,
    old: Index | None,
    new_sents: list[np.ndarray],
    store: VectorStore,
    lexical: LexicalIndex,
    previous: StoreInfo | None,
    files: dict,
    outlines: dict[str, dict],
) -> None:
    t0 = time.perf_counter()
    names = {
        "chunks": f"chunks-{generation}.jsonl",
        "chunkvec": f"chunkvec-{generation}.npy",
        "sentvec": f"sentvec-{generation}.npy",
        "bm25": f"bm25-{generation}",
        "outline": f"outline-{generation}.jsonl",
    }
    info = store.save(index_dir, generation)
    if info.file:
        names = {"faiss": info.file, **names}
    with open(index_dir / names["chunks"], "w", encoding="utf-8") as fh:
        for c, raw, row in zip(plan.chunks, plan.raws, plan.rows.tolist()):
            rec = {
                "id": c.chunk_id,
                "row": row,
                "source": c.source,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "sentences": [[s.start, s.end] for s in c.sentences],
                "raw": raw,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open(index_dir / names["outline"], "w", encoding="utf-8") as fh:
        for source in sorted(outlines):
            fh.write(json.dumps({"source": source, **outlines[source]}, ensure_ascii=False))
            fh.write("\n")
    with open(index_dir / names["chunkvec"], "wb") as fh:
        np.save(fh, chunk_vecs, allow_pickle=False)
    n_sent = _write_sentvecs(index_dir / names["sentvec"], plan, old, new_sents, dim)
    lexical.save(index_dir / names["bm25"])
    for path in [index_dir / n for n in names.values()]:
        _fsync(path)
    manifest = {
        "format": FORMAT_VERSION,
        "model": settings.model,
        "dim": dim,
        "params": settings.index_params(),
        "terms": TERMS_VERSION,
        "sentence_rules": SENTENCE_RULES,
        "generation": generation,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "counts": {"documents": len(files), "chunks": len(plan.chunks), "sentences": n_sent},
        # Never lower: a row id deleted once is never given out again, so a delete of it
        # issued again later (Milvus's pending_delete) cannot hit a newer chunk.
        "next_row": max(
            int(old.manifest.get("next_row", 0)) if old else 0,
            int(plan.rows.max()) + 1 if len(plan.rows) else 0,
        ),
        "store": info.to_dict(),
        "artifacts": names,
        **_fingerprints(index_dir, names),
        "files": files,
    }
    tmp = index_dir / f".{MANIFEST}.{generation}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, index_dir / MANIFEST)
    store.finish(previous)
    _remove_other_generations(index_dir, names)
    log.debug("wrote generation %d in %.2fs", generation, time.perf_counter() - t0)


def _write_sentvecs(
    path: Path, plan: _Plan, old: Index | None, new_sents: list[np.ndarray], dim: int
) -> int:
    """Stream sentence vectors in plan order into ``path`` without holding them all in RAM."""
    lengths = np.asarray(
        [
            len(new_sents[n]) if n >= 0 else int(old.sentence_rows[o + 1] - old.sentence_rows[o])
            for o, n in zip(plan.from_old.tolist(), plan.from_new.tolist())
        ],
        dtype=np.int64,
    )
    total = int(lengths.sum())
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=(total, dim))
    at = 0
    for o, n, length in zip(plan.from_old.tolist(), plan.from_new.tolist(), lengths.tolist()):
        if n >= 0:
            out[at : at + length] = new_sents[n]
        else:
            a = int(old.sentence_rows[o])
            out[at : at + length] = old.sentence_vectors[a : a + length]
        at += length
    out.flush()
    del out
    return total


def _fsync(path: Path) -> None:
    for f in [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]:
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())


def _remove_other_generations(index_dir: Path, keep: dict[str, str]) -> None:
    """Delete artefacts no manifest names any more (old generations, leftovers of crashes)."""
    keep_names = set(keep.values())
    for path in index_dir.iterdir():
        stale_artifact = path.name.split("-")[0] in ARTEFACT_KINDS and path.name not in keep_names
        stale_tmp = path.name.startswith(f".{MANIFEST}.")
        if stale_artifact or stale_tmp:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
