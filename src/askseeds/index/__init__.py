"""The on-disk index: ``sync`` builds and updates it, ``open_index`` opens it.

``manifest`` records which generation of artefacts is current and their checksums;
``store`` holds the vectors (FAISS or Milvus); ``open`` is the index as searched.
"""

from .manifest import FORMAT_VERSION, MANIFEST, DocInfo, read_manifest, rebuild_reason
from .open import Index, map_rows, open_index
from .sync import sync

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "DocInfo",
    "Index",
    "map_rows",
    "open_index",
    "read_manifest",
    "rebuild_reason",
    "sync",
]
