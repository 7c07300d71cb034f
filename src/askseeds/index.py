"""Build, update, save and open the on-disk index: FAISS vectors, BM25, chunk store.

Layout of ``index_dir``: ``manifest.json`` names one generation of artefacts
(``faiss-G.index``, ``chunks-G.jsonl``, ``sentvec-G.npy``, ``bm25-G/``) with
their SHA-256 checksums. A new generation is written beside the old one and the
manifest is swapped in with an atomic rename, so a crash mid-write leaves the
previous good index in place. Nothing is read with pickle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np
from tqdm.auto import tqdm

from .chunk import chunk_document
from .config import Settings
from .embed import Embedder
from .errors import IndexCorruptError
from .terms import terms
from .types import Chunk, Document, Location, SkippedFile, Span

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DocInfo:
    """What the index keeps of a document besides its chunks."""

    source: str
    sha256: str
    encoding: str
    title: str | None
    date: str | None
    chunks: int


@dataclass
class Index:
    """An open index: everything retrieval and answering read, in memory or mapped."""

    dir: Path
    manifest: dict
    chunks: list[Chunk]
    raws: list[str]  # each chunk's original text, doc.text[chunk.start:chunk.end]
    docs: dict[str, DocInfo]
    faiss: faiss.Index
    sentence_rows: np.ndarray  # (n_chunks + 1,): chunk i's sentence vectors are rows [i, i+1)
    sentence_vectors: np.ndarray  # (n_sentences, dim) float16, unit length
    bm25: bm25s.BM25 | None
    skipped: tuple[SkippedFile, ...] = ()
    changes: dict = field(default_factory=dict)

    def chunk_vectors(self, positions: Iterable[int]) -> np.ndarray:
        """The stored unit vectors of the chunks at ``positions``."""
        return np.stack([self.faiss.reconstruct(int(p)) for p in positions])

    def original(self, position: int, start: int, end: int) -> str:
        """The source file's text at ``[start, end)``, a range inside chunk ``position``."""
        chunk = self.chunks[position]
        return self.raws[position][start - chunk.start : end - chunk.start]

    def location(self, source: str, start: int, end: int) -> Location:
        """A span of ``source`` with the document's title and date."""
        doc = self.docs.get(source)
        return Location(source, start, end, doc.title if doc else None, doc.date if doc else None)

    def sentences_of(self, position: int) -> np.ndarray:
        """Unit sentence vectors (float32) of the chunk at ``position``."""
        a, b = self.sentence_rows[position], self.sentence_rows[position + 1]
        return self.sentence_vectors[a:b].astype(np.float32)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _artifact_checksums(index_dir: Path, names: dict[str, str]) -> dict[str, str]:
    sums = {}
    for name in names.values():
        path = index_dir / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            sums[f.relative_to(index_dir).as_posix()] = _sha256_file(f)
    return sums


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest as a dict, None if there is no index, or raise if it is damaged."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({exc})") from exc
    if not isinstance(manifest, dict) or "artifacts" not in manifest or "files" not in manifest:
        raise IndexCorruptError(f"{path} is not an askseeds manifest")
    return manifest


def rebuild_reason(manifest: dict, settings: Settings, dim: int) -> str | None:
    """Why an index built as ``manifest`` says cannot be updated in place, or None."""
    if manifest.get("format") != FORMAT_VERSION:
        return f"index format {manifest.get('format')} != {FORMAT_VERSION}"
    if manifest.get("model") != settings.model:
        return f"model changed ({manifest.get('model')} -> {settings.model})"
    if manifest.get("dim") != dim:
        return f"dimension changed ({manifest.get('dim')} -> {dim})"
    if manifest.get("params") != settings.index_params():
        return f"chunking changed ({manifest.get('params')} -> {settings.index_params()})"
    return None


def open_index(index_dir: Path, verify: bool = True) -> Index:
    """Open the index a manifest names, checking every artefact's checksum.

    Raises:
        IndexCorruptError: an artefact is missing, truncated or altered.
    """
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexCorruptError(f"no index in {index_dir}; build one with `askseeds index`")
    names = manifest["artifacts"]
    if verify:
        try:
            actual = _artifact_checksums(index_dir, names)
        except OSError as exc:
            raise IndexCorruptError(f"index artefact missing in {index_dir}: {exc}") from exc
        if actual != manifest.get("checksums"):
            bad = sorted(set(actual.items()) ^ set(manifest.get("checksums", {}).items()))
            raise IndexCorruptError(
                f"index files in {index_dir} do not match their checksums ({bad[0][0]} differs)"
            )
    try:
        chunks, raws, rows = _read_chunks(index_dir / names["chunks"])
        vectors = faiss.read_index(str(index_dir / names["faiss"]), faiss.IO_FLAG_MMAP)
        sentvec = np.load(index_dir / names["sentvec"], allow_pickle=False, mmap_mode="r")
        bm25 = (
            bm25s.BM25.load(str(index_dir / names["bm25"]), mmap=True, allow_pickle=False)
            if chunks
            else None
        )
    except (OSError, ValueError, KeyError, RuntimeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"index in {index_dir} is damaged ({exc}); rebuild it") from exc
    if vectors.ntotal != len(chunks) or rows[-1] != len(sentvec):
        raise IndexCorruptError(f"index in {index_dir} is inconsistent; rebuild it")
    docs = {s: DocInfo(source=s, **info) for s, info in manifest["files"].items()}
    return Index(index_dir, manifest, chunks, raws, docs, vectors, rows, sentvec, bm25)


def _read_chunks(path: Path) -> tuple[list[Chunk], list[str], np.ndarray]:
    chunks, raws, rows = [], [], [0]
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            sentences = tuple(Span(a, b) for a, b in rec["sentences"])
            chunks.append(
                Chunk(rec["id"], rec["source"], rec["text"], rec["start"], rec["end"], sentences)
            )
            raws.append(rec["raw"])
            rows.append(rows[-1] + len(sentences))
    return chunks, raws, np.asarray(rows, dtype=np.int64)


def _chunk_text_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """Offsets of each sentence inside ``chunk.text`` (sentences joined by one space)."""
    spans, pos = [], 0
    for s in chunk.sentences:
        length = s.end - s.start
        spans.append((pos, pos + length))
        pos += length + 1
    return spans


def _embed(
    chunks: list[Chunk], embedder: Embedder, settings: Settings, progress: bool
) -> tuple[np.ndarray, list[np.ndarray]]:
    vecs, sents = [], []
    step = max(settings.batch_size * 8, 1)
    with tqdm(total=len(chunks), desc="Embedding", unit="chunk", disable=not progress) as bar:
        for i in range(0, len(chunks), step):
            batch = chunks[i : i + step]
            spans = [_chunk_text_spans(c) for c in batch]
            enc = embedder.encode_chunks([c.text for c in batch], spans, settings.batch_size)
            vecs.append(enc.chunks)
            sents.extend(enc.sentences)
            bar.update(len(batch))
    dim = embedder.dim
    return (np.concatenate(vecs) if vecs else np.zeros((0, dim), np.float32)), sents


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
    embedded; deleted files are dropped. A different model, chunking or format,
    or a damaged index, rebuilds from scratch (with a warning for damage).

    Returns:
        The open, up-to-date index; ``index.changes`` says what was done.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    old: Index | None = None
    try:
        manifest = read_manifest(index_dir)
        if manifest is not None:
            reason = rebuild_reason(manifest, settings, embedder.dim)
            if reason:
                log.info("rebuilding index: %s", reason)
            else:
                old = open_index(index_dir)
    except IndexCorruptError as exc:
        log.warning("index damaged, rebuilding it: %s", exc)

    by_source = {d.source: d for d in documents}
    old_files = old.docs if old else {}
    unchanged = {s for s, d in by_source.items() if s in old_files and old_files[s].sha256 == d.sha256}
    added = sorted(s for s in by_source if s not in old_files)
    changed = sorted(s for s in by_source if s in old_files and s not in unchanged)
    deleted = sorted(s for s in old_files if s not in by_source)
    meta_changed = any(
        (old_files[s].title, old_files[s].date) != (by_source[s].title, by_source[s].date)
        for s in unchanged
    )
    changes = {"added": added, "changed": changed, "deleted": deleted, "unchanged": len(unchanged)}
    if old is not None and not (added or changed or deleted or meta_changed):
        log.info("index up to date: %d documents, %d chunks", len(old.docs), len(old.chunks))
        old.skipped, old.changes = tuple(skipped), {**changes, "embedded": 0}
        return old

    t0 = time.perf_counter()
    kept_pos = [i for i, c in enumerate(old.chunks) if c.source in unchanged] if old else []
    kept_chunks = [old.chunks[i] for i in kept_pos] if old else []
    kept_vecs = old.chunk_vectors(kept_pos) if kept_pos else np.zeros((0, embedder.dim), np.float32)
    kept_sents = [old.sentences_of(i) for i in kept_pos] if old else []
    kept_raws = [old.raws[i] for i in kept_pos] if old else []

    new_docs = [by_source[s] for s in sorted(set(added) | set(changed))]
    new_chunks = [
        c
        for d in new_docs
        for c in chunk_document(d, settings.chunk_tokens, settings.chunk_overlap_tokens)
    ]
    new_raws = [by_source[c.source].text[c.start : c.end] for c in new_chunks]
    new_vecs, new_sents = _embed(new_chunks, embedder, settings, progress)

    # Order chunks by source so a file's chunks stay contiguous whatever the update history.
    merged = sorted(
        zip(
            kept_chunks + new_chunks,
            list(kept_vecs) + list(new_vecs),
            kept_sents + new_sents,
            kept_raws + new_raws,
        ),
        key=lambda item: (item[0].source, item[0].start, item[0].chunk_id),
    )
    chunks = [m[0] for m in merged]
    vectors = np.stack([m[1] for m in merged]).astype(np.float32) if merged else kept_vecs
    sentvecs = [m[2] for m in merged]
    raws = [m[3] for m in merged]
    counts = {}
    for c in chunks:
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
    _write(index_dir, settings, embedder.dim, chunks, raws, vectors, sentvecs, files)
    index = open_index(index_dir, verify=False)
    index.skipped = tuple(skipped)
    index.changes = {**changes, "embedded": len(new_chunks)}
    log.info(
        "indexed %d documents, %d chunks (%d embedded) in %.1fs",
        len(files), len(chunks), len(new_chunks), time.perf_counter() - t0,
    )
    return index


def _write(
    index_dir: Path,
    settings: Settings,
    dim: int,
    chunks: list[Chunk],
    raws: list[str],
    vectors: np.ndarray,
    sentvecs: list[np.ndarray],
    files: dict,
) -> None:
    generation = int(time.time() * 1000)
    names = {
        "faiss": f"faiss-{generation}.index",
        "chunks": f"chunks-{generation}.jsonl",
        "sentvec": f"sentvec-{generation}.npy",
        "bm25": f"bm25-{generation}",
    }
    flat = faiss.IndexFlatIP(dim)
    if len(vectors):
        flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(flat, str(index_dir / names["faiss"]))
    with open(index_dir / names["chunks"], "w", encoding="utf-8") as fh:
        for c, raw in zip(chunks, raws):
            rec = {
                "id": c.chunk_id, "source": c.source, "text": c.text, "start": c.start,
                "end": c.end, "sentences": [[s.start, s.end] for s in c.sentences], "raw": raw,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    all_sent = np.concatenate(sentvecs) if sentvecs else np.zeros((0, dim), np.float32)
    with open(index_dir / names["sentvec"], "wb") as fh:
        np.save(fh, all_sent.astype(np.float16), allow_pickle=False)
    bm25_dir = index_dir / names["bm25"]
    bm25_dir.mkdir()
    if chunks:
        retriever = bm25s.BM25()
        retriever.index([terms(c.text) or [""] for c in chunks], show_progress=False)
        retriever.save(str(bm25_dir), allow_pickle=False)
    for path in [index_dir / n for n in names.values()]:
        _fsync(path)
    manifest = {
        "format": FORMAT_VERSION,
        "model": settings.model,
        "dim": dim,
        "params": settings.index_params(),
        "generation": generation,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "counts": {"documents": len(files), "chunks": len(chunks), "sentences": len(all_sent)},
        "artifacts": names,
        "checksums": _artifact_checksums(index_dir, names),
        "files": files,
    }
    tmp = index_dir / f".{MANIFEST}.{generation}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, index_dir / MANIFEST)
    _remove_other_generations(index_dir, names)


def _fsync(path: Path) -> None:
    for f in [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]:
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())


def _remove_other_generations(index_dir: Path, keep: dict[str, str]) -> None:
    """Delete artefacts no manifest names any more (old generations, leftovers of crashes)."""
    keep_names = set(keep.values())
    for path in index_dir.iterdir():
        stale_artifact = path.name.split("-")[0] in keep and path.name not in keep_names
        stale_tmp = path.name.startswith(f".{MANIFEST}.")
        if stale_artifact or stale_tmp:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
