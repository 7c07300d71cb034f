"""Index faults: damaged artefacts, manifest and chunk store, another model, and SIGKILL mid-sync.

The rule under test: the previous good index is never destroyed, damage is detected (checksums)
and rebuilt with a warning, and no answer ever comes from a half-written or altered index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from citations import assert_cited_exactly

from askseeds import Assistant
from askseeds.config import Settings
from askseeds.errors import IndexCorruptError
from askseeds.index import open_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTION = "Who is the mayor of Tacoma?"
TACOMA = "004_f084b65bf9f1a5c0.txt"


@pytest.fixture(scope="module")
def good_index(tmp_path_factory, bot) -> Path:
    """A copy of the session's index of seeds/ (tests change their own copies of this one)."""
    idx = tmp_path_factory.mktemp("good") / "idx"
    shutil.copytree(bot.index.dir, idx)
    return idx


@pytest.fixture
def idx(good_index, tmp_path) -> Path:
    copy = tmp_path / "idx"
    shutil.copytree(good_index, copy)
    return copy


def _manifest(idx: Path) -> dict:
    return json.loads((idx / "manifest.json").read_text(encoding="utf-8"))


def _write_manifest(idx: Path, manifest) -> None:
    (idx / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _artifact(idx: Path, kind: str) -> Path:
    return idx / _manifest(idx)["artifacts"][kind]


def _first_file(path: Path) -> Path:
    return min(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else path


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _truncate_last_line(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 20])  # last record cut mid-way


def _edit_chunk_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "Tacoma" in text
    path.write_text(text.replace("Tacoma", "Tacomo"), encoding="utf-8")


def _without(key: str):
    return lambda idx: _write_manifest(idx, {k: v for k, v in _manifest(idx).items() if k != key})


def _wrong_checksums(idx: Path) -> None:
    manifest = _manifest(idx)
    manifest["checksums"] = {name: "0" * 64 for name in manifest["checksums"]}
    _write_manifest(idx, manifest)


FAULTS = {
    "faiss-truncated": lambda idx: _truncate(_artifact(idx, "faiss")),
    "faiss-byte-flipped": lambda idx: _flip_byte(_artifact(idx, "faiss")),
    "faiss-empty": lambda idx: _artifact(idx, "faiss").write_bytes(b""),
    "faiss-missing": lambda idx: _artifact(idx, "faiss").unlink(),
    "sentence-vectors-truncated": lambda idx: _truncate(_artifact(idx, "sentvec"), 0.9),
    "bm25-file-damaged": lambda idx: _flip_byte(_first_file(_artifact(idx, "bm25"))),
    "manifest-invalid-json": lambda idx: _truncate(idx / "manifest.json"),
    "manifest-empty": lambda idx: (idx / "manifest.json").write_bytes(b""),
    "manifest-binary": lambda idx: (idx / "manifest.json").write_bytes(b"\xff\xfe\x00\x81"),
    "manifest-not-an-object": lambda idx: (idx / "manifest.json").write_text("[1, 2, 3]"),
    "manifest-wrong-checksums": _wrong_checksums,
    "manifest-without-checksums": _without("checksums"),
    "manifest-without-artifacts": _without("artifacts"),
    "manifest-without-files": _without("files"),
    "chunks-last-line-truncated": lambda idx: _truncate_last_line(_artifact(idx, "chunks")),
    "chunks-text-edited": lambda idx: _edit_chunk_text(_artifact(idx, "chunks")),
}

# Damage of the right JSON but the wrong shape, or naming files outside the index folder.
def _set(key: str, value):
    def fault(idx: Path) -> None:
        manifest = _manifest(idx)
        manifest[key] = value(manifest) if callable(value) else value
        _write_manifest(idx, manifest)

    return fault


WRONG_SHAPE = {
    "manifest-artifacts-a-list": _set("artifacts", lambda m: list(m["artifacts"].values())),
    "manifest-files-a-list": _set("files", lambda m: list(m["files"])),
    "manifest-checksums-a-list": _set("checksums", lambda m: list(m["checksums"])),
    "manifest-file-entry-missing-fields": _set(
        "files", lambda m: {s: {"sha256": v["sha256"]} for s, v in m["files"].items()}
    ),
    "manifest-artifact-outside-the-folder": _set(
        "artifacts", lambda m: {**m["artifacts"], "chunks": "../../../etc/passwd"}
    ),
}


def _assert_answers_exactly(bot: Assistant, folder: Path = SEEDS) -> None:
    answer = bot.ask(QUESTION)
    assert answer.citations and answer.citations[0].source == TACOMA, answer.text
    assert_cited_exactly(bot, answer, folder)


def _generations(idx: Path) -> list[str]:
    return sorted(p.name for p in idx.iterdir() if p.name.startswith("faiss-"))


def _rebuilt_with_warning(idx: Path, caplog) -> Assistant:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="askseeds"):
        bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert "damaged" in caplog.text, caplog.text
    assert bot.stats.changes["embedded"] == bot.stats.passages > 0
    return bot


@pytest.mark.parametrize("fault", list(FAULTS))
def test_damage_is_detected_and_rebuilt_with_a_warning(idx, fault, caplog):
    FAULTS[fault](idx)
    with pytest.raises(IndexCorruptError, match=str(idx)):
        open_index(idx)  # never served as is
    bot = _rebuilt_with_warning(idx, caplog)
    _assert_answers_exactly(bot)
    open_index(idx)  # the rebuilt index verifies
    assert len(_generations(idx)) == 1


@pytest.mark.parametrize("fault", list(WRONG_SHAPE))
def test_manifest_of_the_wrong_shape_is_rebuilt(idx, fault, caplog):
    WRONG_SHAPE[fault](idx)
    with pytest.raises(IndexCorruptError, match="not an askseeds manifest"):
        open_index(idx)
    bot = _rebuilt_with_warning(idx, caplog)
    _assert_answers_exactly(bot)


def test_chunk_store_edited_with_matching_checksum_never_misquotes(idx, caplog):
    chunks = _artifact(idx, "chunks")
    _edit_chunk_text(chunks)
    manifest = _manifest(idx)
    manifest["checksums"][chunks.name] = hashlib.sha256(chunks.read_bytes()).hexdigest()
    _write_manifest(idx, manifest)
    with caplog.at_level(logging.WARNING, logger="askseeds"):
        bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert "differs from the text indexed for it" in caplog.text
    assert 0 < bot.stats.changes["embedded"] < bot.stats.passages  # only the edited file
    _assert_answers_exactly(bot)


@pytest.mark.parametrize(
    "change",
    [
        {"model": "sentence-transformers/all-mpnet-base-v2", "dim": 768},
        {"model": None},
        {"format": 999},
    ],
    ids=["other-model", "no-model", "other-format"],
)
def test_index_built_differently_is_rebuilt(idx, change, caplog):
    manifest = _manifest(idx)
    manifest.update(change)
    if change.get("model") is None and "model" in change:
        del manifest["model"]
    _write_manifest(idx, manifest)
    with caplog.at_level(logging.INFO, logger="askseeds"):
        bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert "rebuilding index" in caplog.text
    assert bot.stats.changes["embedded"] == bot.stats.passages
    assert _manifest(idx)["model"] == Settings().model
    _assert_answers_exactly(bot)


def test_leftovers_of_a_crashed_write_are_ignored_then_removed(idx):
    manifest = _manifest(idx)
    for kind, name in manifest["artifacts"].items():  # a half-written newer generation
        stale = idx / name.replace(str(manifest["generation"]), "9999999999999")
        if (idx / name).is_dir():
            stale.mkdir()
            (stale / "junk.npy").write_bytes(b"\x93NUMPY half")
        else:
            stale.write_bytes(b"half-written " + kind.encode())
    (idx / ".manifest.json.9999999999999.tmp").write_text('{"format": 1, "artif')
    bot = Assistant.from_folder(SEEDS, index_dir=idx, progress=False)
    assert bot.stats.changes["embedded"] == 0  # the good index was kept
    _assert_answers_exactly(bot)
    changed = idx.parent / "docs"
    shutil.copytree(SEEDS, changed)
    (changed / "extra.txt").write_text("Extra notes\n\nThe extra note names a ferry Jade Crane.\n")
    Assistant.from_folder(changed, index_dir=idx, progress=False)
    assert not any("9999999999999" in p.name for p in idx.iterdir())


# --- SIGKILL in the middle of indexing -------------------------------------------------

CHILD = """
import os, sys, time
delay = float(os.environ.get("ASKSEEDS_TEST_FSYNC_DELAY", "0"))
if delay:  # slow disk: widens the write phase so a kill can land inside it
    _fsync = os.fsync
    def _slow_fsync(fd):
        time.sleep(delay)
        _fsync(fd)
    os.fsync = _slow_fsync
from askseeds.cli import main
sys.exit(main(["index", sys.argv[1], "--index-dir", sys.argv[2]]))
"""
NEW_FACT = (
    "new_fact.txt",
    (
        "Ferry notes\n\nThe new ferry between Tacoma and Fuzhou is named the "
        "Jade Crane, and it sails every Sunday.\n"
    ),
)
NEW_QUESTION = "What is the new ferry between Tacoma and Fuzhou named?"
CITIES = ["Zhangjiakou", "Lanzhou", "Harbin", "Kunming", "Ningbo", "Xiamen", "Dalian", "Qingdao"]
TOWNS = ["Boise", "Tulsa", "Omaha", "Spokane", "Fresno", "Reno", "Madison", "Duluth"]
TOPICS = [
    "water treatment",
    "school exchanges",
    "bicycle lanes",
    "port logistics",
    "tea trade",
    "solar farms",
    "museum loans",
    "orchestra tours",
    "rice research",
    "wetland protection",
]


def _add_bulletins(docs: Path, files: int = 4, sentences: int = 60) -> list[str]:
    """Enough new text that embedding it takes a few seconds."""
    names = []
    for i in range(files):
        lines = [f"Partnership bulletin {i}", ""]
        for j in range(sentences):
            c, t, topic = CITIES[(i + j) % 8], TOWNS[(i * 3 + j) % 8], TOPICS[(i + 2 * j) % 10]
            lines.append(
                f"In session {i}-{j}, delegates from {c} and {t} agreed to widen their work on "
                f"{topic} over the next {2 + j % 7} years, with {10 + 7 * j} people taking part."
            )
            if j % 6 == 5:
                lines.append("")
        name = f"bulletin_{i:02d}.txt"
        (docs / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        names.append(name)
    (docs / NEW_FACT[0]).write_text(NEW_FACT[1], encoding="utf-8")
    return [*names, NEW_FACT[0]]


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"indexing ended (rc {proc.returncode}) before the moment to kill it")
        time.sleep(0.005)
    proc.kill()
    pytest.fail("the moment to kill never came")


@pytest.fixture(scope="module")
def grown(tmp_path_factory, good_index) -> tuple[Path, Path, list[str]]:
    """A good index of seeds/, and a copy of the folder grown by new files not yet indexed."""
    docs = tmp_path_factory.mktemp("grown") / "docs"
    shutil.copytree(SEEDS, docs)
    return docs, good_index, _add_bulletins(docs)  # files are keyed by name and content


MOMENTS = ["starting", "embedding", "writing-artefacts", "before-manifest-swap"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_sigkill_mid_indexing_keeps_the_good_index(grown, tmp_path, moment):
    docs, good, new_files = grown
    idx = tmp_path / "idx"
    shutil.copytree(good, idx)
    before = (idx / "manifest.json").read_bytes()
    old_names = {p.name for p in idx.iterdir()}
    stderr = tmp_path / "stderr.txt"
    env = {
        **os.environ,
        "ASKSEEDS_TEST_FSYNC_DELAY": "0.25" if "writ" in moment or "swap" in moment else "0",
    }
    with open(stderr, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(docs), str(idx)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            if moment == "starting":
                time.sleep(0.5)
            elif moment == "embedding":
                _wait_for(lambda: "Embedding" in stderr.read_text(errors="replace"), proc)
                time.sleep(0.5)
            elif moment == "writing-artefacts":
                _wait_for(
                    lambda: any(
                        n not in old_names and not n.startswith(".") for n in os.listdir(idx)
                    ),
                    proc,
                )
            else:
                _wait_for(
                    lambda: any(n.startswith(".manifest.json.") for n in os.listdir(idx)), proc
                )
            assert proc.poll() is None, "indexing finished before the kill"
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # The previous good index is untouched, verifies, and answers only from what it holds.
    assert (idx / "manifest.json").read_bytes() == before
    index = open_index(idx)
    old = Assistant(index, Settings(), docs)
    _assert_answers_exactly(old, docs)
    stale = old.ask(NEW_QUESTION)
    assert not {c.source for c in stale.citations} & set(new_files)
    assert "Jade Crane" not in stale.text

    # A resync picks the new files up and clears the dead generation's leftovers.
    bot = Assistant.from_folder(docs, index_dir=idx, progress=False)
    assert sorted(bot.stats.changes["added"]) == sorted(new_files)
    assert len(_generations(idx)) == 1
    assert not any(n.startswith(".manifest.json.") for n in os.listdir(idx))
    fresh = bot.ask(NEW_QUESTION)
    assert fresh.citations and fresh.citations[0].source == NEW_FACT[0]
    assert "Jade Crane" in fresh.citations[0].snippet
    _assert_answers_exactly(bot, docs)
