"""rerank(): hand-made hits and candidate sentences whose right order is known."""

from __future__ import annotations

import numpy as np
import pytest

from askseeds.answer.select import PASSAGE_DEPTH, Candidate
from askseeds.retrieve.hybrid import Hit
from askseeds.retrieve.rerank import rerank


def _cand(position: int, rank_score: float) -> Candidate:
    return Candidate(position, 0, 1, "x", 0.5, rank_score, 0.5, 0, np.zeros(1, np.float32))


def test_best_answer_sentence_lifts_its_passage():
    hits = [Hit(0, 1.00), Hit(1, 0.98), Hit(2, 0.50)]
    # Passage 1 holds the best sentence; passage 0's best is 1 log-odds worse.
    cands = [_cand(1, 10.0), _cand(0, 9.0), _cand(0, 8.0), _cand(2, 5.0)]
    out = rerank(hits, cands, weight=0.05)
    assert [h.position for h in out] == [1, 0, 2]
    assert out[0].score == pytest.approx(0.98)
    assert out[1].score == pytest.approx(1.00 - 0.05)
    assert out[2].score == pytest.approx(0.50 - 0.05 * 5)


def test_weight_zero_or_no_candidates_changes_nothing():
    hits = [Hit(0, 1.0), Hit(1, 0.9)]
    assert rerank(hits, [_cand(1, 3.0), _cand(0, 1.0)], weight=0) == hits
    assert rerank(hits, [], weight=0.05) == hits


def test_passage_without_candidates_gets_the_median_gain():
    hits = [Hit(0, 1.0), Hit(1, 0.99), Hit(2, 0.98), Hit(3, 0.97)]
    cands = [_cand(0, 0.0), _cand(1, 10.0), _cand(2, 4.0)]  # gains -10, 0, -6; median -6
    out = {h.position: h.score for h in rerank(hits, cands, weight=0.1)}
    assert out[3] == pytest.approx(0.97 - 0.6)
    assert out[3] == pytest.approx(out[2] - 0.01)


def test_only_the_top_passages_move():
    hits = [Hit(i, 1.0 - i / 100) for i in range(PASSAGE_DEPTH + 5)]
    cands = [_cand(i, float(i)) for i in range(PASSAGE_DEPTH + 5)]
    out = rerank(hits, cands, weight=1.0)
    assert out[PASSAGE_DEPTH:] == hits[PASSAGE_DEPTH:]
    assert [h.position for h in out[:PASSAGE_DEPTH]] == list(range(PASSAGE_DEPTH - 1, -1, -1))
