"""The index manifest: which generation of artefacts is current, their sizes and checksums.

``manifest.json`` names one generation of artefacts with their sizes, SHA-256
checksums and sampled SHA-256s, the settings that shaped the index and what the
index keeps of each document (``DocInfo``). Opening checks artefacts against it;
damage raises ``IndexCorruptError`` and the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from pathlib import Path

from ..checksum import sha256_file
from ..config import Settings
from ..errors import IndexCorruptError

FORMAT_VERSION = 4  # 3: the outline artefact (pages, sections, converted text); 4: sentences
# under a heading are embedded with it
MANIFEST = "manifest.json"
ARTEFACT_KINDS = ("faiss", "chunks", "chunkvec", "sentvec", "bm25", "outline")
SAMPLE_BLOCKS = 64  # blocks hashed per file when a full pass is too costly
SAMPLE_BLOCK = 1 << 16


@dataclass(frozen=True)
class DocInfo:
    """What the index keeps of a document besides its chunks."""

    source: str
    sha256: str
    encoding: str
    title: str | None
    date: str | None
    chunks: int


def _sample_sha256(path: Path, size: int) -> str:
    """SHA-256 of evenly spaced blocks (first and last included): cheap on files of any size."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        last = max(size - SAMPLE_BLOCK, 0)
        for i in range(SAMPLE_BLOCKS):
            fh.seek(last * i // (SAMPLE_BLOCKS - 1))
            h.update(fh.read(SAMPLE_BLOCK))
    return h.hexdigest()


def _artifact_files(index_dir: Path, names: dict[str, str]) -> list[Path]:
    files = []
    for name in names.values():
        path = index_dir / name
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return files


def _artifact_sizes(index_dir: Path, names: dict[str, str]) -> dict[str, int]:
    return {
        f.relative_to(index_dir).as_posix(): f.stat().st_size
        for f in _artifact_files(index_dir, names)
    }


def _fingerprints(index_dir: Path, names: dict[str, str]) -> dict[str, dict]:
    """Per artefact file: its full SHA-256, size and sampled SHA-256, for the manifest."""
    sizes = _artifact_sizes(index_dir, names)
    return {
        "checksums": {name: sha256_file(index_dir / name) for name in sizes},
        "sizes": sizes,
        "samples": {name: _sample_sha256(index_dir / name, size) for name, size in sizes.items()},
    }


def _verify(index_dir: Path, manifest: dict, full_limit_bytes: int) -> None:
    """Raise if an artefact is missing, resized or altered.

    Sizes catch truncation at any scale; contents are hashed in full up to
    ``full_limit_bytes`` in total, and by sampled blocks above it.
    """
    names, expected = manifest["artifacts"], manifest.get("checksums", {})
    try:
        sizes = _artifact_sizes(index_dir, names)
    except OSError as exc:
        raise IndexCorruptError(f"index artefact missing in {index_dir}: {exc}") from exc
    if set(sizes) != set(expected):
        odd = sorted(set(sizes) ^ set(expected))
        raise IndexCorruptError(f"index files in {index_dir} do not match the manifest ({odd[0]})")
    want_sizes = manifest.get("sizes", {})
    for name, size in sizes.items():
        if name in want_sizes and want_sizes[name] != size:
            raise IndexCorruptError(
                f"index file {name} in {index_dir} has {size} bytes, not {want_sizes[name]}"
            )
    samples = manifest.get("samples", {})
    sampled = sum(sizes.values()) > full_limit_bytes and set(samples) == set(sizes)
    for name in sorted(sizes):
        path = index_dir / name
        try:
            if sampled:
                ok = _sample_sha256(path, sizes[name]) == samples[name]
            else:
                ok = sha256_file(path) == expected[name]
        except OSError as exc:
            raise IndexCorruptError(
                f"index file {name} in {index_dir} is unreadable: {exc}"
            ) from exc
        if not ok:
            raise IndexCorruptError(
                f"index files in {index_dir} do not match their checksums ({name} differs)"
            )


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest as a dict, None if there is no index, or raise if it is damaged."""
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({exc})") from exc
    problem = _shape_problem(manifest)
    if problem:
        raise IndexCorruptError(f"{path} is not an askseeds manifest ({problem})")
    return manifest


_FILE_FIELDS = frozenset(f.name for f in fields(DocInfo)) - {"source"}


def _shape_problem(manifest: object) -> str | None:
    """What is wrong with the manifest's structure, or None; the values are checked later."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    for key in ("artifacts", "files"):
        if not isinstance(manifest.get(key), dict):
            return f"'{key}' is not an object"
    for key in ("checksums", "sizes", "samples"):
        if not isinstance(manifest.get(key, {}), dict):
            return f"'{key}' is not an object"
    for name in manifest["artifacts"].values():
        # Artefact names are joined to the index folder: a path would read elsewhere.
        if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
            return f"artefact name {name!r} is not a plain file name"
    for source, meta in manifest["files"].items():
        if not isinstance(meta, dict) or set(meta) != _FILE_FIELDS:
            return f"entry for {source!r} lacks fields"
    return None


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
