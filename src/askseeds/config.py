"""One typed, validated settings object, saved in the index manifest."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"

# Nothing may phone home: set before Gradio, huggingface_hub or transformers is imported.
OFFLINE_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_PROXY": "127.0.0.1,localhost",
}


def stay_offline() -> None:
    """Apply ``OFFLINE_ENV`` where the user has not set the variable otherwise."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def cache_root() -> Path:
    """Where askseeds keeps what it can make again (model exports, OCR readings):
    ``$ASKSEEDS_CACHE_DIR``, else ``askseeds`` under ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    env = os.environ.get("ASKSEEDS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "askseeds"


@dataclass(frozen=True)
class Settings:
    """How askseeds builds its index and answers.

    Index-shaping fields (model, chunking) are written to the manifest; a change
    to any of them rebuilds the index. The rest only affect querying.
    """

    model: str = DEFAULT_MODEL  # any sentence-transformers name or local path
    chunk_tokens: int = 256  # target chunk size in cl100k tokens (SQuAD-tuned, docs/results.md)
    chunk_overlap_tokens: int = 32  # whole sentences repeated between neighbours
    k: int = 5  # passages returned by retrieve()
    candidates: int = 50  # per-retriever depth before fusion
    dense_weight: float = 1.2  # tuned on SQuAD's first 12 articles (docs/results.md)
    bm25_weight: float = 1.0
    sentence_share: float = 1.0  # of the dense score, taken from the chunk's best sentence
    rrf_k: int = 60
    # Weight of the best answer sentence's score when hybrid reorders its top passages
    # (retrieve/rerank.py); 0 turns it off. Tuned on SQuAD's first 12 articles (docs/results.md).
    rerank_weight: float = 0.05
    max_answer_sentences: int = 3
    # Below this, ask() abstains; None = the threshold fitted with the scorer's weights
    # (answer/scorer_weights.json, one with the reader and one without).
    min_confidence: float | None = None
    # Reads question and sentence together to rerank the leading sentences and judge them:
    # "bundled" (a cross-encoder in int8 ONNX), a sentence-transformers CrossEncoder name or
    # local path, or "none" (the features alone; docs/results.md compares the two).
    reader: str = "bundled"
    dedup_threshold: float = 0.92  # cosine above which passages are near-duplicates
    batch_size: int = 32
    # Where vectors live: "faiss" (files in the index folder) or "milvus" (pymilvus).
    vector_store: str = "faiss"
    faiss_exact_max: int = 100_000  # above this many passages, an IVF-SQ8 index (README, "Scale")
    faiss_target_recall: float = 0.97  # recall@10 vs exact that the IVF's nprobe is tuned to
    milvus_uri: str = ""  # "" = a milvus-lite file in the index folder; or http://host:19530
    milvus_collection: str = "askseeds"
    milvus_index: str = "FLAT"  # exact, as FAISS is below faiss_exact_max; HNSW etc. for clusters
    milvus_token: str = field(default="", repr=False)  # "user:password" or an API key
    # A filter keeping up to this many passages is searched exactly over their stored
    # vectors (any store); above it, the store searches with the filter inside (FAISS's ID
    # selector, a Milvus expression). benchmarks/scale.py --filtered measures both.
    filter_exact_max: int = 20_000
    # Checksums of artefacts up to this size are verified on every open; above it,
    # sizes always and a sample of each file's blocks (a full pass costs seconds per GB).
    verify_full_mb: int = 1024
    # The web chat's votes (web/feedback.py): "" = <index folder>-feedback.jsonl beside the index
    # folder, so it outlives rebuilds. At feedback_max_mb, votes are refused (none dropped).
    feedback_file: str = ""
    feedback_max_mb: int = 64

    INDEX_FIELDS = ("model", "chunk_tokens", "chunk_overlap_tokens")

    def __post_init__(self) -> None:
        if not self.model or not isinstance(self.model, str):
            raise ConfigError("model must be a sentence-transformers name or a local path")
        if self.chunk_tokens < 16:
            raise ConfigError(f"chunk_tokens={self.chunk_tokens} is too small; use 16 or more")
        if not 0 <= self.chunk_overlap_tokens < self.chunk_tokens:
            raise ConfigError("chunk_overlap_tokens must be >= 0 and smaller than chunk_tokens")
        if self.k < 1 or self.candidates < self.k:
            raise ConfigError("k must be >= 1 and candidates >= k")
        if self.dense_weight < 0 or self.bm25_weight < 0 or self.dense_weight + self.bm25_weight == 0:
            raise ConfigError("dense_weight and bm25_weight must be >= 0 and not both 0")
        if not 1 <= self.max_answer_sentences <= 10:
            raise ConfigError("max_answer_sentences must be between 1 and 10")
        if self.rerank_weight < 0:
            raise ConfigError("rerank_weight must be >= 0 (0 = no reranking)")
        if not 0 <= self.sentence_share <= 1:
            raise ConfigError("sentence_share must be between 0 and 1")
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1:
            raise ConfigError("min_confidence must be between 0 and 1")
        if not self.reader or not isinstance(self.reader, str):
            raise ConfigError(
                "reader must be 'bundled', 'none' or a sentence-transformers CrossEncoder name"
            )
        if self.vector_store not in ("faiss", "milvus"):
            raise ConfigError(
                f"vector_store={self.vector_store!r}; use 'faiss' (default) or 'milvus'"
            )
        if self.faiss_exact_max < 0:
            raise ConfigError("faiss_exact_max must be >= 0 (0 = always approximate)")
        if not 0 < self.faiss_target_recall <= 1:
            raise ConfigError("faiss_target_recall must be in (0, 1]")
        if not self.milvus_collection.replace("_", "").isalnum():
            raise ConfigError("milvus_collection may hold only letters, digits and '_'")
        if self.verify_full_mb < 0:
            raise ConfigError("verify_full_mb must be >= 0")
        if self.filter_exact_max < 0:
            raise ConfigError("filter_exact_max must be >= 0 (0 = the store always filters)")
        if self.feedback_max_mb < 0:
            raise ConfigError("feedback_max_mb must be >= 0 (0 = no votes recorded)")

    def index_params(self) -> dict:
        """The settings that shape the index, as saved in the manifest."""
        return {name: getattr(self, name) for name in self.INDEX_FIELDS}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_env(cls, base: Settings | None = None) -> Settings:
        """Override fields from ``ASKSEEDS_<FIELD>`` environment variables."""
        base = base or cls()
        changes = {}
        for f in fields(cls):
            raw = os.environ.get(f"ASKSEEDS_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(base, f.name)
            kind = float if f.name == "min_confidence" else type(default)
            try:
                changes[f.name] = kind(raw)
            except ValueError as exc:
                raise ConfigError(f"ASKSEEDS_{f.name.upper()}={raw!r} is not a valid {kind.__name__}") from exc
        return replace(base, **changes)
