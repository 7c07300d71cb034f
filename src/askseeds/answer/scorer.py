"""The learned models over sentence features and the reader: ranking, sentence probability,
answerability, and when the reader may be skipped.

Weights are data: ``scorer_weights.json`` beside this file, written by
``training/train_scorer.py``, which also records the embedder, reader and chunking they were
fitted with (``Scorer.mismatches`` names any that differ from the running ones).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import FEATURES

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")

# What decides between answering and abstaining: the likeliest quoted sentence's probability
# (as log-odds) and features. A question term the corpus never uses ("population") needs no
# input of its own: at the highest IDF, it lowers "lexical" the most by being absent.
ANSWERABLE_INPUTS = ("probability", *FEATURES)
# With a reader: its logit for the sentence answered first, and the best logit it gave.
READER_RANK_INPUTS = ("rank", "reader")
READER_ANSWERABLE_INPUTS = (*ANSWERABLE_INPUTS, "reader", "reader_best")


def answerable_inputs(probability: float, features: np.ndarray) -> np.ndarray:
    """The vector ``Scorer.answerable`` reads, laid out as ``ANSWERABLE_INPUTS``."""
    p = min(max(probability, 1e-4), 1 - 1e-4)
    return np.concatenate([[math.log(p / (1 - p))], features]).astype(np.float32)


@dataclass(frozen=True)
class Linear:
    """A linear model: ``x @ weights + bias``."""

    weights: np.ndarray
    bias: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.bias

    def to_dict(self, names: tuple[str, ...]) -> dict:
        out = {n: round(float(w), 4) for n, w in zip(names, self.weights)}
        return out | {"bias": round(float(self.bias), 4)} if self.bias else out

    @classmethod
    def from_dict(cls, table: dict, names: tuple[str, ...]) -> Linear:
        # An input the weights predate counts for nothing until the training is rerun.
        w = np.array([float(table.get(n, 0.0)) for n in names], dtype=np.float32)
        return cls(w, float(table.get("bias", 0.0)))


@dataclass(frozen=True)
class ReaderModels:
    """How the reader's score enters: ``rank`` reorders the ``top`` leading candidates by
    (their rank score, the reader's logit); ``answerable`` decides abstention with it.

    The reader is skipped when the features alone are sure: the best candidate leads the
    second by ``skip_margin`` in rank score and the features-only confidence is at least
    ``skip_above`` or below ``skip_below`` (chosen on the fit articles). ``select`` also
    skips it when the best candidate stands under a reference entry the question names.

    Where what it read would be refused, it reads the next ``more`` candidates too, and
    answers from all it read if that reaches ``more_min_confidence`` (fitted on the fit
    articles by ``training/fit_read_more.py``): the best of more sentences is likelier to
    look like an answer by chance, so it must clear a higher bar.
    """

    top: int
    rank: Linear
    answerable: Linear
    min_confidence: float
    skip_margin: float = math.inf
    skip_above: float = 1.1
    skip_below: float = -0.1
    more: int = 0
    more_min_confidence: float = 1.1


@dataclass(frozen=True)
class Scorer:
    """Linear models over a question's candidate sentences.

    ``rank`` orders one question's candidates (trained listwise: the sentence holding the
    answer should beat its rivals); ``probability`` says how likely a sentence holds the answer
    at all (pointwise over all candidates). ``answerable`` decides abstention, a question at a
    time, from ``answerable_inputs``; below ``min_confidence`` ``ask()`` abstains. ``reader``
    holds the models used when a reader reads the leading candidates.
    """

    rank_model: Linear
    probability_model: Linear
    answerable_model: Linear
    min_confidence: float
    reader: ReaderModels | None = None
    fitted_with: dict = field(default_factory=dict)
    figures: tuple[str, ...] = ()

    def rank(self, features: np.ndarray) -> np.ndarray:
        return self.rank_model(features)

    def probability(self, features: np.ndarray) -> np.ndarray:
        return _sigmoid(self.probability_model(features))

    def answerable(self, inputs: np.ndarray) -> np.ndarray:
        return _sigmoid(self.answerable_model(inputs))

    def mismatches(self, running: dict) -> list[str]:
        """The fitted-with settings (embedder, reader, chunking) that differ from ``running``."""
        return [
            f"{key}: fitted with {self.fitted_with[key]!r}, running {running[key]!r}"
            for key in running
            if key in self.fitted_with and self.fitted_with[key] != running[key]
        ]

    def to_dict(self) -> dict:
        r = self.reader
        return {
            "about": "Weights of askseeds.answer.scorer, written by training/train_scorer.py.",
            "fitted_with": self.fitted_with,
            "figures": list(self.figures),
            "rank": self.rank_model.to_dict(FEATURES),
            "probability": self.probability_model.to_dict(FEATURES),
            "answerable": self.answerable_model.to_dict(ANSWERABLE_INPUTS),
            "min_confidence": round(self.min_confidence, 3),
            "reader": None if r is None else {
                "top": r.top,
                "rank": r.rank.to_dict(READER_RANK_INPUTS),
                "answerable": r.answerable.to_dict(READER_ANSWERABLE_INPUTS),
                "min_confidence": round(r.min_confidence, 3),
                "skip": {"margin": r.skip_margin, "above": r.skip_above, "below": r.skip_below},
                "more": {"read": r.more, "min_confidence": round(r.more_min_confidence, 3)},
            },
        }  # fmt: skip

    @classmethod
    def from_dict(cls, doc: dict) -> Scorer:
        r = doc.get("reader")
        reader = None
        if r:
            skip = r.get("skip") or {}
            more = r.get("more") or {}
            reader = ReaderModels(
                top=int(r["top"]),
                rank=Linear.from_dict(r["rank"], READER_RANK_INPUTS),
                answerable=Linear.from_dict(r["answerable"], READER_ANSWERABLE_INPUTS),
                min_confidence=float(r["min_confidence"]),
                skip_margin=float(skip.get("margin", math.inf)),
                skip_above=float(skip.get("above", 1.1)),
                skip_below=float(skip.get("below", -0.1)),
                more=int(more.get("read", 0)),
                more_min_confidence=float(more.get("min_confidence", 1.1)),
            )
        return cls(
            rank_model=Linear.from_dict(doc["rank"], FEATURES),
            probability_model=Linear.from_dict(doc["probability"], FEATURES),
            answerable_model=Linear.from_dict(doc["answerable"], ANSWERABLE_INPUTS),
            min_confidence=float(doc["min_confidence"]),
            reader=reader,
            fitted_with=dict(doc.get("fitted_with") or {}),
            figures=tuple(doc.get("figures") or ()),
        )

    @classmethod
    def load(cls, path: str | Path = WEIGHTS_FILE) -> Scorer:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: str | Path = WEIGHTS_FILE) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


_DEFAULT: Scorer | None = None


def default_scorer() -> Scorer:
    """The shipped scorer (``scorer_weights.json``), read once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Scorer.load()
    return _DEFAULT
