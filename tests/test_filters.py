"""Filters: a source glob or folder and a date range, applied inside retrieval.

A small corpus with the fake embedder (fast tier): 30 documents say much about tidal
bores; one archived note says little. Filtered to the archive, retrieval must still find
that note with a search depth of 5, which filtering an unfiltered top 5 never could.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from fake_embedder import FAKE_MODEL, FakeEmbedder

from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.retrieve.filters import FilterError, Filters, as_filters, keeps_date, matches_source

BASE = replace(Settings(), model=FAKE_MODEL, k=5, candidates=5)
QUESTION = "When does the tidal bore reach the river mouth?"
DATES = {
    "reports/2024/bore.txt": "2024-03-01",
    "reports/2025/bore.txt": "2025-06",
    "reports/2025/year.txt": "2025",
    "notes/undated.txt": None,
}


def _write_corpus(root):
    docs = root / "docs"
    for i in range(30):
        path = docs / "news" / f"n{i:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Tidal bore report {i}\n\nThe tidal bore reaches the river mouth at dawn, and the "
            f"tidal bore surfers wait for the tidal bore at the river mouth on day {i}.\n",
            encoding="utf-8",
        )
    (docs / "archive").mkdir()
    (docs / "archive" / "ferry.txt").write_text(
        "Ferry notes\n\nThe old ferry crossed the river once a week, carrying grain and "
        "letters; a bore was seldom mentioned.\n",
        encoding="utf-8",
    )
    for source in DATES:
        path = docs / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Note on {source}\n\nA tidal bore was seen near the harbour "
                        f"({source}).\n", encoding="utf-8")
    sidecar = {s: {"date": d} for s, d in DATES.items() if d}
    (docs / "askseeds-metadata.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _write_corpus(tmp_path_factory.mktemp("filters"))


def _bot(corpus, tmp_path, **changes) -> Assistant:
    return Assistant.from_folder(corpus, index_dir=tmp_path / "idx", progress=False,
                                 settings=replace(BASE, **changes), embedder=FakeEmbedder())


@pytest.fixture(scope="module")
def fbot(corpus, tmp_path_factory):
    return _bot(corpus, tmp_path_factory.mktemp("filters-idx"))


def _sources(passages):
    return {p.source for p in passages}


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_folder_filter_searches_inside_it_not_the_top_k(fbot, mode):
    unfiltered = fbot.retrieve(QUESTION, mode=mode)
    assert "archive/ferry.txt" not in _sources(unfiltered)  # the news outrank it
    only = fbot.retrieve(QUESTION, mode=mode, filters={"only": "archive"})
    assert _sources(only) == {"archive/ferry.txt"}


def test_globs_and_several_patterns(fbot):
    found = fbot.retrieve(QUESTION, k=10, filters=Filters(sources=("reports/*/bore.txt",)))
    assert _sources(found) == {"reports/2024/bore.txt", "reports/2025/bore.txt"}
    found = fbot.retrieve(QUESTION, k=10, filters={"sources": ["archive/", "notes/*"]})
    assert _sources(found) == {"archive/ferry.txt", "notes/undated.txt"}


def test_a_date_range_keeps_overlapping_dates_and_drops_undated(fbot):
    since_2025 = fbot.retrieve(QUESTION, k=10, filters={"since": "2025-01-01"})
    assert _sources(since_2025) == {"reports/2025/bore.txt", "reports/2025/year.txt"}
    spring = fbot.retrieve(QUESTION, k=10, filters={"since": "2024-02", "until": "2024-03-01"})
    assert _sources(spring) == {"reports/2024/bore.txt"}
    kept = fbot.retrieve(QUESTION, k=10, filters={"until": "2024", "keep_undated": True,
                                                 "only": ["reports", "notes"]})
    assert _sources(kept) == {"reports/2024/bore.txt", "notes/undated.txt"}


def test_ask_quotes_only_the_kept_documents(fbot):
    answer = fbot.ask(QUESTION, filters={"only": "reports/2025"})
    assert answer.passages and _sources(answer.passages) <= {
        "reports/2025/bore.txt", "reports/2025/year.txt"}
    assert {c.source for c in answer.citations} <= _sources(answer.passages)
    assert fbot.ask(QUESTION, filters=None).passages  # no filter: as before


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"folder": "x", "colour": "red"}, "unknown filter field 'colour'"),
        ({"since": "last year"}, "since='last year' is not a date"),
        ({"until": "2025-13"}, "until='2025-13' is not a date"),
        ({"since": "2025", "until": "2024"}, "is after until"),
        ({"only": "reports/2023/*"}, "no document matches 'reports/2023/\\*'"),
        ({"only": "notes", "since": "2020"}, "No document matches the filter .* undated"),
        ({"only": 3}, "sources must be a glob"),
    ],
)
def test_bad_or_empty_filters_get_a_clear_message(fbot, filters, message):
    with pytest.raises(FilterError, match=message):
        fbot.retrieve(QUESTION, filters=filters)
    with pytest.raises(FilterError, match=message):
        fbot.ask(QUESTION, filters=filters)


def test_exact_and_store_side_filtering_agree(corpus, tmp_path):
    """Few kept passages are compared exactly; many go through the store's ID selector."""
    exact = _bot(corpus, tmp_path / "exact", filter_exact_max=10_000)
    flat = _bot(corpus, tmp_path / "flat", filter_exact_max=0)
    ivf = _bot(corpus, tmp_path / "ivf", filter_exact_max=0, faiss_exact_max=0)
    assert ivf.index.store.info.kind == "ivf-sq8"
    for filters in ({"only": "news/n1*"}, {"since": "2024"}, {"only": "archive"}):
        want = [(p.source, p.start) for p in exact.retrieve(QUESTION, mode="dense", filters=filters)]
        assert want
        for other in (flat, ivf):
            got = other.retrieve(QUESTION, mode="dense", filters=filters)
            assert [(p.source, p.start) for p in got] == want


def test_filter_values_are_parsed_and_matched():
    assert as_filters(None) is None and as_filters({}) is None and as_filters({"only": " "}) is None
    assert as_filters({"only": "a/*", "since": "2025"}) == Filters(("a/*",), "2025")
    assert matches_source("reports", "reports/a.txt") and not matches_source("rep", "reports/a")
    assert matches_source("*.md", "a/b.md") and matches_source("a.txt", "a.txt")
    assert keeps_date(Filters(since="2025-03-31"), "2025-03")  # the month overlaps
    assert not keeps_date(Filters(since="2025-04"), "2025-03-31")
    assert not keeps_date(Filters(until="2024"), None)
    assert keeps_date(Filters(until="2024", keep_undated=True), None)


# --------------------------------------------------------------- real model, real seeds (slow)
CONFERENCE = "Where was the China-U.S. Sister Cities Conference held?"


def test_a_date_range_changes_the_answer_on_the_seeds(bot):
    """2023's articles tell of the fifth conference (Suzhou), 2025's of the seventh."""
    older = bot.ask(CONFERENCE, filters={"until": "2024"})
    assert older.citations and "Suzhou" in older.citations[0].snippet
    assert {c.date[:4] for c in older.citations} == {"2023"}
    newer = bot.ask(CONFERENCE, filters={"since": "2025-01"})
    assert newer.citations and "Hangzhou" in newer.citations[0].snippet
    assert {c.source for c in newer.citations} == {"004_f084b65bf9f1a5c0.txt"}
    assert any("Searched only documents since 2025-01" in n for n in newer.notes)
    undated = bot.retrieve(CONFERENCE, k=10, filters={"until": "2024", "keep_undated": True})
    assert {p.date for p in undated} >= {None} and "004_f084b65bf9f1a5c0.txt" not in {
        p.source for p in undated}


def test_faiss_and_milvus_filter_alike(bot, tmp_path, monkeypatch):
    pytest.importorskip("milvus_lite")
    import shutil

    idx = tmp_path / "milvus"
    shutil.copytree(bot.index.dir, idx)
    filters = {"only": "00[12]_*"}
    for exact_max in (0, 10_000):  # the store's own filtered search, and the exact path
        settings = replace(Settings(), vector_store="milvus", filter_exact_max=exact_max)
        milvus = Assistant.from_folder(bot.docs_dir, index_dir=idx, settings=settings,
                                       progress=False)
        assert milvus.stats.changes["embedded"] == 0
        faiss_bot = Assistant(bot.index, replace(bot.settings, filter_exact_max=exact_max),
                              bot.docs_dir, bot.embedder)
        monkeypatch.setattr(bot.index, "filter_exact_max", exact_max)
        for question in (CONFERENCE, "Who is the mayor of Tacoma?"):
            want = [(p.source, p.start, p.score)
                    for p in faiss_bot.retrieve(question, k=5, mode="dense", filters=filters)]
            got = [(p.source, p.start, p.score)
                   for p in milvus.retrieve(question, k=5, mode="dense", filters=filters)]
            assert got == want and {s for s, _, _ in got} <= {
                "001_7391625d5ac1e584.txt", "002_2d315674d602079f.txt"}


def test_the_cli_reports_a_bad_filter_before_opening_anything(tmp_path, capsys):
    from askseeds.cli import main

    code = main(["ask", "Who?", "--since", "nope", "--docs", str(tmp_path / "missing")])
    assert code == 2
    assert "since='nope' is not a date" in capsys.readouterr().err


def test_the_page_says_what_the_filter_fields_keep_and_escapes_them():
    from askseeds.web.chat import describe_filters

    assert "all documents" in describe_filters()
    assert "only from documents until 2024." in describe_filters("", "", " 2024 ")
    assert "in notes/* since 2025-01 (and undated ones)." in describe_filters(
        "notes/*", "2025-01", "", True
    )
    assert "is not a date" in describe_filters("", "someday")
    shown = describe_filters("<img src=x onerror=alert(1)>")
    assert "<img" not in shown and "&lt;img" in shown
