"""The embedding model as int8 ONNX, run by onnxruntime.

``Settings.model = "onnx-int8:<model>"`` (e.g. ``onnx-int8:bundled:all-MiniLM-L6-v2``)
exports the sentence-transformers ``<model>``'s transformer to ONNX on first use, quantises
its MatMul weights to int8 twice (one file for questions, one for indexing, below) and caches
both under ``ASKSEEDS_CACHE_DIR`` (default ``~/.cache/askseeds``) with their SHA-256; a
damaged or stale cache is rebuilt. Pooling and normalisation are the model's own (mean over
tokens, unit length), done here in numpy, so the PyTorch model is not loaded once the cache
exists.

Questions: ``MatMulNBits`` (blocks of 32 weights share a scale; activations are quantised per
block of 32 values of one row at run time). ``quantize_dynamic`` (one activation scale per
whole batch tensor) made a question's vector depend on the batch it shared (up to 0.035 per
component), and moved questions to a mean cosine of 0.994 (min 0.970) from float32 with one
weight scale per channel, 0.964 (min 0.86) with one per tensor. With 32-value blocks, a
row's numbers never meet another row's: a question's vector is the same alone or in any
batch, and the mean cosine to float32 is 0.9996 (min 0.998) on the seeds questions.

Indexing has no such need, and blocks are slow on batches of long chunks: it runs
``quantize_dynamic`` (weights per channel; mean cosine to float32 0.995 on SQuAD paragraphs),
1.6-2x faster on 256-token chunks. The export uses eager attention: PyTorch's fused
attention exports as masking operators that took 16% of the run time.
``python benchmarks/core.py --int8`` compares speed and retrieval with float32.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .encoder import SMALL_BATCH, Encoded, QueryBatching, resolve_model, sentence_vectors, unit
from .onnx_model import FLOAT32_FILE, PROBES, OnnxModel, cached_export, export_float32, file_entry

log = logging.getLogger(__name__)

INT8_PREFIX = "onnx-int8:"
# What the cached file depends on besides the source model; a change here rebuilds it.
RECIPE = {
    "format": 3,
    "opset": 17,
    "attention": "eager",
    "bits": 8,
    "block_size": 32,
    "accuracy_level": 4,
    "bulk": "quantize_dynamic, MatMul, per channel, QInt8",
}
INT8_MIN_COSINE = 0.95  # int8 vs float32 on probe texts: below it the export is broken
ONNX_FILE, BULK_FILE = "model-int8.onnx", "model-int8-bulk.onnx"  # questions; indexing


def is_int8(model: str) -> bool:
    return model.startswith(INT8_PREFIX)


def base_model(model: str) -> str:
    """The sentence-transformers model an ``onnx-int8:`` name is made from."""
    return model[len(INT8_PREFIX) :] if is_int8(model) else model


def int8_files(path: str) -> tuple[Path, dict]:
    """The cached int8 model folder for the model at ``path`` and its metadata.

    Exports and quantises when the cache lacks it or fails its checks.
    """
    return cached_export(path, RECIPE, _build, "int8 ONNX model")


def _build(path: str, out: Path) -> dict:
    """Export, quantise and check the model at ``path`` into folder ``out``; its metadata."""
    import onnx

    MatMulNBitsQuantizer = _quantizer_class()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    meta, reference = export_float32(path, out, RECIPE["attention"], RECIPE["opset"])
    fp32 = out / FLOAT32_FILE
    logging.disable(logging.WARNING)  # the quantisers log every tensor to the root logger
    try:
        quantizer = MatMulNBitsQuantizer(
            onnx.load(str(fp32)),
            bits=RECIPE["bits"],
            block_size=RECIPE["block_size"],
            is_symmetric=True,
            accuracy_level=RECIPE["accuracy_level"],  # int8 x int8 products, not float
        )
        quantizer.process()
        quantizer.model.save_model_to_file(str(out / ONNX_FILE), False)
        quantize_dynamic(
            str(fp32),
            str(out / BULK_FILE),
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
        )
    finally:
        logging.disable(logging.NOTSET)
    fp32.unlink()
    meta["recipe"] = RECIPE
    meta["files"] = {}
    for name in (ONNX_FILE, BULK_FILE):
        cosine = (OnnxModel(out, meta, out / name).encode(PROBES) * reference).sum(axis=1)
        if float(cosine.min()) < INT8_MIN_COSINE:
            raise ValueError(f"{name}'s vectors are off (cosine {cosine.min():.3f})")
        log.info("%s made (probe cosine to float32 >= %.4f)", name, cosine.min())
        meta["files"][name] = file_entry(out / name)
    return meta


def _quantizer_class():
    """onnxruntime's MatMulNBitsQuantizer, imported without the root-logger setup it does."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    finally:  # its module calls logging.basicConfig(level=INFO) for the whole process
        root.setLevel(level)
        root.handlers[:] = handlers
    return MatMulNBitsQuantizer


class Int8Embedder(QueryBatching):
    """``Embedder``'s interface over the int8 ONNX model of a sentence-transformers model.

    Questions run on one thread (a session of its own, blocks: batch-independent), many texts
    on all cores; chunks being indexed run ``BULK_FILE`` on all cores.
    """

    def __init__(self, model: str) -> None:
        self.name = model
        self._folder, self._meta = int8_files(resolve_model(base_model(model)))
        self.dim = int(self._meta["dim"])
        self.max_tokens = int(self._meta["max_tokens"])
        self._query_model = OnnxModel(self._folder, self._meta, self._folder / ONNX_FILE)
        # Made on first use, on all cores: a server may never index. Per file.
        self._bulk: dict[str, OnnxModel] = {}
        self._bulk_lock = threading.Lock()

    def _bulk_model(self, name: str = BULK_FILE) -> OnnxModel:
        with self._bulk_lock:
            if name not in self._bulk:
                self._bulk[name] = OnnxModel(
                    self._folder, self._meta, self._folder / name, os.cpu_count() or 1
                )
            return self._bulk[name]

    def _runs(self, texts: Sequence[str], batch_size: int, run):
        """``run`` over batches of similar length (less padding), results in input order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            part = order[start : start + batch_size]
            for i, result in zip(part, run([texts[i] for i in part])):
                out[i] = result
        return out

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Encode texts to unit vectors of shape ``(len(texts), dim)``, as questions are: a
        text's vector does not depend on its batch (a question set is encoded this way)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._query_model if len(texts) <= SMALL_BATCH else self._bulk_model(ONNX_FILE)
        return np.stack(self._runs(texts, batch_size, model.encode))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions to unit vectors ``(len(texts), dim)``, on one thread."""
        return self._query_model.encode(texts)

    def prepare_queries(self) -> None:
        """Make the runtime's first-call allocations now rather than for a visitor."""
        self._query_model.encode(["A question to warm the model up?"])

    def encode_chunks(
        self,
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, ...]]],
        batch_size: int = 32,
    ) -> Encoded:
        """As ``Embedder.encode_chunks``: chunk vectors and pooled sentence vectors."""
        if not texts:
            return Encoded(np.zeros((0, self.dim), dtype=np.float32), [])
        model = self._bulk_model()
        pairs = self._runs(texts, batch_size, lambda part: zip(*model.tokens(part)))
        tokens = [t for t, _ in pairs]
        offsets = [(o[:, 0], o[:, 1]) for _, o in pairs]
        chunks = unit(np.stack([t.mean(axis=0) for t in tokens]))
        sentences = sentence_vectors(
            texts, sentence_spans, tokens, offsets, lambda xs: self.encode(xs, batch_size)
        )
        return Encoded(chunks, sentences)
