"""Segmented BM25: scores equal bm25s's, and an index grown by delta segments and tombstones
ranks exactly as one built from scratch over the same documents. Real text: the seeds' and
SQuAD's paragraphs (when the SQuAD slice is beside the checkout), no model needed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import bm25s
import numpy as np
import pytest
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds.index import bm25 as bm25_module
from askseeds.index import bm25_kernels
from askseeds.index.bm25 import LexicalIndex
from askseeds.terms import terms

ROOT = Path(__file__).resolve().parent.parent
SQUAD = Path(
    os.environ.get("ASKSEEDS_SQUAD")
    or ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-24articles.json"
)


def _paragraphs() -> tuple[list[str], list[str]]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    paragraphs = [p for t in texts for p in t.split("\n") if p.strip()]
    questions = list(ANSWERABLE + UNANSWERABLE)
    if SQUAD.exists():
        articles = json.loads(SQUAD.read_text(encoding="utf-8"))["data"][:6]
        paragraphs += [p["context"] for a in articles for p in a["paragraphs"]]
        questions += [q["question"] for a in articles for p in a["paragraphs"] for q in p["qas"]]
    return paragraphs, questions[::3]


PARAGRAPHS, QUESTIONS = _paragraphs()
DOCS = [terms(p) for p in PARAGRAPHS]


def _ranking(index: LexicalIndex, query: str, n: int = 15) -> list[tuple[int, float]]:
    # Extra depth, as Index.sparse asks for: which of several tied hits make the cut is open.
    rows, scores = index.search(terms(query), n + 16)
    return sorted(zip(rows.tolist(), scores.tolist()), key=lambda x: (-x[1], x[0]))[:n]


def _assert_same_ranking(got: LexicalIndex, want: LexicalIndex, query: str) -> None:
    """The same documents with the same scores, as far as float32 sums allow: their last
    bits depend on the order terms are added in, which the segments' bounds decide, so
    documents within that of each other may swap, and of those at the cut any may stay."""
    a, b = _ranking(got, query), _ranking(want, query)
    assert len(a) == len(b)
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)
    scores = dict(_ranking(got, query, 40))
    cut = b[-1][1] * (1 + 1e-5) if b else 0.0
    for row, score in b:
        if score > cut:
            assert row in scores and scores[row] == pytest.approx(score, rel=1e-5)


def test_scores_equal_bm25s():
    rows = np.arange(len(DOCS)) * 5 + 3  # row ids are not positions
    index = LexicalIndex.build(rows, DOCS)
    reference = bm25s.BM25()
    reference.index(DOCS, show_progress=False)
    for q in QUESTIONS:
        known = [t for t in terms(q) if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(DOCS))
        got_rows, got = index.search(terms(q), 10)
        np.testing.assert_allclose(got, np.sort(expected)[::-1][: len(got)], rtol=1e-5)
        assert len(got) == min(10, int((expected > 0).sum()))
        np.testing.assert_allclose(expected[(got_rows - 3) // 5], got, rtol=1e-5)


def _grown(tmp_path: Path) -> tuple[LexicalIndex, np.ndarray, list[list[str]]]:
    """An index built over the first half, then updated in four steps (adds and deletes),
    saved and reopened after each; with the rows and terms it should hold."""
    rng = np.random.default_rng(0)
    half = len(DOCS) // 2
    live = {r: DOCS[r] for r in range(half)}
    index = LexicalIndex.build(np.arange(half), [DOCS[r] for r in range(half)])
    next_row = half
    for step in range(4):
        add = list(range(next_row, min(next_row + 12, len(DOCS))))
        next_row += len(add)
        gone = sorted(rng.choice(sorted(live), size=6, replace=False).tolist())
        index = index.updated(
            np.asarray(add), [DOCS[r] for r in add], np.asarray(gone), [live[r] for r in gone]
        )
        for r in gone:
            del live[r]
        live.update({r: DOCS[r] for r in add})
        folder = tmp_path / f"g{step}"
        index.save(folder)
        index = LexicalIndex.open(folder)
    rows = np.asarray(sorted(live))
    return index, rows, [live[r] for r in rows.tolist()]


def test_updates_rank_as_a_full_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(bm25_module, "MERGE_SHARE", 1.0)  # keep the deltas apart
    grown, rows, docs = _grown(tmp_path)
    assert len(grown.segments) == 5  # the main segment and one delta per update
    fresh = LexicalIndex.build(rows, docs)
    assert grown.n_docs == fresh.n_docs == len(rows)
    for q in QUESTIONS:
        _assert_same_ranking(grown, fresh, q)
    for term in {t for q in QUESTIONS[:20] for t in terms(q)}:
        assert grown.doc_freq(term) == fresh.doc_freq(term)
    merged = grown.merged()
    assert len(merged.segments) == 1 and not len(merged.dead_rows)
    for q in QUESTIONS:
        _assert_same_ranking(merged, fresh, q)


def test_unchanged_segments_are_linked_not_copied(tmp_path):
    index = LexicalIndex.build(np.arange(40), DOCS[:40])
    index.save(tmp_path / "a")
    index = LexicalIndex.open(tmp_path / "a").updated(
        np.asarray([40]), [DOCS[40]], np.asarray([3]), [DOCS[3]]
    )
    index.save(tmp_path / "b")
    first = os.stat(tmp_path / "a" / "seg-0" / "docs.npy")
    again = os.stat(tmp_path / "b" / "seg-0" / "docs.npy")
    assert (first.st_ino, first.st_dev) == (again.st_ino, again.st_dev)
    assert sorted(p.name for p in (tmp_path / "b").iterdir() if p.is_dir()) == ["seg-0", "seg-1"]


def test_large_deltas_are_merged(monkeypatch):
    monkeypatch.setattr(bm25_module, "MERGE_SHARE", 0.05)
    index = LexicalIndex.build(np.arange(100), DOCS[:100])
    index = index.updated(np.arange(100, 104), DOCS[100:104], np.zeros(0, np.int64), [])
    assert len(index.segments) == 2
    index = index.updated(np.arange(104, 110), DOCS[104:110], np.asarray([0]), [DOCS[0]])
    assert len(index.segments) == 1 and index.n_docs == 109
    fresh = LexicalIndex.build(np.arange(1, 110), DOCS[1:110])
    for q in QUESTIONS[:40]:
        _assert_same_ranking(index, fresh, q)


@pytest.mark.parametrize("query", [[], ["zzzznotaword"]])
def test_queries_matching_nothing(query):
    index = LexicalIndex.build(np.arange(10), DOCS[:10])
    rows, scores = index.search(query, 5)
    assert len(rows) == len(scores) == 0


@pytest.mark.parametrize("compiled", [True, False])
def test_the_top_n_and_the_stop_test_match_a_full_sort(compiled, monkeypatch):
    if not compiled:
        monkeypatch.setattr(bm25_kernels, "_KERNELS", None)
    rng = np.random.default_rng(3)
    for count, n in [(0, 5), (3, 5), (5, 5), (500, 1), (500, 66), (5000, 66)]:
        table = np.zeros((6000, 2), np.float32)
        found = rng.choice(6000, size=6000, replace=False).astype(np.int64)
        # Ties included: scores drawn from a few values.
        table[found[:count], bm25_kernels.SCORE] = rng.integers(1, 40, count) / 4
        want = np.sort(table[found[:count], bm25_kernels.SCORE])[::-1][:n]
        for bound in (0.5, want[-1] if len(want) else 1.0, 9.0):
            expect = int((table[found[:count], bm25_kernels.SCORE] > bound).sum()) >= n
            assert bm25_kernels.n_above(table, found, count, n, bound) == expect
        before = table[:, bm25_kernels.SCORE].copy()
        keys, scores = bm25_kernels.take_top(table, found, count, n)
        assert sorted(scores.tolist(), reverse=True) == want.tolist()
        assert len(set(keys.tolist())) == len(keys) and set(keys.tolist()) <= set(found[:count])
        np.testing.assert_array_equal(before[keys], scores)
        assert not table[:, bm25_kernels.SCORE].any()  # every score back to 0


def test_the_numpy_loops_rank_as_the_compiled_ones(tmp_path, monkeypatch):
    # Where numba is missing, numpy does the loops: same candidates, same scores.
    monkeypatch.setattr(bm25_module, "MERGE_SHARE", 1.0)
    grown, _, _ = _grown(tmp_path)  # deltas and tombstones: dead documents are skipped
    assert bm25_kernels.COMPILED, "numba is a dependency: the compiled loops must load"
    compiled = [_ranking(grown, q) for q in QUESTIONS]
    monkeypatch.setattr(bm25_kernels, "_KERNELS", None)
    assert [_ranking(grown, q) for q in QUESTIONS] == compiled
