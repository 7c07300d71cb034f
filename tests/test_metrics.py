"""Tests for askseeds.eval.metrics and the validity of eval/seeds_questions.jsonl."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from askseeds.eval.metrics import (
    answer_in_text,
    best_span,
    dedupe_ranking,
    exact_match,
    f1_score,
    first_relevant_rank,
    mrr_at_k,
    normalize_answer,
    percentile,
    recall_at_k,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "eval" / "seeds_questions.jsonl"


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("The Cat!", "cat"),
        ("  A  quick, brown fox. ", "quick brown fox"),
        ("An apple and THE pear", "apple and pear"),
        ("theatre", "theatre"),  # articles only as whole words
        ("St. Louis", "st louis"),
        ("October 25-27", "october 2527"),
        ("", ""),
        # extension over official SQuAD: Unicode punctuation is removed too
        ("\u201cbarometer\u201d", "barometer"),
        ("Richard Nixon\u2019s visit", "richard nixons visit"),
        ("1979\u20141985", "19791985"),
    ],
)
def test_normalize_answer(raw: str, norm: str) -> None:
    assert normalize_answer(raw) == norm


def _official_squad_normalize(s: str) -> str:
    """Verbatim logic of the SQuAD v1.1 evaluate script, for comparison."""
    import re
    import string

    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def test_normalize_answer_equals_official_on_ascii() -> None:
    rng = random.Random(3)
    alphabet = "abcdefghijklmnopqrstuvwxyzAEHT0123456789 .,!?'\"-()$%\t\n"
    words = ["a", "an", "the", "The", "A", "An", "theatre", "cat", "St.", "U.S."]
    for _ in range(500):
        parts = [
            rng.choice(words) if rng.random() < 0.4 else "".join(rng.choices(alphabet, k=5))
            for _ in range(rng.randint(0, 8))
        ]
        text = rng.choice([" ", "", "-", ". "]).join(parts)
        assert normalize_answer(text) == _official_squad_normalize(text)


def test_exact_match() -> None:
    assert exact_match("The Cat!", ["cat"]) == 1.0
    assert exact_match("cat", "The cat.") == 1.0
    assert exact_match("a dog", ["cat", "Dog"]) == 1.0
    assert exact_match("cats", ["cat"]) == 0.0
    assert exact_match("anything", []) == 0.0


def test_f1_partial_overlap() -> None:
    # pred tokens: [green, cities, for, people] (4); gold: [build, green, cities] (3)
    # common = 2 -> P = 2/4, R = 2/3 -> F1 = 2PR/(P+R) = 4/7
    assert f1_score("green cities for the people", ["Build green cities"]) == pytest.approx(4 / 7)
    # max over golds
    assert f1_score("Suzhou city", ["Beijing", "Suzhou"]) == pytest.approx(2 / 3)
    assert f1_score("The Cat!", ["cat"]) == 1.0
    assert f1_score("dog", ["cat"]) == 0.0
    assert f1_score("", ["cat"]) == 0.0
    assert f1_score("cat", []) == 0.0


def test_f1_counts_repeated_tokens_once_per_match() -> None:
    # pred [a1 x x] vs gold [x y]: common = min(2,1) = 1 -> P=1/3, R=1/2 -> F1 = 0.4
    assert f1_score("alpha x x", ["x y"]) == pytest.approx(0.4)


def test_answer_in_text_token_boundaries() -> None:
    text = "In 1979, Hubei Province and Ohio State became the first pair (see St. Louis)."
    assert answer_in_text(["hubei province and ohio"], text)
    assert answer_in_text("LOUIS", text)
    assert answer_in_text(["nope", "1979"], text)
    assert not answer_in_text(["979"], text)  # inside a token
    assert not answer_in_text(["hio"], text)
    assert not answer_in_text(["the"], text)  # normalises to nothing
    assert not answer_in_text([], text)


def test_answer_in_text_possessive() -> None:
    text = "Hangzhou was the second stop of U.S. President Richard Nixon’s visit."
    assert answer_in_text(["Richard Nixon"], text)
    assert answer_in_text(["Nixon"], "It was Nixon's visit.")
    assert not answer_in_text(["Nixon"], "It was Nixons visit.")  # no apostrophe, another word
    # ... and in the gold: a gold written with the possessive is found as written.
    assert answer_in_text(["Richard Nixon's visit"], text)
    assert answer_in_text(["Do not update Black's cache"], "Do not update Black's cache now.")


def test_answer_in_text_reads_a_backtick_as_a_word_break() -> None:
    text = "Whether to measure :ref:`branch coverage <branch>` too."
    assert answer_in_text(["branch coverage"], text)
    assert answer_in_text(["`--check`"], "Pass --check to see it.")


def test_answer_in_text_reads_a_dash_as_a_word_break_or_a_join() -> None:
    text = "Dyrrachium—one of the most important naval bases of the Adriatic—fell again."
    assert answer_in_text(["Dyrrachium"], text) and answer_in_text(["the Adriatic"], text)
    assert answer_in_text(["setup phase"], "during the connection set-up phase, when")
    assert answer_in_text(["1914–1918"], "the war of 1914-1918")  # en dash and hyphen alike
    assert not answer_in_text(["one"], "Dyrrachium, someone said")  # still whole tokens


def test_answer_in_text_reads_the_brackets_of_a_link_as_word_breaks() -> None:
    text = "[Hervé Jégou](https://github.com/jegou) initiated the project."
    assert answer_in_text(["Hervé Jégou"], text)
    assert answer_in_text(["Python 3.10 or higher"], "needs [Python 3.10 or higher](https://x.org).")
    assert answer_in_text(["Nixon"], "Richard Nixon(1913-1994) visited")
    assert not answer_in_text(["one"], "someone(x)")  # still whole tokens


def test_best_span() -> None:
    text = "The conference, held in Suzhou, Jiangsu Province, was themed green."
    assert best_span(text, ["suzhou"]) == "Suzhou,"
    assert best_span(text, ["Jiangsu province"]) == "Jiangsu Province,"
    # the shortest occurrence over all golds wins
    assert best_span(text, ["Jiangsu Province", "Suzhou"]) == "Suzhou,"
    assert best_span(text, ["Beijing"]) is None
    assert best_span(text, ["suz"]) is None
    assert best_span("", ["x"]) is None
    # typographic quotes around the answer
    quoted = "The dialogue, themed \u201cBuilding Resilient Partnerships,\u201d was held."
    assert best_span(quoted, ["building resilient partnerships"]) == (
        "\u201cBuilding Resilient Partnerships,\u201d"
    )
    # leading article in the gold is ignored; spans are whole tokens
    assert best_span("pairs: 284 in all, later 288.", ["the 288"]) == "288."
    # earliest among equally short occurrences
    assert best_span("Hangzhou and Boston; Hangzhou again", ["hangzhou"]) == "Hangzhou"
    # EM/F1 of the best span
    span = best_span(text, ["Suzhou"])
    assert span is not None and exact_match(span, ["Suzhou"]) == 1.0


# --------------------------------------------------------------------------- ranking

RANKED = [["a", "x", "y"], ["x", "b", "y"], ["x", "y", "z"]]
RELEVANT = [{"a"}, {"b"}, {"c"}]


def test_first_relevant_rank() -> None:
    assert first_relevant_rank(["x", "a"], {"a"}) == 2
    assert first_relevant_rank(["x"], {"a"}) is None


def test_recall_at_k_hit_rate() -> None:
    assert recall_at_k(RANKED, RELEVANT, 1) == pytest.approx(1 / 3)
    assert recall_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 3)
    # several relevant ids: one hit is enough (hit-rate definition)
    assert recall_at_k([["p", "q"]], [{"q", "r", "s"}], 2) == 1.0


def test_mrr_at_k() -> None:
    # ranks 1, 2, none -> (1 + 0.5 + 0) / 3
    assert mrr_at_k(RANKED, RELEVANT, 5) == pytest.approx((1 + 0.5 + 0) / 3)
    # a relevant item beyond the cutoff counts as 0
    assert mrr_at_k(RANKED, RELEVANT, 1) == pytest.approx(1 / 3)


def test_ranking_argument_errors() -> None:
    with pytest.raises(ValueError):
        recall_at_k(RANKED, RELEVANT, 0)
    with pytest.raises(ValueError):
        mrr_at_k(RANKED, RELEVANT[:2], 3)
    with pytest.raises(ValueError):
        recall_at_k([], [], 3)
    with pytest.raises(ValueError):
        mrr_at_k([["a"]], [set()], 3)


def test_dedupe_ranking() -> None:
    assert dedupe_ranking(["d1", "d2", "d1", "d3", "d2"]) == ["d1", "d2", "d3"]


def _random_case(rng: random.Random) -> tuple[list[list[str]], list[set[str]]]:
    ranked, relevant = [], []
    for _ in range(rng.randint(1, 12)):
        ids = [f"d{i}" for i in range(15)]
        rng.shuffle(ids)
        ranked.append(ids[: rng.randint(0, 10)])
        relevant.append(set(rng.sample([f"d{i}" for i in range(15)], rng.randint(1, 3))))
    return ranked, relevant


def test_ranking_matches_ir_measures() -> None:
    ir_measures = pytest.importorskip("ir_measures")
    from ir_measures import RR, Qrel, ScoredDoc, Success

    rng = random.Random(1234)
    for _ in range(50):
        ranked, relevant = _random_case(rng)
        qrels = [Qrel(f"q{i}", d, 1) for i, rel in enumerate(relevant) for d in rel]
        # strictly decreasing scores so ir-measures keeps our order
        run = [
            ScoredDoc(f"q{i}", d, float(len(r) - pos))
            for i, r in enumerate(ranked)
            for pos, d in enumerate(r)
        ]
        for k in (1, 3, 5, 10):
            agg = ir_measures.calc_aggregate([Success @ k, RR @ k], qrels, run)
            assert recall_at_k(ranked, relevant, k) == pytest.approx(agg[Success @ k])
            assert mrr_at_k(ranked, relevant, k) == pytest.approx(agg[RR @ k])


# --------------------------------------------------------------------------- percentile


def test_percentile_by_hand() -> None:
    xs = [4.0, 1.0, 3.0, 2.0]  # sorted: 1 2 3 4
    assert percentile(xs, 0) == 1.0
    assert percentile(xs, 100) == 4.0
    assert percentile(xs, 50) == 2.5  # pos 1.5 -> 2 + 0.5
    assert percentile(xs, 90) == pytest.approx(3.7)  # pos 2.7 -> 3 + 0.7
    assert percentile([7], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(xs, 101)
    with pytest.raises(ValueError):
        percentile(xs, math.nan)


def test_percentile_matches_numpy() -> None:
    np = pytest.importorskip("numpy")
    rng = random.Random(7)
    for _ in range(100):
        xs = [rng.uniform(-100, 100) for _ in range(rng.randint(1, 30))]
        p = rng.uniform(0, 100)
        assert percentile(xs, p) == pytest.approx(float(np.percentile(xs, p)))


# --------------------------------------------------------------------------- question set


def _load_questions() -> list[dict]:
    rows = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                row = json.loads(line)
                assert isinstance(row, dict), f"line {n} is not an object"
                rows.append(row)
    return rows


def test_question_set_is_valid() -> None:
    rows = _load_questions()
    seed_files = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert seed_files, "no seed files"
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in seed_files}

    ids = [r.get("id") for r in rows]
    assert all(isinstance(i, str) and i for i in ids)
    assert len(ids) == len(set(ids)), "duplicate ids"

    problems: list[str] = []
    used: set[str] = set()
    for r in rows:
        rid = r["id"]
        has_q, has_t = "question" in r, "turns" in r
        if has_q == has_t:
            problems.append(f"{rid}: needs exactly one of question/turns")
        if has_q and not (isinstance(r["question"], str) and r["question"].strip()):
            problems.append(f"{rid}: empty question")
        if has_t and not (
            isinstance(r["turns"], list)
            and len(r["turns"]) >= 2
            and all(isinstance(t, str) and t.strip() for t in r["turns"])
        ):
            problems.append(f"{rid}: turns must be >= 2 non-empty strings")
        answers, sources = r.get("answers"), r.get("sources")
        if not (isinstance(answers, list) and all(isinstance(a, str) and a for a in answers)):
            problems.append(f"{rid}: answers must be a list of non-empty strings")
            continue
        if not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
            problems.append(f"{rid}: sources must be a list of strings")
            continue
        if r.get("unanswerable"):
            if answers or sources:
                problems.append(f"{rid}: unanswerable but has answers/sources")
            continue
        if not answers or not sources:
            problems.append(f"{rid}: answerable but answers or sources empty")
            continue
        missing = [s for s in sources if s not in texts]
        if missing:
            problems.append(f"{rid}: unknown sources {missing}")
            continue
        used.update(sources)
        low = {s: texts[s].lower() for s in sources}
        for a in answers:
            if not any(a.lower() in low[s] for s in sources):
                problems.append(f"{rid}: gold {a!r} not verbatim in any listed source")
        # Some gold must also be found by the metric itself (token boundaries after
        # normalisation); a single gold may sit inside a possessive ("Nixon’s").
        if not any(answer_in_text(answers, texts[s]) for s in sources):
            problems.append(f"{rid}: no gold found on token boundaries in its sources")
        for s in sources:
            if not any(a.lower() in low[s] for a in answers):
                problems.append(f"{rid}: source {s} contains none of the answers")
        if r.get("conflict") and len(answers) < 2:
            problems.append(f"{rid}: conflict item needs >= 2 answers")
    assert not problems, "\n".join(problems)

    unanswerable = [r for r in rows if r.get("unanswerable")]
    dialogues = [r for r in rows if "turns" in r]
    conflicts = [r for r in rows if r.get("conflict")]
    assert len(rows) >= 40
    assert len(unanswerable) >= 5
    assert len(dialogues) >= 4
    assert len(conflicts) >= 1
    assert set(seed_files) <= used, f"seed files never cited: {set(seed_files) - used}"
