"""The answer stage's training: the reader's abstention model stacked on the features-only one."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

from train_scorer import Outcome, Seen, fit_stacked

from askseeds.answer.scorer import ANSWERABLE_INPUTS, READER_ANSWERABLE_INPUTS, Linear


def test_the_stacked_abstention_model_keeps_the_features_models_say_and_learns_the_readers():
    rng = np.random.default_rng(0)
    n = len(ANSWERABLE_INPUTS)
    features = Linear(rng.normal(size=n).astype(np.float32), 0.3)
    seen, outcomes = [], []
    for i in range(600):
        answerable = bool(i % 2)
        x = rng.normal(size=n + 2).astype(np.float32)
        x[n + 1] += 2.0 if answerable else -2.0  # the reader's best logit tells them apart
        seen.append(Seen("g", answerable, ("a",), "q", [], np.zeros(0, np.float32)))
        outcomes.append(Outcome(x, right_if_answered=True))
    model, threshold = fit_stacked(features, seen, outcomes)
    assert model.weights.shape == (len(READER_ANSWERABLE_INPUTS),)
    # The features' weights enter only as the features-only model's logit, scaled as one.
    scale = model.weights[:n] / features.weights
    assert np.allclose(scale, scale[0], rtol=1e-4)
    assert model.weights[-1] > 1.0 > abs(scale[0])  # the reader separates, the features do not
    conf = np.array([1 / (1 + np.exp(-model(o.inputs))) for o in outcomes])
    assert np.mean((conf >= threshold) == np.array([s.answerable for s in seen])) > 0.95
