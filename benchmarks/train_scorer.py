"""Learn the answer-sentence scorer's weights on SQuAD, and calibrate abstention.

Training data: the questions of the first 12 articles of the bundled SQuAD
slice, answered against an index of all 24 articles' paragraphs. Every sentence
of the top passages is a candidate, labelled 1 when it contains a gold answer.
A logistic regression over ``askseeds.features.FEATURES`` is fitted to them; the
last 12 articles are held out and reported separately.

Abstention: an index of the first 12 articles only, asked questions about them
(answerable) and questions about the last 12 (not answerable there), each scored
as ``ask()`` scores it (``Answerer.confidence``: the highest probability among the
sentences it would quote, less the penalty for question terms the corpus never
uses). The
``min_confidence`` with the best balanced accuracy is kept.

Writes ``src/askseeds/scorer_weights.py`` (with --write) and prints figures:

    python benchmarks/train_scorer.py            # fit, report
    python benchmarks/train_scorer.py --write    # ... and save the weights
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from squad_eval import SQUAD, corpus

from askseeds.config import Settings
from askseeds.features import FEATURES, Scorer
from askseeds.metrics import answer_in_text
from askseeds.retrieve import rank

OUT = Path(__file__).resolve().parent.parent / "src" / "askseeds" / "scorer_weights.py"
L2 = 1.0  # ridge penalty: keeps weights small where features are collinear


def candidates_of(bot, questions):
    """Per question: (question, its candidate sentences, best first), as ``ask()`` finds them."""
    vecs = bot.embedder.encode([q.question for q in questions], 64)
    for q, v in zip(questions, vecs):
        hits = rank(bot.index, q.question, v, bot.settings)
        yield q, bot._answerer.candidates(q.question, q.question, v, hits)


def candidate_sets(bot, questions):
    """Per question: (feature matrix, labels) of its candidate sentences."""
    out = []
    for q, cands in candidates_of(bot, questions):
        if not cands:
            out.append((np.zeros((0, len(FEATURES)), np.float32), np.zeros(0)))
            continue
        x = np.stack([c.features for c in cands])
        y = np.array([float(answer_in_text(q.answers, c.text)) for c in cands])
        out.append((x, y))
    return out


def fit_rank(sets) -> np.ndarray:
    """Listwise weights: maximise the softmax share of each question's answer-holding sentences."""
    lists = [(x.astype(np.float64), y) for x, y in sets if y.any() and not y.all()]

    def loss(w):
        total, grad = L2 * w @ w / 2, L2 * w
        for x, y in lists:
            s = x @ w
            s -= s.max()
            p = np.exp(s)
            p /= p.sum()
            q = p * y
            q /= q.sum()
            total -= np.log((p * y).sum())
            grad = grad + x.T @ (p - q)
        return total, grad

    w0 = np.zeros(lists[0][0].shape[1])
    return minimize(loss, w0, jac=True, method="L-BFGS-B").x


def fit_probability(sets) -> tuple[np.ndarray, float]:
    """Pointwise L2 logistic regression: P(sentence holds an answer), by Newton's method."""
    x = np.concatenate([s[0] for s in sets]).astype(np.float64)
    y = np.concatenate([s[1] for s in sets])
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    reg = L2 * np.eye(x1.shape[1])
    reg[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(25):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ (p - y) + reg @ w
        hess = (x1 * (p * (1 - p))[:, None]).T @ x1 + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def fit(sets) -> Scorer:
    weights, bias = fit_probability(sets)
    return Scorer(fit_rank(sets).astype(np.float32), weights.astype(np.float32), bias)


def top_hit(scorer: Scorer, sets) -> float:
    """Share of questions whose best-scored candidate contains a gold answer."""
    return statistics.mean(
        float(len(y) > 0 and y[int(np.argmax(scorer.rank(x)))] == 1) for x, y in sets
    )


def confidences(bot, questions) -> np.ndarray:
    """Per question, what ``ask()`` compares with ``min_confidence``: ``Answerer.confidence``
    (the highest probability among the sentences it would quote, less the penalty for
    question terms the corpus never uses), 0 when there is no candidate."""
    return np.array(
        [
            bot._answerer.confidence(q.question, bot._answerer.quoted(cands))
            for q, cands in candidates_of(bot, questions)
        ]
    )


def calibrate(scorer: Scorer, n: int) -> dict:
    bot, split = corpus(SQUAD, Settings(), half="first12")
    rng = random.Random(0)
    inside = rng.sample(split["first12"], min(n, len(split["first12"])))
    outside = rng.sample(split["last12"], min(n, len(split["last12"])))
    bot._answerer.scorer = scorer
    s_in, s_out = confidences(bot, inside), confidences(bot, outside)
    print(f"\n== Abstention (index: first 12 articles; {len(inside)} inside, {len(outside)} outside) ==")
    print(f"best confidence inside  p10/p50/p90: {np.percentile(s_in, [10, 50, 90]).round(3)}")
    print(f"best confidence outside p10/p50/p90: {np.percentile(s_out, [10, 50, 90]).round(3)}")
    best = None
    for t in np.arange(0.05, 0.95, 0.01):
        answered = float((s_in >= t).mean())
        abstained = float((s_out < t).mean())
        bal = (answered + abstained) / 2
        if best is None or bal > best["balanced"]:
            best = {"threshold": round(float(t), 2), "answered_inside": answered,
                    "abstained_outside": abstained, "balanced": bal}
        if round(t * 100) % 5 == 0:
            print(f"  min_confidence={t:.2f}: answers {answered:.3f} inside, "
                  f"abstains on {abstained:.3f} outside (balanced {bal:.3f})")
    print(f"best balanced: {best}")
    return best


def write(scorer: Scorer, threshold: float, figures: str) -> None:
    lines = [
        '"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.',
        "",
        *[f"{line}".rstrip() for line in figures.strip().splitlines()],
        '"""',
        "",
        "RANK_WEIGHTS = {",
        *[f'    "{name}": {w:.4f},' for name, w in zip(FEATURES, scorer.rank_weights)],
        "}",
        "WEIGHTS = {",
        *[f'    "{name}": {w:.4f},' for name, w in zip(FEATURES, scorer.weights)],
        "}",
        f"BIAS = {scorer.bias:.4f}",
        f"MIN_CONFIDENCE = {threshold:.2f}  # best balanced accuracy, answerable vs other articles",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="save the weights to scorer_weights.py")
    ap.add_argument("--calibration-questions", type=int, default=600)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    bot, split = corpus(SQUAD, Settings())
    train = candidate_sets(bot, split["first12"])
    held = candidate_sets(bot, split["last12"])
    old = bot._answerer.scorer
    scorer = fit(train)
    print("\n== Sentence scorer (logistic regression) ==")
    print(f"  {'feature':<12} {'rank':>7} {'prob':>7}")
    for name, r, w in zip(FEATURES, scorer.rank_weights, scorer.weights):
        print(f"  {name:<12} {r:+7.3f} {w:+7.3f}")
    print(f"  {'bias':<12} {'':>7} {scorer.bias:+7.3f}")
    rows = [
        ("questions with a candidate holding the answer",
         statistics.mean(float(y.any()) for _, y in train), statistics.mean(float(y.any()) for _, y in held)),
        ("current weights: best sentence holds the answer", top_hit(old, train), top_hit(old, held)),
        ("new weights: best sentence holds the answer", top_hit(scorer, train), top_hit(scorer, held)),
    ]
    table = [f"{'':<50} first 12 (train)  last 12 (held out)"]
    table += [f"{name:<50} {a:>16.3f}  {b:>18.3f}" for name, a, b in rows]
    print("\n".join(table))
    best = calibrate(scorer, args.calibration_questions)
    print(f"\ntook {time.perf_counter() - t0:.0f} s")
    if args.write:
        figures = "\n".join(table) + (
            f"\nmin_confidence {best['threshold']:.2f}: answers {best['answered_inside']:.3f} of "
            f"answerable, abstains on {best['abstained_outside']:.3f} of unanswerable questions"
        )
        write(scorer, best["threshold"], figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
