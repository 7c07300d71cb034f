"""A small deterministic embedder for fast unit tests (not a test module).

Hashed bag of stemmed terms: each term adds +1 or -1 to one of ``dim`` coordinates
(both chosen by a stable hash), and the sum is scaled to unit length. Texts sharing
terms get a positive cosine, so dense retrieval, fusion, near-duplicate folding and
index updates behave as they do with a real model, in microseconds and without
torch. It implements the embedder protocol that ``askseeds.index.sync`` and
``Assistant`` use (``name``, ``dim``, ``encode``, ``encode_query``, ``encode_queries``,
``encode_chunks``, ``prepare_queries``). Tests that judge answer quality use the real model (slow tier).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from askseeds.embed.encoder import Encoded
from askseeds.terms import terms

FAKE_MODEL = "test:hashed-bag-of-words"


class FakeEmbedder:
    """Unit vectors of hashed stemmed terms; counts the texts it was asked to embed."""

    def __init__(self, dim: int = 64, name: str = FAKE_MODEL) -> None:
        self.name = name
        self.dim = dim
        self.max_tokens = 256
        self.chunks_encoded = 0  # how many chunk texts encode_chunks has seen

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for term in terms(text):
            digest = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big")
            vec[digest % self.dim] += 1.0 if digest >> 63 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0:  # no terms: any fixed unit vector keeps cosines defined
            vec[0], norm = 1.0, 1.0
        return vec / norm

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def prepare_queries(self) -> None:
        pass

    def encode_chunks(
        self,
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, ...]]],
        batch_size: int = 32,
    ) -> Encoded:
        self.chunks_encoded += len(texts)
        # A sentence's further ranges (its heading) are read with it, as the real model pools them.
        sentences = [
            self.encode(
                [" ".join(text[a:b] for a, b in zip(s[::2], s[1::2])) for s in spans]
            ).reshape(-1, self.dim)
            for text, spans in zip(texts, sentence_spans)
        ]
        return Encoded(self.encode(texts), sentences)
