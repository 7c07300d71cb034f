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

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..checksum import sha256_file
from .encoder import SMALL_BATCH, Encoded, QueryBatching, resolve_model, sentence_vectors, unit

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
EXPORT_TOLERANCE = 1e-4  # float32 ONNX vs the library's vectors: the export itself is exact
INT8_MIN_COSINE = 0.95  # int8 vs float32 on probe texts: below it the export is broken
PROBES = [
    "Why?",
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "The conference was held in Hangzhou, where mayors of both countries met in 2024. " * 3,
    "word " * 600,  # longer than the model reads: truncated
]
ONNX_FILE, BULK_FILE = "model-int8.onnx", "model-int8-bulk.onnx"  # questions; indexing
META_FILE, TOKENIZER_FILE = "meta.json", "tokenizer.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def is_int8(model: str) -> bool:
    return model.startswith(INT8_PREFIX)


def base_model(model: str) -> str:
    """The sentence-transformers model an ``onnx-int8:`` name is made from."""
    return model[len(INT8_PREFIX) :] if is_int8(model) else model


def cache_root() -> Path:
    env = os.environ.get("ASKSEEDS_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "askseeds"


def _fingerprint(path: str) -> str:
    """Names, sizes and times of the source model's files, the recipe and library versions."""
    import onnxruntime

    parts: dict = {"source": path, "recipe": RECIPE, "onnxruntime": onnxruntime.__version__}
    folder = Path(path)
    if folder.is_dir():
        parts["files"] = sorted(
            (str(f.relative_to(folder)), f.stat().st_size, f.stat().st_mtime_ns)
            for f in folder.rglob("*")
            if f.is_file()
        )
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def int8_files(path: str) -> tuple[Path, dict]:
    """The cached int8 model folder for the model at ``path`` and its metadata.

    Exports and quantises when the cache lacks it or fails its checks.
    """
    folder = cache_root() / "onnx" / _fingerprint(path)
    problem = _check_cache(folder)
    if problem is None:
        return folder, json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if problem != "not built yet":
        log.warning("cached int8 model in %s is unusable (%s); rebuilding it", folder, problem)
    log.info("exporting %s to int8 ONNX (once; about 10-30 s)", path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
    try:
        _export(path, tmp)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)  # whole folder at once: no reader sees half a model
    except OSError:
        # Another process renamed its copy into place first; it is checked below.
        log.info("could not move the int8 model into %s", folder, exc_info=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    problem = _check_cache(folder)
    if problem is not None:
        raise RuntimeError(f"the int8 model in {folder} is unusable after export ({problem})")
    log.info("int8 model cached in %s", folder)
    return folder, json.loads((folder / META_FILE).read_text(encoding="utf-8"))


def _check_cache(folder: Path) -> str | None:
    """What is wrong with a cached model folder, or None."""
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        return "not built yet"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not (folder / TOKENIZER_FILE).is_file():
            return "tokenizer missing"
        for name in (ONNX_FILE, BULK_FILE):
            onnx_path, expected = folder / name, meta["files"][name]
            if not onnx_path.is_file() or onnx_path.stat().st_size != expected["size"]:
                return f"{name} missing or of the wrong size"
            if sha256_file(onnx_path) != expected["sha256"]:
                return f"{name} checksum mismatch"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"metadata unreadable: {exc}"
    return None


def _export(path: str, out: Path) -> dict:
    """Export, quantise and check the model at ``path`` into folder ``out``; its metadata."""
    import onnx
    import torch
    from sentence_transformers import SentenceTransformer

    MatMulNBitsQuantizer = _quantizer_class()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = SentenceTransformer(path, device="cpu")
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    pooling = modules[1].get_config_dict().get("pooling_mode") if len(modules) > 1 else None
    supported = kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"])
    if not supported or pooling != "mean":
        raise ValueError(f"only transformer + mean pooling models export; this one is {kinds}")
    backbone = modules[0].model
    if hasattr(backbone, "set_attn_implementation"):
        backbone.set_attn_implementation(RECIPE["attention"])
    tokenizer = getattr(model.tokenizer, "backend_tokenizer", None)
    if tokenizer is None:
        raise ValueError("the model has no fast tokenizer to run without transformers")
    example = model.tokenizer(PROBES[:2], padding=True, return_tensors="pt")  # padded: masks
    names = [n for n in _INPUTS if n in example]

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = backbone

        def forward(self, *tensors):
            return self.backbone(**dict(zip(names, tensors))).last_hidden_state

    fp32 = out / "model-fp32.onnx"
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings of the exporter
        torch.onnx.export(
            Hidden().eval(),
            tuple(example[n] for n in names),
            str(fp32),
            input_names=names,
            output_names=["token_embeddings"],
            dynamic_axes=axes,
            opset_version=RECIPE["opset"],
            dynamo=False,
        )
    (out / TOKENIZER_FILE).write_text(tokenizer.to_str(), encoding="utf-8")
    meta = {
        "source": path,
        "recipe": RECIPE,
        "dim": int(model.get_embedding_dimension()),
        "max_tokens": int(model.max_seq_length),
        "lower_case": bool(getattr(modules[0], "do_lower_case", False)),
        "inputs": names,
    }
    reference = model.encode(
        PROBES, batch_size=1, normalize_embeddings=True, show_progress_bar=False
    )
    worst = float(np.abs(OnnxModel(out, meta, fp32).encode(PROBES) - reference).max())
    if worst > EXPORT_TOLERANCE:
        raise ValueError(f"the ONNX export differs from the model by {worst:.2g}")
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
    meta["files"] = {}
    for name in (ONNX_FILE, BULK_FILE):
        cosine = (OnnxModel(out, meta, out / name).encode(PROBES) * reference).sum(axis=1)
        if float(cosine.min()) < INT8_MIN_COSINE:
            raise ValueError(f"{name}'s vectors are off (cosine {cosine.min():.3f})")
        log.info("%s made (probe cosine to float32 >= %.4f)", name, cosine.min())
        meta["files"][name] = {"size": (out / name).stat().st_size, "sha256": sha256_file(out / name)}
    (out / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
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


class OnnxModel:
    """One onnxruntime session over an exported transformer, with its tokenizer.

    Returns token vectors and character offsets, or mean-pooled unit vectors.
    Thread-safe: the tokenizer and ``InferenceSession.run`` may be called from any thread.
    """

    def __init__(self, folder: Path, meta: dict, onnx_path: Path | None = None, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.meta = meta
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=meta["max_tokens"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Spinning threads waiting for work cost the other core 5-20x when it is busy.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(onnx_path or folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )

    def tokens(self, texts: Sequence[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per text: token vectors ``(n_tokens, dim)`` and offsets ``(n_tokens, 2)``."""
        texts = [t.lower() for t in texts] if self.meta["lower_case"] else list(texts)
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for i, e in enumerate(encodings):
            n = len(e.ids)
            ids[i, :n], types[i, :n], mask[i, :n] = e.ids, e.type_ids, 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {n: feeds[n] for n in self.meta["inputs"]})[0]
        lengths = [len(e.ids) for e in encodings]
        return (
            [hidden[i, :n] for i, n in enumerate(lengths)],
            [np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2) for e in encodings],
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled unit vectors ``(len(texts), dim)``, as the library's Pooling does."""
        vecs = np.stack([t.mean(axis=0) for t in self.tokens(texts)[0]])
        return unit(vecs)


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
        self._query_model = OnnxModel(self._folder, self._meta, threads=1)
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
