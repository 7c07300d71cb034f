"""The learned models over sentence features: ranking, sentence probability, answerability.

Weights are learned from SQuAD by ``benchmarks/train_scorer.py`` and live in
``scorer_weights.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .features import FEATURES

# What decides between answering and abstaining: the likeliest quoted sentence's probability
# (as log-odds) and features. A question term the corpus never uses ("population") needs no
# input of its own: at the highest IDF, it lowers "lexical" the most by being absent.
ANSWERABLE_INPUTS = ("probability", *FEATURES)


def answerable_inputs(probability: float, features: np.ndarray) -> np.ndarray:
    """The vector ``Scorer.answerable`` reads, laid out as ``ANSWERABLE_INPUTS``."""
    p = min(max(probability, 1e-4), 1 - 1e-4)
    return np.concatenate([[math.log(p / (1 - p))], features]).astype(np.float32)


@dataclass(frozen=True)
class Scorer:
    """Three linear models.

    ``rank`` orders one question's candidate sentences (trained listwise: the
    sentence holding the answer should beat its rivals); ``probability`` says
    how likely a sentence holds the answer at all (trained pointwise over all
    candidates). ``answerable`` decides abstention, a question at a time: how
    likely the documents answer it at all, judged from ``answerable_inputs``.
    The sentence probability alone is a poor judge of that, having been trained
    only on questions whose answer is indexed.
    """

    rank_weights: np.ndarray
    weights: np.ndarray
    bias: float
    answerable_weights: np.ndarray
    answerable_bias: float

    def rank(self, features: np.ndarray) -> np.ndarray:
        return features @ self.rank_weights

    def probability(self, features: np.ndarray) -> np.ndarray:
        return _sigmoid(features @ self.weights + self.bias)

    def answerable(self, inputs: np.ndarray) -> np.ndarray:
        return _sigmoid(inputs @ self.answerable_weights + self.answerable_bias)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def default_scorer() -> Scorer:
    """The scorer trained on SQuAD's first 12 articles (see ``benchmarks/train_scorer.py``)."""
    from .scorer_weights import ANSWERABLE_BIAS, ANSWERABLE_WEIGHTS, BIAS, RANK_WEIGHTS, WEIGHTS

    def vector(table: dict[str, float], names: tuple[str, ...] = FEATURES) -> np.ndarray:
        # A feature the weights predate counts for nothing until the script is rerun.
        return np.array([table.get(f, 0.0) for f in names], dtype=np.float32)

    return Scorer(
        vector(RANK_WEIGHTS),
        vector(WEIGHTS),
        float(BIAS),
        vector(ANSWERABLE_WEIGHTS, ANSWERABLE_INPUTS),
        float(ANSWERABLE_BIAS),
    )
