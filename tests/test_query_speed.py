"""The fast query path (traced encoder, direct BM25 top-n, one sentence product) must
give what the library paths it replaces give, on the real model and seeds."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
import torch
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds.config import DEFAULT_MODEL
from askseeds.embed.encoder import TRACE_TOLERANCE, Embedder
from askseeds.retrieve.hybrid import bm25_search, dense_search
from askseeds.terms import terms

ODD = [
    "When?",  # not one of the trace's own probes ("Why?")
    "苏州在哪里？",
    "What " + "very " * 400 + "long question is cut at the model's limit?",
    "x",
]


@pytest.mark.parametrize("question", ANSWERABLE + UNANSWERABLE + ODD)
def test_traced_question_vector_equals_the_library_vector(bot, question):
    bot.embedder.prepare_queries()
    assert bot.embedder._query_path is not None, "the bundled model should be traced"
    fast = bot.embedder.encode_query(question)
    reference = bot.embedder._model.encode([question], normalize_embeddings=True)[0]
    assert fast.shape == (bot.embedder.dim,)
    assert np.abs(fast - reference).max() <= TRACE_TOLERANCE
    assert np.linalg.norm(fast) == pytest.approx(1.0, abs=1e-5)


def test_the_first_question_uses_the_library_and_later_ones_the_trace():
    embedder = Embedder(DEFAULT_MODEL)  # a fresh one: the shared embedder may be traced already
    first = embedder.encode_query(ANSWERABLE[0])
    assert embedder._query_path is None  # a one-question command never pays for tracing
    second = embedder.encode_query(ANSWERABLE[0])
    assert embedder._query_path is not None
    assert np.abs(first - second).max() <= TRACE_TOLERANCE


def test_an_untraceable_model_falls_back_to_the_library(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("this model cannot be traced")

    monkeypatch.setattr(torch.jit, "trace", refuse)
    embedder = Embedder(DEFAULT_MODEL)
    embedder.prepare_queries()
    vec = embedder.encode_query(ANSWERABLE[0])
    assert embedder._query_path is None
    reference = embedder._model.encode([ANSWERABLE[0]], normalize_embeddings=True)[0]
    np.testing.assert_allclose(vec, reference, atol=1e-6)


@pytest.mark.parametrize("question", ANSWERABLE + UNANSWERABLE)
def test_bm25_top_n_equals_bm25s_retrieve(bot, question):
    index = bot.index
    reference = bm25s.BM25()
    reference.index([terms(c.text) for c in index.chunks], show_progress=False)
    known = [t for t in terms(question) if t in reference.vocab_dict]
    n = min(20, len(index.chunks))
    ids, scores = reference.retrieve([known], k=n, show_progress=False, n_threads=1)
    expected = sorted(
        ((int(i), round(float(s), 4)) for i, s in zip(ids[0], scores[0]) if s > 0),
        key=lambda x: (-x[1], x[0]),
    )
    got = [(h.position, round(h.score, 4)) for h in bm25_search(index, terms(question), n)]
    # Ordered as expected is: scores that differ past the 4th decimal may swap when rounded.
    assert sorted(got, key=lambda x: (-x[1], x[0])) == expected


def test_sentence_similarities_equal_one_product_per_chunk(bot):
    index = bot.index
    vec = bot.encode(ANSWERABLE[1])
    positions = [h.position for h in dense_search(index, vec, len(index.chunks))]
    sims = index.sentence_sims(positions, vec)
    assert len(sims) == len(positions)
    for position, got in zip(positions, sims):
        a, b = index.sentence_rows[position], index.sentence_rows[position + 1]
        expected = index.sentence_vectors[a:b].astype(np.float32) @ vec
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert index.sentence_sims([], vec) == []
