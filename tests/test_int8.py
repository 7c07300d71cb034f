"""The int8 ONNX embedder: made from the bundled model, cached with a checksum, a fallback."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from citations import SEEDS, assert_cited_exactly
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds.config import DEFAULT_MODEL, Settings
from askseeds.eval.harness import load_questions

pytestmark = pytest.mark.slow

INT8 = "onnx-int8:" + DEFAULT_MODEL
# Cosine of int8 to float32 vectors, seeds questions and passages; measured 0.998-1.0
# (mean 0.9996), so a broken export or tokenizer (cosines near 0.3-0.9) fails it.
MIN_COSINE = 0.99
# A sentence's vector pools a few tokens, so int8's rounding weighs more in it: 0.987 at worst
# on a host whose CPU lacks AVX-512 VNNI, where onnxruntime's int8 kernels round differently.
SENTENCE_MIN_COSINE = 0.98
# Activations are quantised per block of one row, so a question's vector does not depend on
# the batch it is encoded in (measured difference 0.0); padding may reorder float additions.
INT8_BATCH_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh model cache for this module: the export runs once, here."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASKSEEDS_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def int8(cache):
    from askseeds.embed.int8 import Int8Embedder

    return Int8Embedder(INT8)


def _questions() -> list[str]:
    return [q.question for q in load_questions(SEEDS.parent / "eval" / "seeds_questions.jsonl")]


def test_int8_vectors_are_close_to_float32_ones(int8, bot):
    texts = _questions() + [c.text for c in bot.index.chunks[:40]]
    cos = (int8.encode(texts) * bot.embedder.encode(texts)).sum(axis=1)
    assert cos.min() > MIN_COSINE, f"worst {cos.min():.3f}"
    assert int8.dim == bot.embedder.dim and int8.max_tokens == bot.embedder.max_tokens


def test_sentence_vectors_pool_the_same_forward_pass(int8, bot):
    from askseeds.ingest.chunk import sentence_offsets

    chunks = bot.index.chunks[:8]
    spans = [sentence_offsets(c) for c in chunks]
    mine = int8.encode_chunks([c.text for c in chunks], spans)
    ref = bot.embedder.encode_chunks([c.text for c in chunks], spans)
    assert (mine.chunks * ref.chunks).sum(axis=1).min() > MIN_COSINE
    for a, b in zip(mine.sentences, ref.sentences):
        assert a.shape == b.shape
        assert (a * b).sum(axis=1).min() > SENTENCE_MIN_COSINE


def test_questions_in_a_batch_stay_within_the_stated_tolerance(int8):
    texts = _questions()
    alone = np.stack([int8.encode_queries([t])[0] for t in texts])
    batched = np.concatenate(
        [int8.encode_queries(texts[i : i + 16]) for i in range(0, len(texts), 16)]
    )
    assert np.abs(batched - alone).max() < INT8_BATCH_TOLERANCE


def test_a_damaged_cache_is_rebuilt(int8, cache, caplog):
    from askseeds.embed.int8 import ONNX_FILE, Int8Embedder

    model_file = int8._folder / ONNX_FILE
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        again = Int8Embedder(INT8)
    assert "checksum mismatch" in caplog.text
    assert again._folder == int8._folder
    q = "Where was the seventh conference held?"
    assert np.abs(again.encode([q]) - int8.encode([q])).max() < 1e-6


def test_an_export_that_cannot_be_written_falls_back_to_pytorch(tmp_path, monkeypatch, caplog):
    from askseeds.embed.encoder import Embedder, _embedder

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("ASKSEEDS_CACHE_DIR", str(blocked))
    _embedder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            emb = _embedder(INT8)
    finally:
        _embedder.cache_clear()
    assert type(emb) is Embedder and emb.name == DEFAULT_MODEL
    assert "using the PyTorch model" in caplog.text


def test_changing_the_encoder_rebuilds_the_index(int8, tmp_path):
    from askseeds import Assistant

    index_dir = tmp_path / "index"
    first = Assistant.from_folder(SEEDS, index_dir=index_dir, progress=False)
    again = Assistant.from_folder(
        SEEDS, index_dir=index_dir, settings=Settings(model=INT8), progress=False
    )
    assert again.stats.changes["embedded"] == again.stats.passages == first.stats.passages
    assert again.stats.model == INT8
    # The rebuilt index answers what the float32 one answers (test_assistant), and refuses
    # what it refuses: one question's margin is no test of an encoder.
    for question in ANSWERABLE:
        answer = again.ask(question)
        assert not answer.abstained, question
        assert_cited_exactly(again, answer)
    for question in UNANSWERABLE:
        assert again.ask(question).abstained, question
