"""Fit how much a reference entry's structure counts when ranking answer sentences.

SQuAD, which the other weights are fitted on, has no headings, so the three structure
features (``entry``, ``definition``, ``label`` in ``askseeds.answer.features``) are 0 on all
of it and cannot be learned there. They are fitted here instead, on questions about three
settings references kept for this alone (``training/structure/``: Black's command-line
options, Poetry's configuration, coverage.py's configuration reference in reST), with every
other weight held as shipped; the
ordinary-documents set (``eval/ordinary``) and the reference check set (``eval/reference``)
report them.

For each question the candidates are ranked as ``ask()`` ranks them; a candidate is right
when it holds a gold answer and comes from a gold source. The weights, each from a small
grid, are those whose top candidate is right most often (ties: the shipped weights, then the smallest).

    python training/fit_structure.py            # fit and print the figures
    python training/fit_structure.py --write    # ... and save them in scorer_weights.json
"""

from __future__ import annotations

import argparse
import itertools
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from askseeds import Assistant
from askseeds.answer.features import FEATURES
from askseeds.answer.scorer import WEIGHTS_FILE
from askseeds.eval.harness import load_questions
from askseeds.eval.metrics import answer_in_text

STRUCTURE = ("entry", "definition", "label")
COLUMNS = [FEATURES.index(n) for n in STRUCTURE]  # where they sit in a feature row
GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "training" / "structure"


def candidate_table(
    assistant: Assistant, questions
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per question: its candidates' rank scores without the structure features, their
    structure features, and whether each is right."""
    weights = assistant.answerer.scorer.rank_model.weights
    out = []
    for q in questions:
        vec = assistant.encode(q.question)
        _, cands = assistant.search(q.question, q.question, vec)
        if not cands:
            continue
        feats = np.array([c.features[COLUMNS] for c in cands], dtype=float)
        base = np.array([c.rank_score for c in cands]) - feats @ weights[COLUMNS]
        right = np.array(
            [
                assistant.index.chunks[c.position].source in q.sources
                and answer_in_text(q.answers, c.text)
                for c in cands
            ]
        )
        out.append((base, feats, right))
    return out


def accuracy(table, w: np.ndarray) -> float:
    return float(np.mean([right[np.argmax(base + feats @ w)] for base, feats, right in table]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="save the weights in scorer_weights.json")
    args = ap.parse_args()
    assistant = Assistant.from_folder(
        DATA / "docs", index_dir=ROOT / ".cache" / "structure-index", progress=False
    )
    questions = load_questions(DATA / "questions.jsonl")
    table = candidate_table(assistant, questions)
    shipped = assistant.answerer.scorer.rank_model.weights[COLUMNS]
    best = max(
        (np.array(w) for w in itertools.product(GRID, repeat=len(STRUCTURE))),
        # Ties keep what is shipped (then the smallest): a weight moves only for a gain.
        key=lambda w: (accuracy(table, w), -np.abs(w - shipped).sum(), -w.sum()),
    )
    print(f"{len(table)} fit questions; top candidate right:")
    print(f"  without structure        {accuracy(table, np.zeros(len(STRUCTURE))):.3f}")
    print(f"  shipped {dict(zip(STRUCTURE, shipped.tolist()))}  {accuracy(table, shipped):.3f}")
    print(f"  fitted  {dict(zip(STRUCTURE, best.tolist()))}  {accuracy(table, best):.3f}")
    if args.write:
        scorer = assistant.answerer.scorer
        weights = scorer.rank_model.weights.copy()
        weights[COLUMNS] = best
        rank = replace(scorer.rank_model, weights=weights)
        replace(scorer, rank_model=rank).save(WEIGHTS_FILE)
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
