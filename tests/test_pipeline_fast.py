"""The index, retrieval and rendering path on the real seeds with a small fake embedder.

Fast-tier tests of the mechanics (manifest, incremental updates, exact offsets, fusion,
rendering) that do not depend on what a real model understands; answer quality is
tested with the real model in the slow tier.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace

import pytest
from citations import SEEDS, assert_cited_exactly, source_text
from fake_embedder import FAKE_MODEL, FakeEmbedder

from askseeds.api import Assistant
from askseeds.config import Settings
from askseeds.retrieve.hybrid import Hit, fuse, lexical_floor
from askseeds.web import render

SETTINGS = replace(Settings(), model=FAKE_MODEL)


def _bot(docs, index_dir, embedder=None) -> Assistant:
    return Assistant.from_folder(
        docs, index_dir=index_dir, settings=SETTINGS, progress=False,
        embedder=embedder or FakeEmbedder(),
    )


@pytest.fixture(scope="module")
def fake_bot(tmp_path_factory) -> Assistant:
    return _bot(SEEDS, tmp_path_factory.mktemp("fake-index"))


def test_manifest_records_model_counts_and_checksums(fake_bot):
    manifest = json.loads((fake_bot.index.dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == FAKE_MODEL and manifest["dim"] == FakeEmbedder().dim
    assert manifest["counts"]["chunks"] == len(fake_bot.index.chunks) > 0
    assert set(manifest["files"]) == set(fake_bot.index.docs)
    assert set(manifest["checksums"]) == set(manifest["sizes"])
    assert all(len(digest) == 64 for digest in manifest["checksums"].values())


def test_updates_embed_only_added_and_changed_files(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    embedder = FakeEmbedder()
    first = _bot(docs, tmp_path / "idx", embedder)
    assert embedder.chunks_encoded == first.stats.passages
    assert _bot(docs, tmp_path / "idx", embedder).stats.changes["embedded"] == 0

    (docs / "extra.md").write_text(
        "# Kayaking notes\n\nThe Qiantang River tidal bore draws surfers every autumn.\n",
        encoding="utf-8",
    )
    embedder.chunks_encoded = 0
    added = _bot(docs, tmp_path / "idx", embedder)
    assert added.stats.changes["added"] == ["extra.md"]
    assert embedder.chunks_encoded == sum(c.source == "extra.md" for c in added.index.chunks)

    (docs / "extra.md").unlink()
    embedder.chunks_encoded = 0
    deleted = _bot(docs, tmp_path / "idx", embedder)
    assert deleted.stats.changes["deleted"] == ["extra.md"] and embedder.chunks_encoded == 0
    assert deleted.stats.passages == first.stats.passages


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_sentence_finds_its_own_passage_with_exact_offsets(fake_bot, mode):
    index = fake_bot.index
    for chunk in index.chunks[:: max(1, len(index.chunks) // 8)]:
        span = max(chunk.sentences, key=lambda s: s.end - s.start)
        sentence = source_text(fake_bot, chunk.source)[span.start : span.end]
        top = fake_bot.retrieve(sentence, k=3, mode=mode)
        assert any(p.source == chunk.source and p.start <= span.start < p.end for p in top)
        for p in top:
            text = source_text(fake_bot, p.source)
            assert all(text[s.start : s.end] in p.text for s in p.sentences)


def test_fusion_lifts_what_both_rankings_agree_on():
    dense = [Hit(1, 0.80), Hit(2, 0.79), Hit(3, 0.10)]
    sparse = [Hit(3, 9.0), Hit(2, 8.5)]
    fused = fuse(dense, sparse, Settings())
    assert [h.position for h in fused][:1] == [2]  # near the top of both
    assert {h.position for h in fused} == {1, 2, 3}
    assert fused == sorted(fused, key=lambda h: -h.score)
    only_dense = fuse(dense, [], replace(Settings(), bm25_weight=0.0))
    assert [h.position for h in only_dense] == [1, 2, 3]


def test_lexical_evidence_every_passage_shares_does_not_outweigh_the_dense_side():
    # "What is Foam?" over Foam's docs: BM25's best is a short passage saying "foam" twice.
    n = 376
    common = math.log(1 + (n - 300 + 0.5) / (300 + 0.5))  # a term in 300 of 376 passages
    dense = [Hit(1, 0.62), Hit(2, 0.56)]
    sparse = [Hit(1, 1.9 * common), Hit(3, 1.5 * common)]
    assert lexical_floor(n) > 1.9 * common
    assert [h.position for h in fuse(dense, sparse, Settings())][:2] == [1, 3]  # max-normalised
    floored = fuse(dense, sparse, Settings(), lexical_floor(n))
    assert [h.position for h in floored][:2] == [1, 2]
    # A term in one passage of a handful is full evidence.
    assert lexical_floor(5) == pytest.approx(math.log(1 + 4.5 / 1.5))
    rare = [Hit(3, 2.0 * lexical_floor(n))]
    assert fuse(dense, rare, Settings(), lexical_floor(n)) == fuse(dense, rare, Settings())


def test_answers_cite_exactly_and_render_escaped(fake_bot):
    answer = fake_bot.ask("Where was the seventh China-U.S. Sister Cities Conference held?")
    assert answer.passages
    assert_cited_exactly(fake_bot, answer)
    bubble = render.render_answer(answer, turn=1)
    assert "<script" not in bubble
    json.dumps(render.answer_dict(answer))  # the /ask endpoint's payload is plain JSON


def test_new_sentence_rules_resplit_only_the_files_they_cut_differently(tmp_path, monkeypatch):
    import askseeds.ingest.chunk as chunk_module
    from askseeds.ingest.chunk import SENTENCE_RULES, chunk_document
    from askseeds.ingest.load import load_folder

    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / "note.md").write_text("# Note\n\nOne sentence says it all here.\n", encoding="utf-8")
    idx = tmp_path / "idx"
    # Built under other rules (here: no sentence ever ends inside a paragraph) ...
    with monkeypatch.context() as m:
        m.setattr(chunk_module, "_CANDIDATE", chunk_module.re.compile(r"(?!)"))
        _bot(docs, idx)
    manifest_path = idx / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["sentence_rules"] = SENTENCE_RULES - 1
    manifest_path.write_text(json.dumps(manifest))
    # ... the next sync splits every file anew and re-embeds only those cut differently.
    embedder = FakeEmbedder()
    again = _bot(docs, idx, embedder)
    changed = set(again.stats.changes["changed"])
    assert changed and "note.md" not in changed  # one sentence: cut alike by any rules
    assert embedder.chunks_encoded == sum(c.source in changed for c in again.index.chunks)
    fresh = [
        (c.source, c.start, c.end, c.sentences)
        for d in load_folder(docs)[0]
        for c in chunk_document(d, SETTINGS.chunk_tokens, SETTINGS.chunk_overlap_tokens)
    ]
    stored = [(c.source, c.start, c.end, c.sentences) for c in again.index.chunks]
    assert sorted(stored) == sorted(fresh)  # every file now as the current rules cut it
    assert json.loads(manifest_path.read_text())["sentence_rules"] == SENTENCE_RULES
    assert _bot(docs, idx, embedder).stats.changes["changed"] == []  # once only


def test_a_file_its_reader_now_reads_otherwise_is_indexed_anew(tmp_path, monkeypatch, caplog):
    import logging

    from askseeds.ingest import convert
    from askseeds.ingest.load import load_folder

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "loops.html").write_text(
        "<html><body><h1>Loops</h1><p>The loop prints each item with its index.</p>"
        "<pre>for i, item in enumerate(items):\n    print(i,    item)</pre>"
        "<p>Use enumerate when the position matters.</p></body></html>",
        encoding="utf-8",
    )
    (docs / "note.md").write_text("# Note\n\nOne sentence says it all here.\n", encoding="utf-8")
    idx = tmp_path / "idx"
    with monkeypatch.context() as m:  # indexed by an older reader that collapsed code's spaces
        m.setattr(convert, "_code_lines", lambda text: "\n".join(
            " ".join(line.split()) for line in text.split("\n")))
        old = _bot(docs, idx)
    assert "    print(i,    item)" not in old.document_text("loops.html")
    embedder = FakeEmbedder()
    with caplog.at_level(logging.WARNING, logger="askseeds"):
        again = _bot(docs, idx, embedder)
    assert again.stats.changes["changed"] == ["loops.html"]  # the unchanged file only re-read
    assert "its format's reader has changed" in caplog.text
    fresh = {d.source: d.text for d in load_folder(docs)[0]}
    assert again.document_text("loops.html") == fresh["loops.html"]
    assert "    print(i,    item)" in fresh["loops.html"]
    assert embedder.chunks_encoded == sum(c.source == "loops.html" for c in again.index.chunks)
    answer = again.ask("What does the loop print?")
    assert answer.citations
    for c in answer.citations:
        assert fresh[c.source][c.start : c.end] == c.snippet


def test_sentence_cosines_kept_for_a_question_equal_fresh_ones(fake_bot):
    index = fake_bot.index
    vec = fake_bot.encode("Where was the seventh conference held?")
    n = len(index.chunks)
    first = index.sentence_sims(list(range(0, n, 2)), vec)
    again = index.sentence_sims(list(range(n)), vec)  # half kept, half new
    fresh = [
        index.sentence_vectors[index.sentence_rows[p] : index.sentence_rows[p + 1]].astype(
            "float32"
        )
        @ vec
        for p in range(n)
    ]
    for got, want in zip(again, fresh):
        assert got.shape == want.shape and abs(got - want).max() < 1e-5
    assert all(a is b for a, b in zip(first, again[::2]))  # the same arrays, not recomputed
    other = fake_bot.encode("Who is the mayor of Tacoma?")
    assert abs(index.sentence_sims([0], other)[0] - fresh[0]).max() > 1e-3  # a new question


def test_a_section_spans_from_its_heading_to_the_next(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    text = (
        "Kiln NEWS\n=========\n\nKiln 2.4.0\n----------\n\n * Fix for [CVE-2022-3786]\n\n"
        "### Notes\n\nThe glaze cache moved.\n\nKiln 2.3.0\n----------\n\n * Fix for [CVE-2022-0778]\n"
    )
    (docs / "NEWS.md").write_text(text)
    (docs / "plain.txt").write_text("No headings here. Only two sentences of prose.\n")
    index = _bot(docs, tmp_path / "idx").index
    first = text.index("Fix for [CVE-2022-3786]")
    start, end = index.section_span("NEWS.md", first)
    # up to the next heading of any level: the path names the levels above
    assert text[start:end].startswith("Kiln 2.4.0") and text[end:].startswith("Notes")
    assert "3786" in text[start:end]
    assert index.section_span("NEWS.md", text.index("The glaze"))[0] == text.index("Notes")
    assert index.section_span("plain.txt", 5) == (0, math.inf)
