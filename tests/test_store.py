"""Vector stores: FAISS (exact and IVF-SQ8) and Milvus (milvus-lite) give the same retrieval,
updates touch only changed rows, and damage is still detected. Real model, real seeds, real
milvus-lite; the SQuAD parity uses the first 4 of the 24 articles (186 paragraphs) for speed."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np
import pytest
from seed_edits import edit_seeds
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds import Assistant
from askseeds.config import Settings
from askseeds.errors import ConfigError
from askseeds.eval.harness import load_squad, write_squad_docs
from askseeds.index.store import MilvusStore, recall_at_k

pytest.importorskip("milvus_lite")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SQUAD = ROOT.parent / "shared" / "bench" / "squad-v1.1-dev-24articles.json"
QUESTIONS = ANSWERABLE + UNANSWERABLE[:2]
MILVUS = replace(Settings(), vector_store="milvus")
IVF = replace(Settings(), faiss_exact_max=0)  # approximate at any size


def _ranking(bot: Assistant, question: str, mode: str) -> list[tuple[str, int, float]]:
    return [(p.source, p.start, p.score) for p in bot.retrieve(question, k=10, mode=mode)]


def _clone(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture(scope="module")
def seed_bots(tmp_path_factory):
    """The seeds indexed once with FAISS, then switched to Milvus from the stored vectors."""
    root = tmp_path_factory.mktemp("seeds-stores")
    faiss_bot = Assistant.from_folder(SEEDS, index_dir=root / "faiss", progress=False)
    milvus_bot = Assistant.from_folder(
        SEEDS, index_dir=_clone(root / "faiss", root / "milvus"), settings=MILVUS, progress=False
    )
    return faiss_bot, milvus_bot


def test_switching_store_reuses_vectors(seed_bots):
    faiss_bot, milvus_bot = seed_bots
    assert milvus_bot.stats.changes["embedded"] == 0
    manifest = json.loads((milvus_bot.index.dir / "manifest.json").read_text())
    assert manifest["store"]["backend"] == "milvus"
    assert "faiss" not in manifest["artifacts"]
    assert not list(milvus_bot.index.dir.glob("faiss-*"))
    assert milvus_bot.index.store.count() == len(faiss_bot.index.chunks)
    # milvus-lite runs BM25 functions: the lexical half of hybrid search is a Milvus query.
    assert manifest["store"]["params"]["text"] == "bm25"
    assert milvus_bot.index.store.searches_text()


@pytest.mark.parametrize("question", QUESTIONS)
def test_seeds_parity_faiss_milvus(seed_bots, question):
    faiss_bot, milvus_bot = seed_bots
    assert _ranking(faiss_bot, question, "dense") == _ranking(milvus_bot, question, "dense")
    # Hybrid's BM25 half runs in Milvus, in float32: same passages in the same order,
    # scores to float32's precision.
    local, milvus = _ranking(faiss_bot, question, "hybrid"), _ranking(milvus_bot, question, "hybrid")
    assert [r[:2] for r in local] == [r[:2] for r in milvus]
    np.testing.assert_allclose([r[2] for r in local], [r[2] for r in milvus], atol=1e-5)
    a, b = faiss_bot.ask(question), milvus_bot.ask(question)
    assert (a.text, a.abstained) == (b.text, b.abstained)


def test_options_keep_their_case_in_milvus_bm25(tmp_path):
    """Milvus's tokenizer folds case and breaks at dashes: an option ("-V", which "-v" is not)
    must still be one term there, as it is in askseeds' own BM25."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Options\n\n`-v` prints every file name as it is read.\n")
    (docs / "b.md").write_text("# Flags\n\n`-V` prints the version of the program and exits.\n")
    (docs / "c.md").write_text("# Notes\n\nThe program reads each file name it is given.\n")
    local = Assistant.from_folder(docs, index_dir=tmp_path / "faiss", progress=False)
    milvus = Assistant.from_folder(
        docs, index_dir=_clone(tmp_path / "faiss", tmp_path / "milvus"), settings=MILVUS,
        progress=False,
    )
    for question, first in (("What does -V do?", "b.md"), ("What does -v do?", "a.md")):
        ours, theirs = _ranking(local, question, "bm25"), _ranking(milvus, question, "hybrid")
        assert ours[0][0] == first and [r[:2] for r in ours[:1]] == [r[:2] for r in theirs[:1]]
        np.testing.assert_allclose(
            [r[2] for r in _ranking(local, question, "hybrid")], [r[2] for r in theirs], atol=1e-5
        )


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    """Four SQuAD articles (one file per paragraph) in an exact FAISS, IVF-SQ8 and Milvus store."""
    if not SQUAD.exists():
        pytest.skip(f"{SQUAD} not found: the SQuAD slice lives in ../shared beside the checkout")
    root = tmp_path_factory.mktemp("squad-stores")
    articles = load_squad(SQUAD)[:4]
    docs, questions = write_squad_docs(articles, root / "docs")
    exact = Assistant.from_folder(docs, index_dir=root / "exact", progress=False)
    ivf = Assistant.from_folder(
        docs, index_dir=_clone(root / "exact", root / "ivf"), settings=IVF, progress=False
    )
    milvus = Assistant.from_folder(
        docs, index_dir=_clone(root / "exact", root / "milvus"), settings=MILVUS, progress=False
    )
    rng = np.random.default_rng(0)
    qs = [q.question for q in questions]
    picked = [qs[i] for i in rng.choice(len(qs), size=150, replace=False)]
    vecs = exact.embedder.encode(picked, 32)
    return exact, ivf, milvus, vecs


def test_squad_parity_faiss_milvus(squad):
    exact, _, milvus, vecs = squad
    assert milvus.stats.changes["embedded"] == 0
    for v in vecs:
        assert exact.index.dense(v, 10) == milvus.index.dense(v, 10)


def test_squad_ivf_recall_and_manifest(squad):
    exact, ivf, _, vecs = squad
    assert ivf.stats.changes["embedded"] == 0
    info = json.loads((ivf.index.dir / "manifest.json").read_text())["store"]
    assert info["kind"] == "ivf-sq8"
    assert {"nlist", "nprobe", "recall@10", "trained_on"} <= set(info["params"])
    assert info["params"]["recall@10"] >= 0.97
    truth = [[p for p, _ in exact.index.dense(v, 10)] for v in vecs]
    got = [[p for p, _ in ivf.index.dense(v, 10)] for v in vecs]
    assert recall_at_k(np.array(got), np.array(truth)) >= 0.95
    # Opened for search, the IVF lists are memory-mapped, not copied into RAM.
    lists = faiss.downcast_InvertedLists(ivf.index.store.index.invlists)
    assert isinstance(lists, faiss.OnDiskInvertedLists)


@pytest.mark.parametrize("settings", [IVF, MILVUS], ids=["faiss-ivf", "milvus"])
def test_updates_touch_only_changed_rows(tmp_path, settings):
    docs = _clone(SEEDS, tmp_path / "docs")
    idx = tmp_path / "idx"
    bot = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    built = bot.index.store.info.params
    rows_before = dict(zip((c.chunk_id for c in bot.index.chunks), bot.index.rows.tolist()))

    edit_seeds(docs)
    bot = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    changes = bot.stats.changes
    assert (changes["added"], changes["changed"]) == (["extra.md"], ["003_6bd7ffb8b6a6624e.txt"])
    assert changes["deleted"] == ["000_e6ba5802b2421233.txt"]
    touched = {"extra.md", "003_6bd7ffb8b6a6624e.txt"}
    assert changes["embedded"] == sum(c.source in touched for c in bot.index.chunks)
    # Unchanged files keep their rows; the store was updated, not rebuilt or retrained.
    for c, row in zip(bot.index.chunks, bot.index.rows.tolist()):
        if c.source not in touched:
            assert rows_before[c.chunk_id] == row
    info = bot.index.store.info.params
    if settings.vector_store == "faiss":
        assert (info["nlist"], info["trained_on"]) == (built["nlist"], built["trained_on"])
    else:
        assert info["collection"] == built["collection"]
    assert bot.index.store.count() == len(bot.index.chunks)

    fresh = Assistant.from_folder(docs, index_dir=tmp_path / "fresh", progress=False)
    for q in QUESTIONS[:4] + ["How many visitors did the harbour festival draw?"]:
        # Both halves: the vectors, and BM25 (local segments, or Milvus's BM25 function).
        for mode in ("dense", "bm25"):
            assert [p.text for p in bot.retrieve(q, mode=mode)] == [
                p.text for p in fresh.retrieve(q, mode=mode)
            ]


@pytest.mark.parametrize("settings", [IVF, MILVUS], ids=["faiss-ivf", "milvus"])
def test_row_ids_of_deleted_files_are_not_given_out_again(tmp_path, settings):
    docs = _clone(SEEDS, tmp_path / "docs")
    idx = tmp_path / "idx"
    bot = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    top = int(bot.index.rows.max())
    (last,) = {c.source for c, r in zip(bot.index.chunks, bot.index.rows.tolist()) if r == top}
    (docs / last).unlink()
    Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    (docs / "extra.md").write_text(
        "# Harbour notes\n\nThe Tacoma harbour festival drew ten thousand visitors in June.\n",
        encoding="utf-8",
    )
    bot = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    new_rows = [
        r for c, r in zip(bot.index.chunks, bot.index.rows.tolist()) if c.source == "extra.md"
    ]
    assert new_rows and min(new_rows) > top
    assert bot.index.store.count() == len(bot.index.chunks)
    hits = bot.retrieve("How many visitors did the harbour festival draw?", mode="dense")
    assert hits[0].source == "extra.md"


def test_outgrowing_exact_rebuilds_store_without_embedding(tmp_path):
    idx = tmp_path / "idx"
    Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    # Same corpus, lower threshold: nothing to embed, but the store kind must follow.
    bot = Assistant.from_folder(SEEDS, index_dir=idx, settings=IVF, progress=False)
    assert bot.index.store.info.kind == "ivf-sq8"
    assert bot.stats.changes["embedded"] == 0
    assert len(list(idx.glob("faiss-*"))) == 1
    bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert bot.index.store.info.kind == "flat"
    assert bot.stats.changes["embedded"] == 0


def test_sampled_verification_still_detects_damage(tmp_path, caplog):
    settings = replace(Settings(), verify_full_mb=0)  # as for an index too big to hash on open
    idx = tmp_path / "idx"
    Assistant.from_folder(SEEDS, index_dir=idx, settings=settings, progress=False)
    victim = next(idx.glob("chunkvec-*.npy"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte altered
    victim.write_bytes(bytes(data))
    bot = Assistant.from_folder(SEEDS, index_dir=idx, settings=settings, progress=False)
    assert "damaged" in caplog.text
    assert bot.stats.changes["embedded"] == bot.stats.passages

    caplog.clear()
    victim = next(idx.glob("sentvec-*.npy"))
    victim.write_bytes(victim.read_bytes()[:-10])
    bot = Assistant.from_folder(SEEDS, index_dir=idx, settings=settings, progress=False)
    assert "damaged" in caplog.text
    assert bot.ask("Who is the mayor of Tacoma?").citations


def test_missing_milvus_collection_is_rebuilt(tmp_path, caplog):
    idx = tmp_path / "idx"
    bot = Assistant.from_folder(SEEDS, index_dir=idx, settings=MILVUS, progress=False)
    info = bot.index.store.info.params
    MilvusStore.connect(info["uri"]).drop_collection(info["collection"])
    bot = Assistant.from_folder(SEEDS, index_dir=idx, settings=MILVUS, progress=False)
    assert "damaged" in caplog.text
    assert bot.index.store.count() == bot.stats.passages
    assert bot.ask("Who is the mayor of Tacoma?").citations


def test_store_settings_are_validated(monkeypatch):
    with pytest.raises(ConfigError, match="vector_store"):
        Settings(vector_store="chroma")
    monkeypatch.setenv("ASKSEEDS_VECTOR_STORE", "milvus")
    monkeypatch.setenv("ASKSEEDS_FAISS_EXACT_MAX", "500")
    s = Settings.from_env()
    assert (s.vector_store, s.faiss_exact_max) == ("milvus", 500)
