"""The answer stage's training: the reader's abstention model stacked on the features-only one,
the reader's tuned layers, and the bar for answers found by reading on."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

from fit_read_more import WRONG_ANSWER, best_bar
from train_scorer import Outcome, Seen, answered_refused, fit_stacked

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


def test_answered_and_refused_are_counted_apart_at_a_threshold():
    def seen(answerable):
        return Seen("g", answerable, ("a",), "q", [], np.zeros(0, np.float32))

    questions = [seen(True), seen(True), seen(True), seen(False), seen(False)]
    # The third answerable one would quote a wrong sentence: answered, it is still not right.
    outcomes = [Outcome(None, right_if_answered=r) for r in (True, True, False, False, False)]
    conf = np.array([0.9, 0.3, 0.8, 0.7, 0.2])
    assert answered_refused(questions, outcomes, conf, 0.5) == (1 / 3, 1 / 2)
    assert answered_refused(questions, outcomes, conf, 0.1) == (2 / 3, 0.0)
    assert answered_refused(questions, outcomes, conf, 0.95) == (0.0, 1.0)


@pytest.mark.slow
def test_the_reader_tuned_in_torch_starts_as_the_shipped_graph_and_writes_its_format():
    import onnx
    import torch
    from tune_reader import Pairs, Top, Weights

    from askseeds.answer.reader import OnnxReader, bundled_folder

    folder = bundled_folder()
    weights = Weights(onnx.load(str(folder / "model.onnx")))
    top = Top(weights, first=8).eval()
    written = top.initializers()
    # Untrained, it writes back the shipped int8 weights exactly, under the graph's own names.
    assert len(written) > 8 * 4
    for name, value in written.items():
        assert value.dtype == weights.init[name].dtype, name
        np.testing.assert_array_equal(value, weights.init[name], err_msg=name)
    pairs = [
        ("Where was the conference held?", "The conference was held in Hangzhou in October."),
        ("Where was the conference held?", "Iowa grows corn and soybeans."),
    ]
    shipped = OnnxReader(folder, "shipped").score(pairs)
    np.testing.assert_array_equal(OnnxReader(folder, "same", written).score(pairs), shipped)
    # From the states entering layer 8, the torch layers compute what the int8 graph does, up
    # to onnxruntime's int8 rounding, which depends on the CPU's kernels: 0.21 of logits near
    # +-10 on an AVX2 host without AVX-512 VNNI, under 0.1 on the hosts before it. The bound
    # checks the wiring, not the rounding.
    states = Pairs(folder, onnx.load(str(folder / "model.onnx")), 8, pairs)
    with torch.no_grad():
        again = top(*states.batch(np.arange(len(pairs)))).numpy()
    np.testing.assert_allclose(again, shipped, atol=0.4)
    assert shipped[0] > shipped[1] + 5
    # Changed weights change the scores the graph computes.
    with torch.no_grad():
        top.classifier.bias += 1.0
    moved = OnnxReader(folder, "moved", top.initializers()).score(pairs)
    np.testing.assert_allclose(moved, shipped + 1.0, atol=1e-4)


def test_reading_on_answers_only_above_the_bar_that_gains_most():
    # (confidence, score): +1 right, -1 an unanswerable question answered, -1/2 a wrong quote.
    found = [(0.38, -1.0), (0.40, 1.0), (0.42, -1.0), (0.44, WRONG_ANSWER), (0.50, 1.0),
             (0.55, 1.0), (0.60, -1.0), (0.70, 1.0)]  # fmt: skip
    bar, gain = best_bar(found, floor=0.37)
    assert (bar, gain) == (0.50, 2.0)
    assert best_bar(found, floor=0.65) == (0.70, 1.0)
    # Where reading on never gains, it never answers.
    assert best_bar([(0.4, -1.0), (0.5, WRONG_ANSWER)], floor=0.37) == (1.1, 0.0)
