"""Learn the answer-sentence scorer's weights on SQuAD, and calibrate abstention.

Training data: the questions of the first 12 articles of the bundled SQuAD
slice, answered against an index of all 24 articles' paragraphs. Every sentence
of the top passages is a candidate, labelled 1 when it contains a gold answer.
A logistic regression over ``askseeds.answer.features.FEATURES`` is fitted to them; the
last 12 articles are held out and reported separately.

Abstention: an index of the first 12 articles only. Questions about them are
answerable; two kinds are not: questions about the last 12 articles (off topic),
and the same first-12 questions with every passage holding their answer taken
out of the results (near misses: on topic, but the documents do not say). Each
is described as ``ask()`` describes it (``Answerer.evidence``: the likeliest
quoted sentence's probability and features), and a second logistic regression
separates answerable from not (``Scorer.answerable``). ``min_confidence`` is the
threshold with the best balanced accuracy: answered answerable questions against
the mean of abstained off-topic and near-miss ones. Figures are reported 2-fold
(fit on half of the questions, measured on the other half) before the final fit
on all of them.

Writes ``src/askseeds/answer/scorer_weights.py`` (with --write) and prints figures:

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
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from squad_eval import SQUAD, corpus

from askseeds.answer.features import FEATURES
from askseeds.answer.scorer import ANSWERABLE_INPUTS, Scorer
from askseeds.config import Settings
from askseeds.metrics import answer_in_text
from askseeds.retrieve import rank

OUT = Path(__file__).resolve().parent.parent / "src" / "askseeds" / "answer" / "scorer_weights.py"
L2 = 1.0  # ridge penalty: keeps weights small where features are collinear


def ranked(bot, questions):
    """Per question: (question, its vector, its ranked chunks), as ``ask()`` ranks them."""
    vecs = bot.embedder.encode([q.question for q in questions], 64)
    for q, v in zip(questions, vecs):
        yield q, v, rank(bot.index, q.question, v, bot.settings)


def candidates_of(bot, questions):
    """Per question: (question, its candidate sentences, best first), as ``ask()`` finds them."""
    for q, v, hits in ranked(bot, questions):
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
    """Pointwise: P(sentence holds an answer)."""
    x = np.concatenate([s[0] for s in sets])
    y = np.concatenate([s[1] for s in sets])
    return logistic(x, y, np.ones(len(y)))


def logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """L2-penalised weighted logistic regression by Newton's method: (weights, bias)."""
    x1 = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    reg = L2 * np.eye(x1.shape[1])
    reg[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ (weight * (p - y)) + reg @ w
        hess = (x1 * (weight * p * (1 - p))[:, None]).T @ x1 + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def fit(sets, old: Scorer) -> Scorer:
    """New sentence models; the abstention model is kept until ``calibrate`` refits it."""
    weights, bias = fit_probability(sets)
    return replace(
        old, rank_weights=fit_rank(sets).astype(np.float32), weights=weights.astype(np.float32),
        bias=bias,
    )


def top_hit(score, sets) -> float:
    """Share of questions whose best-scored candidate contains a gold answer; ``score`` maps a
    feature matrix to one score per row (``Scorer.rank``)."""
    return statistics.mean(float(len(y) > 0 and y[int(np.argmax(score(x)))] == 1) for x, y in sets)


def evidence(bot, questions, near_misses: bool = False):
    """Per question, what ``ask()`` weighs to abstain (``Answerer.evidence``; a row of NaN when
    nothing would be quoted). With ``near_misses``, also the same for the question made a near
    miss: every passage holding a gold answer taken out of its results. Returns (as asked,
    as near misses or None)."""
    answerer, chunks = bot._answerer, bot.index.chunks

    def row(question, vec, hits) -> np.ndarray:
        quoted = answerer.quoted(answerer.candidates(question, question, vec, hits))
        x = answerer.evidence(quoted)
        return np.full(len(ANSWERABLE_INPUTS), np.nan) if x is None else x

    asked, missed = [], []
    for q, v, hits in ranked(bot, questions):
        asked.append(row(q.question, v, hits))
        if near_misses:
            rest = [h for h in hits if not answer_in_text(q.answers, chunks[h.position].text)]
            missed.append(row(q.question, v, rest))
    return np.array(asked, np.float64), (np.array(missed, np.float64) if near_misses else None)


def fit_answerable(scorer: Scorer, inside, off_topic, near) -> Scorer:
    """``scorer`` with its abstention model fitted: answerable (1) against off-topic and
    near-miss questions (0), each of the three kinds weighing as much in all (the two
    unanswerable ones half as much as the answerable); a question with nothing to quote is
    left out (``ask()`` abstains on it anyway)."""
    x = np.vstack([inside, off_topic, near])
    y = np.concatenate([np.ones(len(inside)), np.zeros(len(off_topic) + len(near))])
    n = len(inside)
    weight = np.concatenate([
        np.ones(n), np.full(len(off_topic), 0.5 * n / len(off_topic)), np.full(len(near), 0.5)
    ])
    keep = ~np.isnan(x).any(axis=1)
    w, b = logistic(x[keep], y[keep], weight[keep])
    return replace(scorer, answerable_weights=w.astype(np.float32), answerable_bias=b)


def rates(scorer: Scorer, inside, off_topic, near, thresholds) -> list[dict]:
    """Per threshold, the shares answered / abstained on (no evidence: abstained)."""
    c_in, c_off, c_near = (
        np.nan_to_num(scorer.answerable(x), nan=0.0) for x in (inside, off_topic, near)
    )
    out = []
    for t in thresholds:
        answered = float((c_in >= t).mean())
        off, miss = float((c_off < t).mean()), float((c_near < t).mean())
        out.append({"threshold": round(float(t), 2), "answered": answered,
                    "abstained_off_topic": off, "abstained_near_miss": miss,
                    "balanced": (answered + (off + miss) / 2) / 2})
    return out


def best_threshold(scorer: Scorer, inside, off_topic, near) -> dict:
    return max(rates(scorer, inside, off_topic, near, np.arange(0.05, 0.95, 0.01)),
               key=lambda r: r["balanced"])


def calibrate(scorer: Scorer, n: int) -> tuple[Scorer, dict]:
    """Fit the abstention model for ``scorer`` and choose ``min_confidence`` (see the top)."""
    bot, split = corpus(SQUAD, Settings(), half="first12")
    rng = random.Random(0)
    inside_qs = rng.sample(split["first12"], min(n, len(split["first12"])))
    outside_qs = rng.sample(split["last12"], min(n, len(split["last12"])))
    bot._answerer.scorer = scorer
    inside, near = evidence(bot, inside_qs, near_misses=True)
    off_topic, _ = evidence(bot, outside_qs)
    print(f"\n== Abstention (index: first 12 articles; {len(inside)} answerable, "
          f"{len(off_topic)} off-topic, {len(near)} near-miss questions) ==")
    halves = np.random.default_rng(0)
    # A near miss is its answerable question altered, so the two stay in the same half.
    ins = np.array_split(halves.permutation(len(inside)), 2)
    off = np.array_split(halves.permutation(len(off_topic)), 2)
    held = []
    for (i_fit, i_test), (o_fit, o_test) in ((ins, off), (ins[::-1], off[::-1])):
        fold = fit_answerable(scorer, inside[i_fit], off_topic[o_fit], near[i_fit])
        t = best_threshold(fold, inside[i_fit], off_topic[o_fit], near[i_fit])["threshold"]
        held += rates(fold, inside[i_test], off_topic[o_test], near[i_test], [t])
    held_out = {k: statistics.mean(r[k] for r in held) for k in held[0]}
    fitted = fit_answerable(scorer, inside, off_topic, near)
    best = best_threshold(fitted, inside, off_topic, near)
    print(f"  {'input':<12} {'weight':>7}")
    for name, v in zip(ANSWERABLE_INPUTS, fitted.answerable_weights):
        print(f"  {name:<12} {v:+7.3f}")
    print(f"  {'bias':<12} {fitted.answerable_bias:+7.3f}")
    for label, r in (("2-fold held out", held_out), ("all, final fit", best)):
        print(f"  {label}: min_confidence {r['threshold']:.2f} answers {r['answered']:.3f}, "
              f"abstains on {r['abstained_off_topic']:.3f} off-topic and "
              f"{r['abstained_near_miss']:.3f} near-miss questions")
    return fitted, {**best, "held_out": held_out}


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
        "ANSWERABLE_WEIGHTS = {",
        *[f'    "{name}": {w:.4f},' for name, w in zip(ANSWERABLE_INPUTS, scorer.answerable_weights)],
        "}",
        f"ANSWERABLE_BIAS = {scorer.answerable_bias:.4f}",
        f"MIN_CONFIDENCE = {threshold:.2f}  # best balanced accuracy, answerable vs unanswerable",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="save the weights to scorer_weights.py")
    ap.add_argument("--calibration-questions", type=int, default=3000, help="per kind (all there are by default)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    bot, split = corpus(SQUAD, Settings())
    train = candidate_sets(bot, split["first12"])
    held = candidate_sets(bot, split["last12"])
    old = bot._answerer.scorer
    scorer = fit(train, old)
    print("\n== Sentence scorer (logistic regression) ==")
    print(f"  {'feature':<12} {'rank':>7} {'prob':>7}")
    for name, r, w in zip(FEATURES, scorer.rank_weights, scorer.weights):
        print(f"  {name:<12} {r:+7.3f} {w:+7.3f}")
    print(f"  {'bias':<12} {'':>7} {scorer.bias:+7.3f}")
    rows = [
        ("questions with a candidate holding the answer",
         statistics.mean(float(y.any()) for _, y in train), statistics.mean(float(y.any()) for _, y in held)),
        ("current weights: best sentence holds the answer", top_hit(old.rank, train), top_hit(old.rank, held)),
        ("new weights: best sentence holds the answer", top_hit(scorer.rank, train), top_hit(scorer.rank, held)),
    ]
    table = [f"{'':<50} first 12 (train)  last 12 (held out)"]
    table += [f"{name:<50} {a:>16.3f}  {b:>18.3f}" for name, a, b in rows]
    print("\n".join(table))
    scorer, best = calibrate(scorer, args.calibration_questions)
    print(f"\ntook {time.perf_counter() - t0:.0f} s")
    if args.write:
        h = best["held_out"]
        figures = "\n".join(table) + (
            f"\nabstention, 2-fold held out: answers {h['answered']:.3f} of answerable questions, "
            f"abstains on {h['abstained_off_topic']:.3f} off-topic\nand "
            f"{h['abstained_near_miss']:.3f} near-miss ones (min_confidence {best['threshold']:.2f})"
        )
        write(scorer, best["threshold"], figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
