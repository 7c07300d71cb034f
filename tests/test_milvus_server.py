"""A real Milvus standalone server (the ``milvus`` package, 2.3.5): index the seeds in it, ask,
update and delete files, and match FAISS; a server that goes away mid-update loses nothing.

Milvus 2.3 predates BM25 functions, so askseeds says so once and keeps BM25 in its local
index; rankings must then equal FAISS's exactly. The server starts once per session
(~15 s) in a temporary folder; where it cannot start, the tests are skipped with the reason.
"""

from __future__ import annotations

import logging
import shutil
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest
from seed_edits import ADDED, CHANGED, DELETED, FESTIVAL, edit_seeds
from seed_questions import ANSWERABLE, UNANSWERABLE

from askseeds import Assistant
from askseeds.config import Settings
from askseeds.index import open_index
from askseeds.index.store import MilvusStore

pytestmark = pytest.mark.slow
MilvusException = pytest.importorskip("pymilvus").MilvusException

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QUESTIONS = ANSWERABLE + UNANSWERABLE[:2]


class Server:
    """The ``milvus`` package's embedded standalone server, stoppable and restartable."""

    def __init__(self, base: Path) -> None:
        milvus = pytest.importorskip("milvus", reason="the 'milvus' package (dev extras) is absent")
        self.server = milvus.default_server
        self.server.set_base_dir(str(base))
        self.port: int | None = None

    def start(self) -> None:
        if self.port is not None:  # back where clients (and the manifest) expect it
            _wait_until_free(self.port)
            self.server.listen_port = self.port
        self.server.start()
        self.port = self.server.listen_port
        _wait_until_serving(self.uri)

    def stop(self) -> None:
        self.server.stop()

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.server.listen_port}"


def _wait_until_free(port: int, seconds: float = 120) -> None:
    """Wait out the port's TIME_WAIT after a stop: the server binds without SO_REUSEADDR."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(1)


def _wait_until_serving(uri: str, seconds: float = 120) -> None:
    """Wait until the server answers requests: its start() returns when its health check
    passes, which can be before the gRPC proxy accepts connections."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            MilvusStore.connect(uri).list_collections()
            return
        except MilvusException:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("milvus-server"))
    try:
        server.start()
    except (RuntimeError, TimeoutError, OSError) as exc:  # ports, libraries, sandbox, load
        server.stop()
        pytest.skip(f"the Milvus standalone server cannot start here: {exc}")
    yield server
    server.stop()


def _settings(server: Server, collection: str) -> Settings:
    return replace(
        Settings(), vector_store="milvus", milvus_uri=server.uri, milvus_collection=collection
    )


def _ranking(bot: Assistant, question: str, mode: str) -> list[tuple[str, int, float]]:
    return [(p.source, p.start, p.score) for p in bot.retrieve(question, k=10, mode=mode)]


def _assert_parity(milvus: Assistant, faiss: Assistant, questions: list[str]) -> None:
    assert milvus.index.store.count() == len(milvus.index.chunks) == len(faiss.index.chunks)
    for question in questions:
        for mode in ("dense", "hybrid"):
            assert _ranking(milvus, question, mode) == _ranking(faiss, question, mode)
        a, b = milvus.ask(question), faiss.ask(question)
        assert (a.text, a.abstained) == (b.text, b.abstained)


def test_index_ask_update_delete_on_a_server(milvus_server, tmp_path, caplog):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    settings = _settings(milvus_server, "seeds")
    with caplog.at_level(logging.WARNING):
        bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", settings=settings)
    info = bot.index.store.info.params
    assert info["uri"] == milvus_server.uri and info["text"] == ""  # 2.3: no BM25 functions
    assert caplog.text.count("has no BM25 functions") == 1
    faiss = Assistant.from_folder(docs, index_dir=tmp_path / "faiss", progress=False)
    _assert_parity(bot, faiss, QUESTIONS)
    client = MilvusStore.connect(milvus_server.uri)
    row = client.query(info["collection"], filter="id >= 0", output_fields=["source"], limit=1)
    assert row[0]["source"] in bot.index.docs  # the field metadata filters read

    edit_seeds(docs)
    bot = Assistant.from_folder(docs, index_dir=tmp_path / "idx", settings=settings)
    changes = bot.stats.changes
    assert (changes["added"], changes["changed"], changes["deleted"]) == (
        [ADDED],
        [CHANGED],
        [DELETED],
    )
    assert bot.index.store.info.params["collection"] == info["collection"]  # updated in place
    assert caplog.text.count("has no BM25 functions") == 1  # said once
    faiss = Assistant.from_folder(docs, index_dir=tmp_path / "faiss", progress=False)
    _assert_parity(bot, faiss, [*QUESTIONS, FESTIVAL])
    assert bot.retrieve(FESTIVAL, mode="dense")[0].source == ADDED


def test_server_gone_mid_update_loses_nothing(milvus_server, tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    settings = _settings(milvus_server, "fault")
    idx = tmp_path / "idx"
    before = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    expected = {q: _ranking(before, q, "hybrid") for q in QUESTIONS}
    generation = before.index.manifest["generation"]
    del before

    insert = MilvusStore._insert

    def stop_halfway(self, rows, vectors, fields):
        half = len(rows) // 2  # some rows reach the server, then it goes away
        insert(self, rows[:half], vectors[:half], fields and _part(fields, 0, half))
        milvus_server.stop()
        insert(self, rows[half:], vectors[half:], fields and _part(fields, half, len(rows)))

    monkeypatch.setattr(MilvusStore, "_insert", stop_halfway)
    edit_seeds(docs)
    with pytest.raises(MilvusException):  # pymilvus's error for a server that is gone
        Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    monkeypatch.undo()
    milvus_server.start()
    assert milvus_server.uri == settings.milvus_uri, "the server came back on another port"

    # The previous generation is still the one named, and it searches as before.
    index = open_index(idx, settings=settings)
    assert index.manifest["generation"] == generation
    bot = Assistant(index, settings, docs)
    assert {q: _ranking(bot, q, "hybrid") for q in QUESTIONS} == expected
    assert bot.ask(ANSWERABLE[0]).citations

    # The next sync applies the change, and the store holds exactly the named rows again.
    repaired = Assistant.from_folder(docs, index_dir=idx, settings=settings, progress=False)
    assert repaired.stats.changes["added"] == [ADDED]
    assert repaired.index.manifest["generation"] > generation
    faiss = Assistant.from_folder(docs, index_dir=tmp_path / "faiss", progress=False)
    _assert_parity(repaired, faiss, [*QUESTIONS, FESTIVAL])


def _part(fields, a: int, b: int):
    return type(fields)(fields.sources[a:b], fields.dates[a:b], fields.terms[a:b])
