"""Save uploaded documents into the corpus folder, refusing what could not be indexed.

An upload never replaces a file already in the folder (a same-named upload with
other content is saved beside it as ``name (2).ext``), never writes outside the
folder (only the file name's last part is used), and is written to a hidden
temporary file first and renamed into place, so a half-written file is never
indexed. What is refused gets a reason a person can act on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..ingest.load import (
    COMPRESSED_SUFFIXES,
    FORMATS,
    MAX_FILE_BYTES,
    SUFFIXES,
    inner_name,
    is_document_name,
    named_text,
)

__all__ = ["Saved", "save_uploads"]

log = logging.getLogger(__name__)

MAX_FILES = 50  # per upload: each is indexed before the chat answers again
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Saved:
    """One uploaded file: where it went in the folder (``source``), or why it did not."""

    name: str
    source: str | None
    message: str


def save_uploads(
    folder: Path, uploads: list[tuple[str, Path]], max_file_bytes: int = MAX_FILE_BYTES
) -> list[Saved]:
    """Copy uploaded files (``(original name, temporary path)``) into ``folder``.

    Returns:
        One ``Saved`` per upload, in order; ``source`` is None for a refused file.
    """
    out: list[Saved] = []
    for i, (name, path) in enumerate(uploads):
        shown = _shown(name)
        if i >= MAX_FILES:
            out.append(Saved(shown, None, f"not added: at most {MAX_FILES} files at a time"))
            continue
        out.append(_save_one(folder, shown, path, max_file_bytes))
    return out


def _shown(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFC", _UNSAFE.sub("_", base)).strip(" .")
    return base[:200] or "upload"


def _save_one(folder: Path, name: str, path: Path, max_file_bytes: int) -> Saved:
    suffix = PurePath(name).suffix.lower()
    if not is_document_name(name):
        what = f"{suffix} files" if suffix else name  # a build recipe: "Makefile"
        return Saved(name, None, f"not added: {what} cannot be read (askseeds reads {FORMATS})")
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            return Saved(
                name,
                None,
                f"not added: {size / 2**20:.1f} MiB is more than the "
                f"{max_file_bytes / 2**20:.0f} MiB a file may have; split it",
            )
        data = path.read_bytes()
    except OSError as exc:
        return Saved(name, None, f"not added: the upload could not be read ({exc.strerror})")
    if not data:
        return Saved(name, None, "not added: the file is empty")
    named = suffix not in SUFFIXES and suffix not in COMPRESSED_SUFFIXES
    if named and named_text(data) is None:
        return Saved(name, None, f"not added: {name} is named like a document but holds no text")
    target = _free_name(folder, name, data)
    if target.exists():
        return Saved(name, target.name, "already in the folder (same content)")
    tmp = folder / f".upload-{os.getpid()}-{hashlib.sha256(data).hexdigest()[:12]}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        return Saved(name, None, f"not added: could not write it ({exc.strerror})")
    log.info("upload saved as %s (%d bytes)", target, len(data))
    note = "added" if target.name == name else f"added as {target.name} (a different {name} exists)"
    return Saved(name, target.name, note)


def _free_name(folder: Path, name: str, data: bytes) -> Path:
    """``name`` in ``folder``, or the first ``stem (n).ext`` not holding other content. The
    number goes before a compressed file's inner suffix too ("guide (2).html.gz", "tar
    (2).1.gz"): after it, the name would no longer say what the file holds."""
    stem, suffix = _split_suffix(name)
    for n in range(1, 1000):
        candidate = folder / (name if n == 1 else f"{stem} ({n}){suffix}")
        try:
            if not candidate.exists() or candidate.read_bytes() == data:
                return candidate
        except OSError:
            continue
    return folder / f"{stem} ({hashlib.sha256(data).hexdigest()[:8]}){suffix}"


def _split_suffix(name: str) -> tuple[str, str]:
    """``name`` as its stem and what says its type: "notes" and ".md", "guide" and ".html.gz"."""
    inner = PurePath(inner_name(name))
    return inner.stem, name[len(inner.stem) :]
