"""Tests for askseeds.eval.harness: question sets, scoring pieces, the report, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from askseeds.eval.harness import (
    EvalFileError,
    Question,
    SourceTexts,
    answer_record,
    citation_exact,
    evaluate,
    failed,
    format_report,
    load_questions,
    retrieval_metrics,
    source_ranking,
    summarize_answers,
    write_squad_docs,
)
from askseeds.types import Answer, Citation, Location, Passage, Span

ROOT = Path(__file__).resolve().parents[1]


def _passage(source: str, text: str = "x.", also: tuple[str, ...] = (), sentences=()) -> Passage:
    return Passage(
        chunk_id=f"{source}#0",
        source=source,
        text=text,
        start=0,
        end=len(text),
        score=1.0,
        sentences=tuple(sentences),
        also_in=tuple(Location(s, 0, 1) for s in also),
    )


def _cite(source: str, text: str, start: int, n: int = 1) -> Citation:
    return Citation(n, source, start, start + len(text), text, 0.9)


def _write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- loading


def test_load_questions_plain_unanswerable_and_dialogue(tmp_path):
    path = _write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "a", "question": "Where?", "answers": ["Suzhou"], "sources": ["x.txt"]},
            {"id": "u", "question": "Who won?", "answers": [], "sources": [], "unanswerable": True},
            {"id": "d", "turns": ["Who is the mayor?", "Where was she born?"],
             "answers": ["Fuzhou"], "sources": ["y.txt"]},
        ],
    )
    a, u, d = load_questions(path)
    assert a == Question("a", "Where?", ("Suzhou",), ("x.txt",))
    assert a.answerable and not u.answerable and u.unanswerable
    assert d.question == "Where was she born?" and d.turns == ("Who is the mayor?",)


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        json.dumps({"id": "x", "answers": ["a"]}),  # no question
        json.dumps({"id": "x", "question": "Q?", "answers": []}),  # no answers, not unanswerable
        json.dumps({"id": "x", "turns": [], "answers": ["a"]}),
        json.dumps({"id": "x", "question": "Q?", "answers": [3]}),
        json.dumps({"id": "x", "question": "Q?", "answers": ["the", '$"..."']}),  # never found
    ],
)
def test_load_questions_rejects_bad_lines(tmp_path, line):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError):
        load_questions(path)


def test_load_questions_missing_or_empty(tmp_path):
    with pytest.raises(EvalFileError):
        load_questions(tmp_path / "nope.jsonl")
    (tmp_path / "e.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(EvalFileError):
        load_questions(tmp_path / "e.jsonl")


def test_seed_question_set_loads():
    qs = load_questions(ROOT / "eval" / "seeds_questions.jsonl")
    assert len(qs) == len({q.id for q in qs})
    assert any(q.turns for q in qs) and any(q.unanswerable for q in qs)


def test_write_squad_docs(tmp_path):
    squad = [
        {"title": "Victoria_(Australia)", "paragraphs": [
            {"context": "Melbourne is the capital.\nIt is big.", "qas": [
                {"id": "q1", "question": "What is the capital?",
                 "answers": [{"text": "Melbourne", "answer_start": 0},
                             {"text": "Melbourne", "answer_start": 0}]}]},
            {"context": "Second paragraph.", "qas": []},
        ]},
    ]
    folder, qs = write_squad_docs(squad, tmp_path / "docs")
    assert (folder / "Victoria_(Australia)" / "000.txt").read_text(encoding="utf-8").startswith(
        "Melbourne"
    )
    assert (folder / "Victoria_(Australia)" / "001.txt").exists()
    assert qs == [Question("q1", "What is the capital?", ("Melbourne",), ("Victoria_(Australia)/000.txt",))]
    stale = folder / "Old" / "000.txt"
    stale.parent.mkdir()
    stale.write_text("old", encoding="utf-8")
    mtime = (folder / "Victoria_(Australia)" / "000.txt").stat().st_mtime_ns
    write_squad_docs(squad, folder)
    assert not stale.exists()  # articles no longer asked for are removed
    assert (folder / "Victoria_(Australia)" / "000.txt").stat().st_mtime_ns == mtime


# --------------------------------------------------------------------------- retrieval


def test_source_ranking_collapses_and_counts_also_in():
    ps = [
        _passage("a.txt", also=("b.txt", "a.txt")),
        _passage("c.txt"),
        _passage("b.txt", also=("d.txt",)),
        _passage("a.txt"),
    ]
    assert source_ranking(ps) == ["a.txt", "b.txt", "c.txt", "d.txt"]


def test_retrieval_metrics_skip_unanswerable_and_compute_mrr():
    rankings = [["a", "b", "c"], ["x", "y", "g"], ["z"], ["q"]]
    relevant = [{"a"}, {"g"}, {"nope"}, set()]  # the last one is unanswerable
    m = retrieval_metrics(rankings, relevant, ks=(1, 3), curve=3)
    assert m["n"] == 3
    assert m["recall@1"] == pytest.approx(1 / 3)
    assert m["recall@3"] == pytest.approx(2 / 3)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert m["curve"] == pytest.approx([1 / 3, 1 / 3, 2 / 3])
    assert retrieval_metrics([["a"]], [set()]) == {"n": 0}


# --------------------------------------------------------------------------- answers


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "a.txt").write_text("The fifth conference was held in Suzhou. It was big.",
                                    encoding="utf-8")
    # A cp1252 file: offsets are in decoded characters, not bytes.
    (tmp_path / "b.txt").write_bytes("Caf\xe9 owners met in Nanjing.".encode("cp1252"))
    return SourceTexts(tmp_path, {"a.txt": "utf-8", "b.txt": "cp1252"})


def test_citation_exact_reads_with_the_document_encoding(corpus):
    assert citation_exact(_cite("a.txt", "It was big.", 41), corpus)
    assert citation_exact(_cite("b.txt", "Café owners met in Nanjing.", 0), corpus)
    assert not citation_exact(_cite("a.txt", "It was big.", 40), corpus)
    assert not citation_exact(_cite("missing.txt", "x", 0), corpus)
    utf8_view = SourceTexts(corpus.folder, {})
    assert not citation_exact(_cite("b.txt", "Café owners met in Nanjing.", 0), utf8_view)


def _answer(citations=(), abstained=False, passages=()):
    text = "Not found." if abstained else "\n\n".join(f"{c.snippet} [{c.number}]" for c in citations)
    return Answer("q", text, tuple(citations), abstained, tuple(passages))


def test_answer_record_scores_best_cited_span(corpus):
    q = Question("s1", "Where was the fifth conference held?", ("Suzhou",), ("a.txt",))
    first = "The fifth conference was held in Suzhou."
    passage = _passage("a.txt", first + " It was big.", sentences=(Span(0, 40), Span(41, 52)))
    ans = _answer([_cite("a.txt", first, 0)], passages=[passage])
    rec = answer_record(q, ans, corpus, latency=0.0123)
    assert rec["answer_hit"] and rec["top_citation_hit"] and rec["first_sentence_hit"]
    assert rec["em"] == 1.0 and rec["f1"] == 1.0  # best span "Suzhou." normalises to the gold
    assert rec["citations"] == rec["citations_gold"] == rec["citations_exact"] == 1
    assert rec["latency_ms"] == 12.3
    assert rec["top_citation_source_hit"]  # and a.txt is the question's file
    other = Question("s1", q.question, q.answers, ("b.txt",))
    rec = answer_record(other, ans, corpus)
    assert rec["top_citation_hit"] and not rec["top_citation_source_hit"]


def test_answer_record_without_answer_span_scores_top_snippet(corpus):
    q = Question("s2", "Who met?", ("Nanjing owners",), ("a.txt",))
    cite = _cite("b.txt", "Café owners met in Nanjing.", 0)
    passage = _passage("b.txt", "It was big.", sentences=(Span(0, 11),))
    rec = answer_record(q, _answer([cite], passages=[passage]), corpus)
    assert not rec["answer_hit"] and not rec["top_citation_hit"] and not rec["first_sentence_hit"]
    assert rec["em"] == 0.0 and 0 < rec["f1"] < 1
    assert rec["citations_gold"] == 0 and rec["citations_exact"] == 1


def test_abstention_figures_and_failures(corpus):
    ans_q = Question("a", "Where?", ("Suzhou",), ("a.txt",))
    un_q = Question("u", "Who won the cup?", unanswerable=True)
    good = _answer([_cite("a.txt", "The fifth conference was held in Suzhou.", 0)])
    recs = [
        answer_record(ans_q, good, corpus, 0.01),
        answer_record(ans_q, _answer(abstained=True), corpus, 0.02),  # false abstention
        answer_record(un_q, _answer(abstained=True), corpus, 0.03),  # right
        answer_record(un_q, good, corpus, 0.04),  # answered the unanswerable
    ]
    s = summarize_answers(recs)
    assert s["answerable"] == 2 and s["unanswerable"] == 2
    assert s["answer_hit"] == 0.5 and s["false_abstention"] == 0.5
    assert s["abstention_precision"] == 0.5 and s["abstention_recall"] == 0.5
    assert s["citation_precision"] == 1.0  # only answerable questions' citations are graded
    assert s["citation_exactness"] == 1.0
    assert s["latency_p50_ms"] == pytest.approx(25.0)
    why = {f["why"] for f in failed(recs)}
    assert why == {"abstained", "answered an unanswerable question"}


# --------------------------------------------------------------------------- evaluate with a fake assistant


class FakeAssistant:
    """Answers from a dict; records the history each ask received."""

    def __init__(self, folder: Path) -> None:
        self.docs_dir = folder
        self.index = SimpleNamespace(docs={"a.txt": SimpleNamespace(encoding="utf-8")})
        self.settings = None
        self.calls: list[tuple[str, list | None]] = []

    def ask(self, question, history=None):
        self.calls.append((question, history))
        if "capital" in question or "its" in question:
            c = _cite("a.txt", "The fifth conference was held in Suzhou.", 0)
            return Answer(question, f"{c.snippet} [1]", (c,), False,
                          (_passage("a.txt", c.snippet, sentences=(Span(0, 40),)),),
                          resolved_question=question)
        return Answer(question, "Not found.", (), True, (), resolved_question=question)

    def retrieve_batch(self, queries, k=None, mode="hybrid"):
        order = ["b.txt", "a.txt"] if mode == "bm25" else ["a.txt", "b.txt"]
        return [[_passage(s) for s in order] for _ in queries]


def test_evaluate_passes_dialogue_history_and_scores(corpus):
    bot = FakeAssistant(corpus.folder)
    qs = [
        Question("d", "Where was its conference?", ("Suzhou",), ("a.txt",), turns=("The capital?",)),
        Question("u", "Who won?", unanswerable=True),
    ]
    ticks = iter(range(100))
    report = evaluate(bot, qs, retrievers=("hybrid", "bm25"), k=5, clock=lambda: next(ticks) / 100)
    first, scored, _ = bot.calls
    assert first == ("The capital?", None)
    assert scored[1] == [
        {"role": "user", "content": "The capital?"},
        {"role": "assistant", "content": "The fifth conference was held in Suzhou. [1]"},
    ]
    assert report["retrieval"]["hybrid"]["recall@1"] == 1.0
    assert report["retrieval"]["bm25"]["recall@1"] == 0.0
    assert report["retrieval"]["bm25"]["mrr@10"] == 0.5
    a = report["answers"]["hybrid"]
    assert a["answer_hit"] == 1.0 and a["abstention_recall"] == 1.0
    assert a["abstention_precision"] == 1.0 and report["failed"] == []
    assert report["questions"][0]["rank"] == {"hybrid": 1, "bm25": 2}
    table = format_report(report)
    assert "recall@5" in table and "answer hit" in table and "Failed questions (0)" in table


# --------------------------------------------------------------------------- the real thing


@pytest.mark.slow
def test_cli_eval_on_seeds(tmp_path, capsys):
    from askseeds.cli import main

    out = tmp_path / "report.json"
    code = main([
        "eval", str(ROOT / "eval" / "seeds_questions.jsonl"), "--docs", str(ROOT / "seeds"),
        "--index-dir", str(tmp_path / "index"), "--limit", "10", "--retriever", "all",
        "--json", str(out),
    ])
    assert code == 0
    printed = capsys.readouterr().out
    assert "recall@1" in printed and "citation exactness" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["retrieval"]) == {"hybrid", "dense", "bm25"}
    assert len(report["questions"]) == 10
    hybrid = report["answers"]["hybrid"]
    assert hybrid["citation_exactness"] == 1.0
    assert report["retrieval"]["hybrid"]["recall@5"] >= 0.9
