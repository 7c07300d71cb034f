"""Votes on answers: the feedback file, its bounds, and the question set it becomes."""

from __future__ import annotations

import json
import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from citations import SEEDS
from fake_embedder import FAKE_MODEL, FakeEmbedder

from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.eval.harness import EvalFileError, feedback_questions
from askseeds.web.feedback import (
    FeedbackError,
    FeedbackLog,
    default_path,
    make_vote,
    read_votes,
    write_jsonl,
)

CITATION = {"number": 1, "source": "a.txt", "title": None, "date": "2025-01-02", "start": 0,
            "end": 5, "snippet": "Hello", "score": 0.9}
HISTORY = [
    {"role": "user", "content": "Where was the seventh conference held?"},
    {"role": "assistant", "content": "In Hangzhou. [1]"},
]


def _vote(vote="down", question="What was its theme?", **kw):
    return make_vote(vote, question, "It was green. [1]", citations=[CITATION],
                     history=HISTORY, **kw)


def test_a_vote_is_one_line_with_what_was_asked_and_answered(tmp_path):
    log = FeedbackLog(tmp_path / "votes.jsonl", 1 << 20)
    assert log.append(_vote(now=0))
    (line,) = (tmp_path / "votes.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    # Only what the user typed and what askseeds answered: no address, session or browser.
    assert set(record) == {"v", "vote", "question", "answer", "abstained", "history",
                           "citations", "resolved_question", "time"}
    assert record["time"] == "1970-01-01T00:00:00Z" and record["vote"] == "down"
    assert record["history"] == HISTORY and record["citations"] == [CITATION]
    assert read_votes(tmp_path / "votes.jsonl") == [_vote(now=0)]


def test_long_texts_and_odd_turns_are_cut(tmp_path):
    vote = make_vote("up", "q" * 10_000, "a" * 10_000,
                     history=[{"role": "system", "content": "x"}, "junk",
                              *[{"role": "user", "content": "u"}] * 50])
    assert len(vote.question) == len(vote.answer) == 4000
    assert len(vote.history) == 20 and {t["role"] for t in vote.history} == {"user"}
    with pytest.raises(ValueError, match="vote must be one of"):
        make_vote("meh", "q", "a")


def test_concurrent_votes_never_interleave(tmp_path):
    log = FeedbackLog(tmp_path / "votes.jsonl", 1 << 24)
    votes = [_vote(question=f"Question {i} " + "x" * (i * 97 % 3000)) for i in range(400)]
    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(log.append, votes))
    read = read_votes(tmp_path / "votes.jsonl")
    assert sorted(v.question for v in read) == sorted(v.question for v in votes)


def test_a_full_file_refuses_votes_and_keeps_what_it_has(tmp_path, caplog):
    path = tmp_path / "votes.jsonl"
    one = len(json.dumps(_vote().to_record(), ensure_ascii=False).encode()) + 1
    log = FeedbackLog(path, 2 * one + 10)
    assert log.append(_vote()) and log.append(_vote())
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING):
        assert not log.append(_vote())
    assert path.read_bytes() == before
    assert "is full" in caplog.text


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not JSON"),
        ('{"v": 1, "vote": "maybe", "question": "q", "answer": "a"}', "'vote' must be one of"),
        ('{"v": 9, "vote": "up", "question": "q", "answer": "a"}', "unknown format"),
        ('{"v": 1, "vote": "up", "question": 3, "answer": "a"}', "'question' must be text"),
        ('{"v": 1, "vote": "up", "question": "q", "answer": "a", "history": "x"}', "history"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_a_malformed_file_is_reported_with_its_line_number(tmp_path, line, problem):
    path = tmp_path / "votes.jsonl"
    good = json.dumps(_vote().to_record())
    path.write_text(f"{good}\n\n{line}\n{good}\n", encoding="utf-8")
    with pytest.raises(FeedbackError, match=rf"votes.jsonl:3: .*{problem}"):
        read_votes(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FeedbackError, match="cannot read feedback file"):
        read_votes(tmp_path / "nope.jsonl")


def test_down_votes_become_questions_to_label_and_labels_are_kept(tmp_path):
    votes = tmp_path / "votes.jsonl"
    log = FeedbackLog(votes, 1 << 20)
    log.append(_vote("down", now=1))
    log.append(_vote("up", question="Who is the mayor of Tacoma?", now=2))
    log.append(make_vote("down", "Who won the World Cup?", "Not found.", abstained=True, now=3))

    first = feedback_questions(votes)
    assert (first["votes"], first["down"], first["added"]) == (3, 2, 2)
    assert first["labelled"] == [] and first["to_label"] == 2
    entries = [json.loads(x) for x in first["path"].read_text(encoding="utf-8").splitlines()]
    follow_up, single = entries
    assert follow_up["turns"] == [HISTORY[0]["content"], "What was its theme?"]
    assert single["question"] == "Who won the World Cup?" and "turns" not in single
    assert all(e["answers"] == [] and e["sources"] == [] for e in entries)
    assert follow_up["feedback"]["cited"] == ["a.txt"]

    follow_up["answers"] = ["green"]
    single["unanswerable"] = True
    write_jsonl(first["path"], entries)
    log.append(_vote("down", question="And the next one?", now=4))
    second = feedback_questions(votes)
    assert second["added"] == 1 and second["to_label"] == 1
    assert [q.id for q in second["labelled"]] == [follow_up["id"], single["id"]]
    assert second["labelled"][0].turns == (HISTORY[0]["content"],)
    assert second["labelled"][1].unanswerable
    assert feedback_questions(votes)["added"] == 0  # the same votes are never added twice


def test_a_bad_line_in_the_question_set_names_its_line(tmp_path):
    votes = tmp_path / "votes.jsonl"
    FeedbackLog(votes, 1 << 20).append(_vote())
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "x", "question": "q", "answers": ["a"]}\n[]\n', encoding="utf-8")
    with pytest.raises(EvalFileError, match="labels.jsonl:2: expected a JSON object"):
        feedback_questions(votes, labels)
    labels.write_text('{"id": "x", "question": "q", "answers": [3]}\n', encoding="utf-8")
    with pytest.raises(EvalFileError, match="labels.jsonl:1: 'answers' and 'sources'"):
        feedback_questions(votes, labels)


def test_the_feedback_file_outlives_an_index_rebuild(tmp_path):
    docs = shutil.copytree(SEEDS, tmp_path / "docs")
    settings = replace(Settings(), model=FAKE_MODEL)
    bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", settings=settings,
                                progress=False, embedder=FakeEmbedder())
    path = default_path(bot.index.dir)
    assert path.parent == (tmp_path).resolve() and not path.is_relative_to(bot.index.dir)
    FeedbackLog(path, 1 << 20).append(_vote())
    rechunked = replace(settings, chunk_tokens=128)  # another chunking rebuilds the index
    rebuilt = Assistant.from_folder(docs, index_dir=tmp_path / "idx", settings=rechunked,
                                    progress=False, embedder=FakeEmbedder())
    assert rebuilt.stats.changes["embedded"] == rebuilt.stats.passages  # all rebuilt
    assert [v.question for v in read_votes(path)] == [_vote().question]
