"""Fit the features' sentence ranker and sentence probability on SQuAD v1.1's first 12 articles.

Every candidate sentence of a question (as ``ask()`` finds them) is labelled 1 when it holds a
gold answer. ``rank`` is fitted listwise (the softmax share of a question's answer-holding
sentences), ``probability`` pointwise. The structure columns (``entry``, ``definition``,
``label``: SQuAD has no headings) keep their weights (``fit_structure.py``).

    python training/fit_ranker.py            # fit, print top-sentence accuracy (fit and report)
    python training/fit_ranker.py --write    # ... and save the weights
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from data import question_sets
from train_scorer import fit_listwise, logistic

from askseeds.answer.features import FEATURES
from askseeds.answer.reader import NONE
from askseeds.answer.scorer import Linear, default_scorer
from askseeds.config import Settings
from askseeds.eval.metrics import answer_in_text

STRUCTURE = ("entry", "definition", "label")
FITTED = [i for i, f in enumerate(FEATURES) if f not in STRUCTURE]


def candidate_sets(qs) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per answerable question: its candidates' features and labels."""
    return [
        (np.stack([c.features for c in cands]),
         np.array([float(answer_in_text(q.answers, c.text)) for c in cands]))
        for q, _, cands in qs.candidates()
        if q.answerable and cands
    ]  # fmt: skip


def top_hit(weights: np.ndarray, sets) -> float:
    return statistics.mean(float(y[int(np.argmax(x @ weights))] == 1) for x, y in sets)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="save the weights")
    args = ap.parse_args(argv)
    settings = Settings(reader=NONE)
    fit_set, report_set = (question_sets(settings, part)[0] for part in ("fit", "report"))
    fit_sets, report_sets = candidate_sets(fit_set), candidate_sets(report_set)
    scorer = default_scorer()
    shipped = scorer.rank_model.weights.astype(np.float64)
    rank = shipped.copy()
    rank[FITTED] = fit_listwise([(x[:, FITTED], y) for x, y in fit_sets])
    x = np.concatenate([x for x, _ in fit_sets])[:, FITTED]
    y = np.concatenate([y for _, y in fit_sets])
    w, b = logistic(x, y, np.ones(len(y)))
    prob = np.zeros(len(FEATURES))
    prob[FITTED] = w
    for name, sets in ((fit_set.name, fit_sets), (report_set.name, report_sets)):
        print(f"{name}: top sentence holds the answer {top_hit(rank, sets):.3f} "
              f"(shipped weights {top_hit(shipped, sets):.3f}), {len(sets)} questions")
    print("rank:", {f: round(float(v), 4) for f, v in zip(FEATURES, rank)})
    if args.write:
        replace(
            scorer,
            rank_model=Linear(rank.astype(np.float32)),
            probability_model=Linear(prob.astype(np.float32), b),
        ).save()
        print("wrote src/askseeds/answer/scorer_weights.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
