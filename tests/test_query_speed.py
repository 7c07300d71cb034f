"""The fast query path (the encoder's ONNX export or trace, direct BM25 top-n, one sentence
product) must give what the library paths it replaces give, on the real model and seeds."""

from __future__ import annotations

import logging

import bm25s
import numpy as np
import pytest
import torch
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds.config import DEFAULT_MODEL
from askseeds.embed.encoder import TRACE_TOLERANCE, Embedder
from askseeds.embed.onnx_model import FLOAT32_FILE
from askseeds.retrieve.hybrid import bm25_search, dense_search
from askseeds.terms import terms

ODD = [
    "When?",  # not one of the trace's own probes ("Why?")
    "苏州在哪里？",
    "What " + "very " * 400 + "long question is cut at the model's limit?",
    "x",
]


@pytest.mark.parametrize("question", ANSWERABLE + UNANSWERABLE + ODD)
def test_the_fast_question_vector_equals_the_library_vector(bot, question):
    bot.embedder.prepare_queries()
    assert bot.embedder.question_path == "onnx", "the bundled model should export to ONNX"
    fast = bot.embedder.encode_query(question)
    reference = bot.embedder._model.encode([question], normalize_embeddings=True)[0]
    assert fast.shape == (bot.embedder.dim,)
    assert np.abs(fast - reference).max() <= TRACE_TOLERANCE
    assert np.linalg.norm(fast) == pytest.approx(1.0, abs=1e-5)


def test_the_first_question_uses_the_library_and_later_ones_the_fast_path():
    embedder = Embedder(DEFAULT_MODEL)  # a fresh one: the shared one may be prepared already
    first = embedder.encode_query(ANSWERABLE[0])
    assert embedder._query_path is None  # a one-question command never pays for preparing
    second = embedder.encode_query(ANSWERABLE[0])
    assert embedder.question_path == "onnx"
    assert np.abs(first - second).max() <= TRACE_TOLERANCE


@pytest.fixture
def no_cache(tmp_path, monkeypatch):
    """A model cache that cannot be made: a file stands where its folder would go."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("ASKSEEDS_CACHE_DIR", str(blocked))


def test_without_an_onnx_export_questions_go_through_the_trace(no_cache):
    embedder = Embedder(DEFAULT_MODEL)
    embedder.prepare_queries()
    assert embedder.question_path == "traced"
    vec = embedder.encode_query(ANSWERABLE[0])
    reference = embedder._model.encode([ANSWERABLE[0]], normalize_embeddings=True)[0]
    assert np.abs(vec - reference).max() <= TRACE_TOLERANCE


def test_a_model_neither_exported_nor_traced_uses_the_library(no_cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("this model cannot be traced")

    monkeypatch.setattr(torch.jit, "trace", refuse)
    embedder = Embedder(DEFAULT_MODEL)
    embedder.prepare_queries()
    vec = embedder.encode_query(ANSWERABLE[0])
    assert embedder._query_path is None and embedder.question_path == "library"
    reference = embedder._model.encode([ANSWERABLE[0]], normalize_embeddings=True)[0]
    np.testing.assert_allclose(vec, reference, atol=1e-6)


def test_a_model_pooled_otherwise_is_traced_without_an_export(tmp_path, monkeypatch):
    # The bundled model's files with [CLS] pooling: a model the export does not cover.
    import json
    import shutil

    from askseeds.embed.encoder import resolve_model

    monkeypatch.setenv("ASKSEEDS_CACHE_DIR", str(tmp_path / "cache"))
    model = shutil.copytree(resolve_model(DEFAULT_MODEL), tmp_path / "cls-model")
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    pooling.write_text(json.dumps(config))
    embedder = Embedder(str(model))
    embedder.prepare_queries()
    assert embedder.question_path == "traced"
    assert not (tmp_path / "cache").exists()  # no export was tried
    vec = embedder.encode_query(ANSWERABLE[0])
    reference = embedder._model.encode([ANSWERABLE[0]], normalize_embeddings=True)[0]
    assert np.abs(vec - reference).max() <= TRACE_TOLERANCE


def test_a_damaged_onnx_export_is_made_again(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("ASKSEEDS_CACHE_DIR", str(tmp_path))
    first = Embedder(DEFAULT_MODEL)
    first.prepare_queries()  # exports into the empty cache, in a child process
    assert first.question_path == "onnx"
    (model_file,) = tmp_path.glob(f"onnx/*/{FLOAT32_FILE}")
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    again = Embedder(DEFAULT_MODEL)
    with caplog.at_level(logging.WARNING):
        again.prepare_queries()
    assert "checksum mismatch" in caplog.text
    assert again.question_path == "onnx"
    np.testing.assert_array_equal(
        again.encode_query(ANSWERABLE[0]), first.encode_query(ANSWERABLE[0])
    )


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
