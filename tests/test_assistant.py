"""End-to-end behaviour of the Assistant with the real bundled model on the real seeds."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from citations import SEEDS, assert_cited_exactly, source_text
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds import Assistant
from askseeds.answer.features import read_sentence
from askseeds.answer.select import PASSAGE_DEPTH
from askseeds.config import Settings
from askseeds.errors import CorpusError, EmptyQueryError
from askseeds.retrieve.hybrid import rank

ROOT = SEEDS.parent

DEBRIS = re.compile(
    r"人阅读|ICP|Copyright|Editor:|Originally published|COURTESY PHOTO|EXPLORE SHINE|"
    r"Shenzhou-20|All Rights Reserved|Images courtesy"
)


def _bot_over(tmp_path, files: dict[str, str]) -> tuple[Assistant, Path]:
    """An Assistant over a folder holding ``files`` (name -> text), and that folder."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in files.items():
        (docs / name).write_text(text)
    return Assistant.from_folder(docs, index_dir=tmp_path / "idx", progress=False), docs


def _cited(bot: Assistant, docs: Path, question: str):
    """``bot``'s answer to ``question``, which must quote the documents, each exactly."""
    answer = bot.ask(question)
    assert answer.citations, answer.text
    assert_cited_exactly(bot, answer, docs)
    return answer


@pytest.mark.parametrize("question", ANSWERABLE)
def test_answers_are_cited_exactly_and_short(bot, question):
    answer = bot.ask(question)
    assert not answer.abstained, answer.text
    assert 1 <= len(answer.citations) <= 3
    assert "[1]" in answer.text
    assert_cited_exactly(bot, answer)
    for c in answer.citations:
        assert c.snippet in answer.text
        assert not DEBRIS.search(c.snippet)


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_abstains_when_documents_do_not_say(bot, question):
    answer = bot.ask(question)
    assert answer.abstained
    assert "not found in the documents" in answer.text.lower()
    assert answer.citations == ()
    assert answer.passages, "closest passages are still shown"


def test_debris_is_never_retrieved(bot):
    for question in ["Shenzhou-20 spacecraft returns safely", "Copyright Shanghai Daily hotline",
                     "Nanjing massacre survivor", "ICP licence"]:
        for p in bot.retrieve(question, k=10):
            assert not DEBRIS.search(p.text), p.text


def test_passage_offsets_point_into_sources(bot):
    for p in bot.retrieve("sister cities conference theme", k=8):
        text = source_text(bot, p.source)
        for s in p.sentences:
            assert text[s.start : s.end] in p.text
        assert p.start <= p.sentences[0].start and p.sentences[-1].end <= p.end


def test_follow_up_uses_history(bot):
    first = "Where was the seventh China-U.S. Sister Cities Conference held?"
    a1 = bot.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": a1.text}]
    a2 = bot.ask("What was its theme?", history=history)
    assert not a2.abstained
    assert "Closer Partnership for a Sustainable Future" in a2.text
    assert a2.citations[0].source.startswith("004")
    assert_cited_exactly(bot, a2)


def test_conflicting_figures_are_shown_newest_first(bot):
    answer = bot.ask("How many sister city pairs have China and the United States established?")
    assert answer.conflict
    figures = [re.search(r"\b28[48]\b", c.snippet).group() for c in answer.citations[:2]]
    assert figures == ["288", "284"]
    dates = [c.date for c in answer.citations if c.date]
    assert dates == sorted(dates, reverse=True)
    assert all(c.date for c in answer.citations[:2])
    assert_cited_exactly(bot, answer)


def test_duplicated_sentences_collapse_into_one_hit(bot):
    passages = bot.retrieve("Xi sent a message to the fifth China-US Sister Cities Conference", k=5)
    sources = [p.source for p in passages]
    listed = [loc.source for p in passages for loc in p.also_in]
    assert len(set(sources) | set(listed)) >= 2
    assert len(sources) == len({(p.source, p.start) for p in passages})


def test_a_copy_is_folded_into_its_original_whatever_the_threshold(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    text = seeds[0].read_text(encoding="utf-8")
    (docs / "original.txt").write_text(text, encoding="utf-8")
    (docs / "copy.txt").write_text(text, encoding="utf-8")
    shutil.copy(seeds[1], docs / "other.txt")
    # No cosine reaches 1.5: only the same words can make twins.
    settings = replace(Settings(), dedup_threshold=1.5)
    bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", settings=settings, progress=False)
    for mode in ("hybrid", "dense", "bm25"):
        passages = bot.retrieve(text[:300], k=10, mode=mode)
        texts = [p.text for p in passages]
        assert len(texts) == len(set(texts)), mode
        folded = {loc.source for p in passages for loc in p.also_in}
        assert folded & {"original.txt", "copy.txt"}, mode


@pytest.mark.parametrize("question", ANSWERABLE)
def test_hybrid_reorders_its_passages_by_their_answer_sentences(bot, question):
    vec = bot.encode(question)
    fused = rank(bot.index, question, vec, bot.settings)
    hits, cands = bot.search(question, question, vec)
    assert cands
    # Only the top PASSAGE_DEPTH are reordered among themselves.
    assert sorted(h.position for h in hits[:PASSAGE_DEPTH]) == sorted(
        h.position for h in fused[:PASSAGE_DEPTH]
    )
    assert hits[PASSAGE_DEPTH:] == fused[PASSAGE_DEPTH:]
    # The passage holding the best answer sentence loses nothing; every other one may.
    best = cands[0].position
    order = [h.position for h in hits]
    assert order.index(best) <= [h.position for h in fused].index(best)
    # What ask() cites is among the passages it lists.
    assert bot.ask(question).citations[0].source in {
        bot.index.chunks[p].source for p in order[: bot.settings.k]
    }


def test_confidence_weighs_the_likeliest_quoted_sentence(bot):
    question = ANSWERABLE[0]
    cands = bot.search(question, question, bot.encode(question))[1]
    best, second = cands[0], cands[1]
    unlikely = replace(best, score=0.01)
    close = replace(second, score=0.9, rank_score=best.rank_score - 0.5)  # quoted with the best
    far = replace(second, score=0.9, rank_score=best.rank_score - 10)  # not quoted
    answerer = bot.answerer
    with_close = answerer.confidence(answerer.quoted([unlikely, close]))
    with_far = answerer.confidence(answerer.quoted([unlikely, far]))
    assert with_close == answerer.confidence([close])
    assert with_far == answerer.confidence([unlikely])
    # Of two sentences alike but for their probability, the likelier gives more confidence.
    assert with_close > answerer.confidence([replace(close, score=0.01)])
    assert answerer.confidence([]) == 0.0


@pytest.mark.parametrize("subject", ["Tacoma", "Xie Feng", "the seventh conference"])
def test_a_request_is_answered_like_its_subject(bot, subject):
    bare = bot.ask(subject)
    assert not bare.abstained, bare.text
    for asked in (f"Tell me about {subject}", f"What do the documents say about {subject}?"):
        answer = bot.ask(asked)
        assert not answer.abstained, answer.text
        assert answer.question == asked
        assert [(c.source, c.start) for c in answer.citations] == [
            (c.source, c.start) for c in bare.citations
        ]


def test_year_questions_cite_sentences_naming_a_year(bot):
    answer = bot.ask("In what year did Hebei Province and Iowa become sister provinces and states?")
    assert not answer.abstained, answer.text
    assert all(read_sentence(c.snippet).names_year for c in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        # The seeds tell of both partnerships but date neither ("a 30-year friendship").
        (
            "In which year did Xiamen and Miami sign their Agreement on Establishing Friendly "
            "Exchange Relations?"
        ),
        "Since what year has Tacoma been a sister city of Fuzhou?",
    ],
)
def test_year_questions_the_documents_do_not_date_are_refused(bot, question):
    assert bot.ask(question).abstained


def test_metadata_from_text_and_sidecar(bot):
    docs = bot.index.docs
    assert docs["002_2d315674d602079f.txt"].date == "2023-11-03"
    assert docs["001_7391625d5ac1e584.txt"].date == "2023-11-06"
    assert docs["004_f084b65bf9f1a5c0.txt"].date.startswith("2025")
    assert docs["000_e6ba5802b2421233.txt"].date is None


@pytest.mark.parametrize("question", ["", "   ", "?!?", "\x00\x07"])
def test_empty_questions_get_a_clear_error(bot, question):
    with pytest.raises(EmptyQueryError, match="question"):
        bot.ask(question)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist|not a directory|missing"):
        Assistant.from_folder(tmp_path / "nope", index_dir=tmp_path / "idx", progress=False)


def test_folder_without_documents_is_a_clear_error(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(CorpusError, match="No readable"):
        Assistant.from_folder(tmp_path / "docs", index_dir=tmp_path / "idx", progress=False)


def test_index_updates_only_what_changed(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    idx = tmp_path / "idx"
    first = Assistant.from_folder(docs, index_dir=idx, progress=False)
    total = first.stats.passages
    assert first.stats.changes["embedded"] == total

    again = Assistant.from_folder(docs, index_dir=idx, progress=False)
    assert again.stats.changes["embedded"] == 0

    (docs / "extra.md").write_text(
        "# Kayaking notes\n\nThe Qiantang River tidal bore draws surfers every autumn. "
        "Local guides call the wave the Silver Dragon.\n",
        encoding="utf-8",
    )
    added = Assistant.from_folder(docs, index_dir=idx, progress=False)
    assert added.stats.changes["added"] == ["extra.md"]
    assert added.stats.changes["embedded"] == added.stats.passages - total
    answer = added.ask("What do local guides call the tidal bore wave?")
    assert answer.citations and answer.citations[0].source == "extra.md"
    assert "Silver Dragon" in answer.citations[0].snippet

    path = docs / "003_6bd7ffb8b6a6624e.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe dialogue ended with a toast.\n",
                    encoding="utf-8")
    changed = Assistant.from_folder(docs, index_dir=idx, progress=False)
    assert changed.stats.changes["changed"] == ["003_6bd7ffb8b6a6624e.txt"]
    n003 = sum(c.source == "003_6bd7ffb8b6a6624e.txt" for c in changed.index.chunks)
    assert changed.stats.changes["embedded"] == n003

    (docs / "extra.md").unlink()
    deleted = Assistant.from_folder(docs, index_dir=idx, progress=False)
    assert deleted.stats.changes["deleted"] == ["extra.md"]
    assert deleted.stats.changes["embedded"] == 0
    assert all(c.source != "extra.md" for c in deleted.index.chunks)
    manifest = json.loads((idx / "manifest.json").read_text())
    assert "extra.md" not in manifest["files"]
    # Only the current generation's artefacts remain.
    assert len([p for p in idx.iterdir() if p.name.startswith("faiss-")]) == 1


def test_new_term_rules_rebuild_bm25_without_embedding(tmp_path, bot):
    from askseeds.retrieve.hybrid import bm25_search
    from askseeds.terms import TERMS_VERSION, terms

    idx = tmp_path / "idx"
    shutil.copytree(bot.index.dir, idx)
    manifest_path = idx / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["terms"] == TERMS_VERSION
    manifest["terms"] = TERMS_VERSION - 1  # as if built before the current rules
    manifest_path.write_text(json.dumps(manifest))

    again = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert again.stats.changes["embedded"] == 0
    rebuilt = json.loads(manifest_path.read_text())
    assert rebuilt["terms"] == TERMS_VERSION
    assert rebuilt["generation"] > manifest["generation"]
    assert again.index.lexical.doc_freq("us") > 0  # "U.S." under the current rules
    for question in ANSWERABLE:
        assert bm25_search(again.index, terms(question), 10) == bm25_search(
            bot.index, terms(question), 10
        )


def test_other_model_or_chunking_rebuilds(tmp_path):
    idx = tmp_path / "idx"
    Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    bot = Assistant.from_folder(
        SEEDS, index_dir=idx, settings=replace(Settings(), chunk_tokens=96), progress=False
    )
    assert bot.stats.changes["embedded"] == bot.stats.passages
    assert json.loads((idx / "manifest.json").read_text())["params"]["chunk_tokens"] == 96


def test_damaged_index_is_rebuilt(tmp_path, caplog):
    idx = tmp_path / "idx"
    Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    victim = next(p for p in idx.iterdir() if p.name.startswith("faiss-"))
    victim.write_bytes(victim.read_bytes()[:100])
    bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert "damaged" in caplog.text
    assert bot.stats.changes["embedded"] == bot.stats.passages
    assert bot.ask("Who is the mayor of Tacoma?").citations


def _dialogue(bot, turns: list[str]):
    history: list[dict] = []
    for turn in turns[:-1]:
        earlier = bot.ask(turn, history=list(history) or None)
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": earlier.text}]
    return bot.ask(turns[-1], history=history)


@pytest.mark.slow
@pytest.mark.parametrize(
    "first",
    [
        "Who won the 2022 FIFA World Cup?",
        "Where was the seventh China-U.S. Sister Cities Conference held?",
        "Which Chinese city has sister city ties with Boston?",
    ],
)
def test_a_question_that_stands_alone_is_not_merged_with_an_earlier_one(bot, first):
    answer = _dialogue(bot, [first, "Who is the mayor of Tacoma?"])
    assert not answer.abstained, answer.text
    assert answer.resolved_question == "Who is the mayor of Tacoma?"
    assert "Mayor of Tacoma" in answer.citations[0].snippet
    assert_cited_exactly(bot, answer)


def test_the_reader_reads_a_follow_up_with_the_question_it_leans_on(tmp_path):
    # Alone, "Where is she based?" names no one: the reader, reading it with each sentence,
    # cannot tell that "Lisbon-based developer Marta Sousa" answers it.
    news = (
        "Kiln firmware flaw lets anyone stop a firing\n\nA flaw in the firmware of the popular "
        "Kilncraft controllers makes it easy for anyone on the same network to stop a firing "
        "halfway, according to a programmer who has published code that exploits it.\n\n"
        '"I thought a lot before writing this post," Lisbon-based developer Marta Sousa wrote '
        "on her blog on Thursday, 14 months after privately reporting the bug to the maker, "
        "Kilncraft Ltd.\n\nThe controllers accept commands from any device without a password. "
        "Kilncraft said a fix would ship in the spring.\n"
    )
    bot, docs = _bot_over(tmp_path, {"kiln_flaw.txt": news})
    answer = _dialogue(bot, ["Who found the flaw in the Kilncraft firmware?", "Where is she based?"])
    assert answer.citations, answer.text
    assert "Lisbon-based" in answer.citations[0].snippet, answer.text
    assert_cited_exactly(bot, answer, docs)


@pytest.mark.slow
def test_the_seeds_dialogues_are_answered(bot):
    from askseeds.eval.harness import load_questions
    from askseeds.eval.metrics import answer_in_text

    seeds_set = load_questions(SEEDS.parent / "eval" / "seeds_questions.jsonl")
    dialogues = [q for q in seeds_set if q.turns]
    assert dialogues
    wrong = []
    for q in dialogues:
        answer = _dialogue(bot, [*q.turns, q.question])
        if answer.abstained or not answer_in_text(q.answers, answer.text):
            wrong.append((q.id, answer.text[:100]))
        assert_cited_exactly(bot, answer)
    assert not wrong


@pytest.mark.slow
def test_an_unknown_mode_is_a_clear_error(bot):
    with pytest.raises(ValueError, match="mode"):
        bot.ask(ANSWERABLE[0], mode="sparse")


# Two copies of a feature list (a README and its docs page): "100%" is the coverage; the
# versions beside it count something else, so the sources do not disagree.
_FEATURES = (
    "* A broadly requests-compatible API.\n* HTTP/1.1 and HTTP/2 support.\n"
    "* 100% test coverage.\n* Fully type annotated.\n\nKiln requires Python 3.9+.\n"
)


@pytest.mark.parametrize(
    ("files", "question", "answer"),
    [
        (
            {
                "README.md": "# Kiln\n\nKiln is an HTTP client.\n\n## Features\n\n" + _FEATURES,
                "index.md": "# Kiln documentation\n\n## Features\n\n" + _FEATURES,
            },
            "How much test coverage does Kiln have?",
            "100% test coverage",
        ),
        (  # "How long": a duration answers; a version number elsewhere is no rival figure.
            {
                "backups.md": "# Backups\n\nKiln keeps your backups for 30 days.\n",
                "changes.md": "# Release notes\n\nSince Kiln 2.4, Kiln keeps your backups for"
                " longer.\n",
            },
            "How long does Kiln keep backups?",
            "for 30 days",
        ),
    ],
    ids=["coverage-not-versions", "duration-not-version"],
)
def test_figures_of_other_things_are_no_conflict(tmp_path, files, question, answer):
    bot, _ = _bot_over(tmp_path, files)
    reply = bot.ask(question)
    assert not reply.conflict, reply.text
    assert answer in reply.citations[0].snippet, reply.text


def test_a_sentence_is_read_with_the_one_before_it_in_its_paragraph_only(tmp_path):
    bot, _ = _bot_over(
        tmp_path,
        {
            "visits.md": "# Visits\n\nRobert Wagner leads the Oregon State Senate. It was his"
            " first visit to China.\n\nThe delegation left on Friday.\n",
            "twins.csv": "City,Twin\nOlympia,Yashiro\nTacoma,Fuzhou\n",
        },
    )
    facts = {
        f.text: f.before
        for position in range(len(bot.index.chunks))
        for _, _, f in bot.answerer._sentences(position)
    }

    def before(words: str) -> frozenset[str]:
        return next(b for text, b in facts.items() if words in text)

    assert {"wagner", "oregon"} <= before("It was his first visit to China.")
    assert not before("Robert Wagner leads")  # the first of its paragraph
    assert not before("The delegation left on Friday.")  # a new paragraph
    assert not before("Tacoma")  # a table's row: the row above is another record


def test_an_faq_answer_is_read_as_the_answer_to_its_question(tmp_path):
    # xz's FAQ: the answer names nothing the asker's question says; its question does.
    bot, _ = _bot_over(
        tmp_path,
        {
            "faq.txt": "Kiln FAQ\n\nQ:  The default build of libkiln is too big. How can I make it"
            " smaller?\n\nA:  Give --enable-tiny to the configure script. Use also the --disable"
            " options to leave out the codecs that you do not need.\n\nQ:  Does libkiln"
            " support threads?\n\nA:  Yes. Each thread needs its own kiln_stream.\n\nQ:  How"
            " can I report a bug?\n\nA:  Send mail to the list with the output of kiln -vv.\n",
        },
    )
    answer = bot.ask("How do I make libkiln smaller?")
    assert answer.citations and "--enable-tiny" in answer.citations[0].snippet, answer.text


@pytest.fixture(scope="module")
def ordinary_bot(tmp_path_factory) -> Assistant:
    """An Assistant over a copy of the ordinary eval set's real READMEs, indexed once."""
    tmp = tmp_path_factory.mktemp("ordinary")
    shutil.copytree(ROOT / "eval" / "ordinary", tmp / "docs")
    return Assistant.from_folder(tmp / "docs", index_dir=tmp / "idx", progress=False)


def test_a_lead_in_is_read_with_the_command_it_introduces(ordinary_bot):
    # Requests' README: "Requests is available on PyPI:" over the command says how to install
    # it; alone it does not.
    answer = ordinary_bot.ask("How do I install Requests?")
    assert answer.citations, answer.text
    assert "$ python -m pip install requests" in answer.citations[0].snippet, answer.text


@pytest.mark.parametrize(
    ("question", "items"),
    [
        # HTTPX's README: its lead-in ends a chunk; the list is read from the next
        ("What are the features of HTTPX?", ("requests-compatible API", "command-line client")),
        ("What are the dependencies of HTTPX?", ("`httpcore`", "`certifi`", "`sniffio`")),
    ],
)
def test_a_lead_in_is_quoted_with_the_list_it_introduces(ordinary_bot, question, items):
    answer = ordinary_bot.ask(question)
    assert answer.citations, answer.text
    first = answer.citations[0]
    assert first.snippet.rstrip().endswith(".") and all(i in first.snippet for i in items)
    text = ordinary_bot.document_text(first.source)
    assert text[first.start : first.end] == first.snippet


def test_what_is_x_is_answered_by_the_sentence_saying_what_x_is(ordinary_bot):
    # Real READMEs: HTTPX's says what it is in one sentence among many that name it.
    answer = ordinary_bot.ask("What is HTTPX?")
    assert answer.citations, answer.text
    assert "HTTPX is a fully featured HTTP client library" in answer.citations[0].snippet
    assert answer.citations[0].source == "httpx_README.md"


def test_a_question_in_a_document_is_quoted_with_its_answer(tmp_path):
    faq = (
        "# Kiln controller FAQ\n\n## Resetting\n\nWhy would the controller need a reset? "
        "After a power cut it may keep the old schedule.\nHold the reset button for five "
        "seconds to clear it.\n\n## Alarms\n\nWhat does a beeping controller mean? The "
        "thermocouple is loose or broken.\n"
    )
    bot, docs = _bot_over(tmp_path, {"faq.md": faq})
    answer = _cited(bot, docs, "What does a beeping controller mean?")
    assert answer.citations[0].snippet.endswith("The thermocouple is loose or broken."), answer.text


def test_a_line_naming_only_what_is_asked_about_is_no_answer(tmp_path):
    # A manual's cover, as a PDF's text layer gives it: the name alone on its line matches
    # "What is kilnctl?" best of all and says nothing of what kilnctl is.
    manual = (
        "Kilnctl\nFiring schedules for electric kilns on the GNU system\nfor version 2.1.0, "
        "3 May 2024\nAda Potter\nBernard Leach\nShoji Hamada (help-kilnctl@example.org)\n\n"
        "This manual is for GNU Kilnctl (version 2.1.0, 3 May 2024), which is a controller "
        "for\nelectric pottery kilns and their firing schedules.\n\nKilnctl reads its "
        "schedules from a card. A schedule lists the ramps and holds of one firing.\n"
    )
    bot, docs = _bot_over(tmp_path, {"manual.txt": manual})
    answer = bot.ask("What is kilnctl?")
    assert answer.citations, answer.text
    assert answer.citations[0].snippet.startswith("This manual is for GNU Kilnctl"), answer.text
    assert_cited_exactly(bot, answer, docs)


def test_an_api_entry_says_what_it_does_first_and_each_parameter_its_own_default(tmp_path):
    # Node.js's API pages (as converted): each entry lists its history and parameters, whose
    # items are sentences too, before the prose that says what the function does.
    entry = (
        "### kiln.fire(schedule[, options])\n\n| Version | Changes |\n|---|---|\n"
        "| v2.0.0 | The options argument is now validated. |\n\n"
        "- schedule <Object> The schedule to run, ramp by ramp. Default: 'bisque'.\n"
        "- options <Object> Settings of the firing. Default: {}.\n\n"
        "The kiln.fire() method starts a firing that follows the given schedule.\n\n"
    )
    cool = (
        "### kiln.cool(rate)\n\n- rate <number> Degrees a minute. Default: 5.\n\n"
        "The kiln.cool() method lowers the temperature at the given rate.\n"
    )
    bot, docs = _bot_over(tmp_path, {"kiln.md": "# Kiln API\n\n" + entry + cool})
    for question, does in (
        ("What does kiln.fire do?", "starts a firing"),
        ("What does kiln.cool do?", "lowers the temperature"),
        # A parameter's default: the item naming the parameter says it.
        ("What is the default value of options in kiln.fire?", "Default: {}."),
        ("What is the default schedule of kiln.fire?", "Default: 'bisque'."),
    ):
        answer = bot.ask(question)
        assert answer.citations, answer.text
        assert does in answer.citations[0].snippet, answer.text
        assert_cited_exactly(bot, answer, docs)


def test_a_function_entry_of_a_manual_says_what_the_function_does(tmp_path):
    # Texinfo's and Sphinx's HTML put each function's signature in a <dt> others link to
    # (its id), then what it does; a later entry may name an earlier function too.
    def entry(name: str, does: str) -> str:
        return (
            f'<dt id="index-{name}"><span class="category">Function: </span><strong>int</strong>'
            f" <em>{name} (kiln_t *<var>kiln</var>, int <var>celsius</var>)</em></dt>"
            f"<dd><p>{does}</p><p><var>kiln</var> is the kiln to use.</p></dd>"
        )

    page = (
        "<html><head><title>Firing (kilnlib)</title></head><body><h3>2.1 Firing</h3>"
        "<p>A firing is prepared first. To prepare a firing, use the function kiln_prep.</p>"
        "<dl>"
        + entry("kiln_prep", "This initializes kiln according to the given parameters.")
        + entry("kiln_prep_var", "This initializes kiln for a variable schedule. In general "
                "its operation is the same as for kiln_prep except that:")
        + '<dt id="index-KILN_MAX_CELSIUS"><span class="category">Constant: </span><strong>'
        "KILN_MAX_CELSIUS</strong></dt><dd><p>The highest temperature of a firing, i.e. 1300."
        "</p></dd><dt id=\"index-KILN_MIN_CELSIUS\"><span class=\"category\">Constant: </span>"
        "<strong>KILN_MIN_CELSIUS</strong></dt><dd><p>The lowest temperature a kiln_prep "
        "schedule may hold, i.e. 20; KILN_MAX_CELSIUS is checked too.</p></dd>"
        "</dl></body></html>"
    )  # fmt: skip
    bot, _ = _bot_over(tmp_path, {"Firing.html": page})
    for question, says in (
        ("What does kiln_prep do?", "according to the given parameters"),
        # the entry of a constant is named by the constant, not by its category
        ("What is KILN_MAX_CELSIUS?", "The highest temperature of a firing"),
    ):
        answer = bot.ask(question)
        assert answer.citations, answer.text
        assert says in answer.citations[0].snippet, answer.text


KILN_FAQ = """                Frequently Asked Questions about Kiln


 1. Does kiln run on a Raspberry Pi?

    Yes.  It needs the USB serial adapter described in the manual, and a
    power supply of at least 3 amperes.

 2. The controller returns E_TIMEOUT.

    Check that the baud rate matches the controller's, then restart the
    daemon.  A timeout is never fatal: the firing goes on as scheduled.

 3. Can kiln log to a database?

    Not by itself, no.  See the contrib/sql directory for a PostgreSQL
    exporter that other users maintain.

 4. Why does the kiln overshoot the target temperature?

    The element keeps heating after the relay opens.  Lower the ramp rate
    for the last 50 degrees, or enable the anticipation setting.

 5. Where do I report bugs?

    Send them to the mailing list with the daemon's log attached.

 6. Where does the name Kiln come from?

    From Norse myth.  Originally the project was named after the watchman of
    the gods, but that name was already taken by another package.

 7. Can I rename kiln?

    The name comes from the project, and forks may choose another name.
"""


KILN_QA = """Kiln FAQ
========

Q:  I set the ramp to 400 degrees an hour, but the kiln heats much slower than
    that. What is wrong?

A:  Old elements cannot deliver the power a fast ramp needs: measure their
    resistance and replace them when it has risen by a tenth.


Q:  Who chose the name?

A:  The two potters who wrote the first version in 2019.


Q:  Is the name a trademark?

A:  No.  Anyone may use it for a fork, as long as the fork says so.
"""


@pytest.mark.parametrize(
    ("question", "said"),
    [
        # An item that states a problem introduces its answer as a question does.
        ("What should I do when the controller returns E_TIMEOUT?", "Check that the baud rate"),
        # "Yes." alone says nothing: it is quoted with what follows.
        ("Can kiln run on a Raspberry Pi?", "USB serial adapter"),
        ("Does kiln support logging to a database?", "Not by itself, no."),
    ],
)
def test_an_faq_is_answered_with_its_answers(tmp_path, question, said):
    bot, docs = _bot_over(tmp_path, {"kiln_faq.txt": KILN_FAQ, "kiln_names.txt": KILN_QA})
    answer = bot.ask(question)
    assert not answer.abstained, answer.text
    assert said in " ".join(answer.citations[0].snippet.split()), answer.text
    assert_cited_exactly(bot, answer, docs)


def test_a_question_of_two_sentences_is_not_quoted_as_its_answer(tmp_path):
    # "Q: I set the ramp ..., but the kiln heats much slower than that. What is wrong?" is
    # one heading: no sentence of it is quoted, and the answer is quoted without its "A:".
    bot, docs = _bot_over(tmp_path, {"kiln_names.txt": KILN_QA, "kiln_faq.txt": KILN_FAQ})
    answer = bot.ask("Why does my kiln heat slower than the ramp I set?")
    assert not answer.abstained, answer.text
    assert answer.citations[0].snippet.startswith("Old elements cannot deliver"), answer.text
    assert_cited_exactly(bot, answer, docs)


def test_a_document_s_question_in_the_asker_s_words_stays_a_candidate(tmp_path):
    # A sentence of only the question's own terms names nothing asked for and is passed
    # over, unless it asks: an FAQ's question is quoted with its answer.
    bot, _ = _bot_over(tmp_path, {"kiln_faq.txt": KILN_FAQ})
    question = "Where does the name Kiln come from?"
    _, cands = bot.search(question, question, bot.encode(question))
    kept = bot.answerer.judge(question, cands, question).candidates
    assert any(" ".join(c.text.split()) == question for c in kept)


def test_a_sentence_defining_a_linked_name_says_what_it_is(tmp_path):
    # Notes and READMEs link the name they define: "[Obsidian Publish](https://...) is a
    # cloud-based hosting service ...". Read with its link target, the sentence defined
    # nothing, and a command reference's "Sync" entry was taken for the answer.
    intro = (
        "[Kiln Sync](https://kiln.example/sync) is an add-on service that copies your firing "
        "logs between controllers.\n\nSelect the logs you want to share, press **Sync**, and "
        "we will keep them on `sync.kiln.example`.\n\n## How to use Kiln Sync\n\n"
        "Kiln Sync keeps a copy of every log for a month.\n"
    )
    cli = (
        "# Kiln CLI\n\nThe command line interface runs every kiln command.\n\n## Commands\n\n"
        "### Sync\n\nCommands for [[Introduction to Kiln Sync|Kiln Sync]].\n\n"
        "### Fire\n\nCommands for firing schedules.\n"
    )
    bot, docs = _bot_over(
        tmp_path, {"Introduction to Kiln Sync.md": intro, "Kiln CLI.md": cli}
    )
    answer = _cited(bot, docs, "What is Kiln Sync?")
    assert "is an add-on service" in answer.citations[0].snippet, answer.text


def test_a_noun_asked_of_as_a_kind_does_not_name_a_reference_entry(tmp_path):
    # Obsidian's help: "What is a vault?" was answered by its command line reference's
    # `vault` entry ("Show vault info."). "a vault" is a kind of thing, not the command.
    files = {
        "Kiln CLI.md": (
            "# Kiln CLI\n\nThe command line interface runs every kiln command from a terminal."
            "\n\n## Commands\n\n### `schedule`\n\nShow schedule info.\n\n### `schedules`\n\n"
            "List known schedules.\n\n### `fire`\n\nStart a firing.\n"
        ),
        "Schedules.md": (
            "# Schedules\n\nYou can keep as many schedules as you like on the card.\n\n"
            "## Create a schedule\n\nA schedule is a list of ramps and holds that the "
            "controller follows during one firing.\n"
        ),
        "Edit a schedule.md": (
            "# Edit a schedule\n\nOpen the schedule in the editor, change its ramps, and save "
            "the schedule.\n\nA saved schedule replaces the earlier schedule of the same name.\n"
        ),
        "Share a schedule.md": (
            "# Share a schedule\n\nExport the schedule to a file and send it to another kiln "
            "owner.\n\nAn imported schedule keeps its name.\n"
        ),
    }
    bot, docs = _bot_over(tmp_path, files)
    answer = _cited(bot, docs, "What is a schedule?")
    assert "is a list of ramps and holds" in answer.citations[0].snippet, answer.text
    # Named as the command, it is the entry still.
    answer = _cited(bot, docs, "What does the `schedules` command do?")
    assert "List known schedules." in answer.citations[0].snippet, answer.text


def test_a_name_is_defined_under_its_full_name(tmp_path):
    # "What is the Web Clipper?" over Obsidian's help: "Obsidian Web Clipper is a free browser
    # extension ..." says what it is, though its name has the maker's in front.
    monitor = "[[Introduction to Kiln Web Monitor|Web Monitor]]"
    files = {
        "Introduction to Kiln Web Monitor.md": (
            "Kiln Web Monitor is a free browser extension that shows the firing logs of your "
            "controllers.\n\n## How to use Web Monitor\n\n- [[Watch a firing]]\n"
            "\t- Follow a firing as it happens.\n- [[Troubleshoot Web Monitor|Troubleshooting]]"
            "\n\t- Resolve common issues with Web Monitor.\n"
        ),
        "Watch a firing.md": (
            f"# Watch a firing\n\n## Open the page\n\nOnce you install the {monitor} browser "
            "extension, you can open it from the toolbar or with a shortcut.\n\n## Follow the "
            "curve\n\nWhen you open the extension, Web Monitor reads the current temperature "
            "from the controller and draws its curve.\n"
        ),
        "Troubleshoot Web Monitor.md": (
            f"# Troubleshoot Web Monitor\n\nIf you encounter issues with {monitor} you can ask "
            "for help in the forum.\n"
        ),
    }
    bot, docs = _bot_over(tmp_path, files)
    answer = _cited(bot, docs, "What is the Web Monitor?")
    assert "is a free browser extension" in answer.citations[0].snippet, answer.text


def test_a_sentence_that_leaves_the_answer_to_the_next_is_quoted_with_it(tmp_path):
    # Obsidian Sync's FAQ: "[[Version history]] depends on your [[Plans and storage
    # limits|Obsidian Sync plan]]." alone says nothing of how long; the next sentence does.
    faq = (
        "# Kiln Sync FAQ\n\n## Data retention\n\n"
        "### How long do you keep the firing history?\n\n"
        "[[Firing history]] depends on your [[Plans and storage limits|Kiln Sync plan]]. "
        "On the Standard plan your logs are retained for 1 month. On the Plus plan your logs "
        "are retained for 12 months.\n\nOlder versions of [[Attachments|attachments]] are "
        "stored for two weeks.\n\n### Do you keep my logs if I cancel?\n\nNo. The logs are "
        "deleted right away.\n"
    )
    bot, docs = _bot_over(tmp_path, {"Frequently asked questions.md": faq})
    answer = _cited(bot, docs, "How long does Kiln Sync keep the firing history?")
    first = answer.citations[0].snippet
    assert "depends on" in first and "retained for 1 month" in first, answer.text


KILN_NEWS = """Kiln NEWS
=========

Kiln 2.4.1 (8 January 2023)
---------------------------

Fixes:

 * Fix crash in `kiln-db` when processing stray caches.
 * Fix for [CVE-2022-4410]

Kiln 2.4.0 (15 November 2022)
-----------------------------

Improvements:

 * Add support for `zstd`-compressed glaze files.
 * Add glaze presets ([#462](https://kiln.example/issues/462)).
 * Fix for [CVE-2022-3786]
 * Add duktape as the new scripting engine for glaze files.

Kiln 2.3.0 (4 February 2022)
----------------------------

 * Fix for [CVE-2022-0778]
 * Add mozjs as scripting engine.
 * Building Kiln now requires a C99 compiler.
 * Add an accessible kiln panel (WCAG 2.1 AA) with dark themes.
"""


@pytest.fixture(scope="module")
def news_bot(tmp_path_factory) -> tuple[Assistant, Path]:
    """An Assistant over a changelog: each release's changes listed under its number."""
    tmp = tmp_path_factory.mktemp("news")
    return _bot_over(tmp, {"NEWS.md": KILN_NEWS})


@pytest.mark.parametrize(
    ("question", "quoted", "release"),
    [
        ("Which Kiln release added support for zstd-compressed glaze files?", "zstd", "2.4.0"),
        ("When was support for zstd-compressed glaze files added?", "zstd", "15 November 2022"),
        # an issue's number after an entry is no version
        ("Which version added glaze presets?", "presets", "2.4.0"),
        # nor a standard's version it names
        ("Which version added the accessible kiln panel?", "WCAG 2.1", "2.3.0"),
        # Every entry but one shares the question's words; the reader cannot tell the numbers.
        ("Which release fixed CVE-2022-3786?", "CVE-2022-3786", "2.4.0"),
        ("Which release fixed CVE-2022-0778?", "CVE-2022-0778", "2.3.0"),
    ],
)
def test_a_changelog_entry_is_answered_under_its_release(news_bot, question, quoted, release):
    bot, docs = news_bot
    answer = _cited(bot, docs, question)
    first = answer.citations[0]
    assert quoted in first.snippet, answer.text
    assert release in first.heading and release not in first.snippet
    assert answer.text.startswith(f"{first.heading}: {first.snippet} [1]")


def test_a_quote_that_says_what_is_asked_stands_alone(news_bot):
    bot, docs = news_bot
    answer = _cited(bot, docs, "What does building Kiln require?")
    assert "C99" in answer.citations[0].snippet and not answer.citations[0].heading


def test_a_question_naming_a_release_is_answered_from_its_changes(news_bot):
    # duktape (2.4.0) is added in more of the question's words than mozjs (2.3.0).
    bot, docs = news_bot
    question = "Which new scripting engine for glaze files was added in Kiln 2.3.0?"
    answer = _cited(bot, docs, question)
    assert "mozjs" in answer.citations[0].snippet and "duktape" not in answer.text, answer.text


@pytest.mark.parametrize("release", ["2.5.0", "2.4.2", "v2.2"])
def test_a_release_the_changelog_never_names_is_not_answered_from_others(news_bot, release):
    bot, _ = news_bot
    for question in (f"Which scripting engine was added in Kiln {release}?",
                     f"When was Kiln {release} released?"):  # fmt: skip
        answer = bot.ask(question)
        assert answer.abstained, answer.text
    answer = bot.ask("Which scripting engine was added in Kiln 2.3.0?")
    assert not answer.abstained and "mozjs" in answer.citations[0].snippet, answer.text


def test_a_release_date_is_read_from_its_heading_over_a_cve_fix(news_bot):
    # "CVE-2022-4410" holds a year but dates nothing: the release heading gives the date.
    bot, _ = news_bot
    answer = bot.ask("When was Kiln 2.4.1 released?")
    assert not answer.abstained and "8 January 2023" in answer.text, answer.text


TIDE_GUIDE = """# Tidecalc guide

Tidecalc predicts tides for any harbour from its harmonic constants. Tidecalc reads the
constants from a station file and writes a table of high and low waters.

## Arrays

Tidecalc keeps its series in TidePy arrays. TidePy (short for *Tidal Python*) provides compact
arrays of heights and times. TidePy arrays are faster than lists. Every TidePy array holds one
station's series, and TidePy arrays can be saved to disk.

## Stations

Stations follow the International Hydrographic Organization (IHO) numbering. A station file
lists the constituents and the datum of the station.
"""


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("What does the name TidePy stand for?", "short for *Tidal Python*"),
        ("What does IHO stand for?", "International Hydrographic Organization (IHO)"),
    ],
)
def test_a_name_asked_to_be_spelled_out_is_answered_where_it_is(tmp_path, question, said):
    # The sentences naming TidePy most often say other things of it.
    bot, docs = _bot_over(tmp_path, {"guide.md": TIDE_GUIDE})
    answer = _cited(bot, docs, question)
    assert not answer.abstained and said in answer.citations[0].snippet, answer.text


def test_an_org_note_is_answered_under_its_headings_and_reads_without_its_markup(tmp_path):
    from askseeds.web.render import render_answer

    note = (
        "#+title: Kiln notes\n#+author: Ada\n\n* Firing :work:\n:PROPERTIES:\n:ID: 42\n:END:\n\n"
        "The kiln fires glaze at 1200 degrees, as [[https://kiln.example][the manual]] says.\n\n"
        "#+begin_src sh\nmake fire\n#+end_src\n\n** Cooling\nLet the kiln cool for =8= hours.\n"
    )
    bot, docs = _bot_over(tmp_path, {"kiln.org": note, "other.md": "# Other\n\nNothing here.\n"})
    assert bot.index.title_date("kiln.org")[0] == "Kiln notes"
    answer = _cited(bot, docs, "How hot does the kiln fire glaze?")
    first = answer.citations[0]
    assert first.source == "kiln.org" and "1200 degrees" in first.snippet
    assert first.section == "Firing"
    bubble = render_answer(answer)
    assert "the manual" in bubble and "[[" not in bubble and "kiln.example" not in bubble
    cooling = _cited(bot, docs, "How long should the kiln cool?")
    assert "=8= hours" in cooling.citations[0].snippet
    assert cooling.citations[0].section == "Firing › Cooling"
    assert '<code class="ans-inline">8</code>' in render_answer(cooling)
