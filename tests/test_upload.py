"""save_uploads(): into the folder only, never over another file, refusals explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from askseeds.web.upload import save_uploads


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_saves_refuses_and_never_overwrites(tmp_path: Path) -> None:
    docs, incoming = tmp_path / "docs", tmp_path / "in"
    docs.mkdir()
    incoming.mkdir()
    (docs / "notes.txt").write_bytes(b"old notes")
    a = _file(incoming, "a", b"new notes")
    big = _file(incoming, "b", b"x" * 101)
    saved = save_uploads(
        docs,
        [
            ("notes.txt", a),
            ("../../escape.md", a),
            ("run.exe", a),
            ("big.txt", big),
            ("empty.md", _file(incoming, "c", b"")),
            ("notes.txt", a),
        ],
        max_file_bytes=100,
    )
    got = [(s.name, s.source, s.message.split(":")[0].split(" (")[0]) for s in saved]
    assert got == [
        ("notes.txt", "notes (2).txt", "added as notes"),
        ("escape.md", "escape.md", "added"),
        ("run.exe", None, "not added"),
        ("big.txt", None, "not added"),
        ("empty.md", None, "not added"),
        ("notes.txt", "notes (2).txt", "already in the folder"),
    ]
    assert (docs / "notes.txt").read_bytes() == b"old notes"
    assert sorted(p.name for p in docs.iterdir()) == ["escape.md", "notes (2).txt", "notes.txt"]
    assert not (tmp_path / "escape.md").exists()
    assert ".exe files cannot be read" in saved[2].message
    assert "split it" in saved[3].message


def test_files_named_like_documents_are_added_when_they_hold_text(tmp_path: Path) -> None:
    text = _file(tmp_path, "a", b"Run ./configure, then make.\n")
    program = _file(tmp_path, "b", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    docs = tmp_path / "docs"
    docs.mkdir()
    saved = save_uploads(
        docs,
        [("INSTALL", text), ("README.Debian", text), ("tool", program), ("Makefile", text)],
    )
    assert [(s.source, s.message.split(" (")[0]) for s in saved] == [
        ("INSTALL", "added"),
        ("README.Debian", "added"),
        (None, "not added: tool is named like a document but holds no text"),
        (None, "not added: Makefile cannot be read"),
    ]


def test_a_second_compressed_file_of_a_name_keeps_a_name_askseeds_reads(tmp_path: Path) -> None:
    import gzip

    from askseeds.ingest.load import is_document_name

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.html.gz").write_bytes(gzip.compress(b"<p>Old guide.</p>"))
    (docs / "tar.1.gz").write_bytes(gzip.compress(b".TH TAR 1\n.SH NAME\ntar \\- old\n"))
    new_guide = _file(tmp_path, "a", gzip.compress(b"<p>New guide.</p>"))
    new_page = _file(tmp_path, "b", gzip.compress(b".TH TAR 1\n.SH NAME\ntar \\- new\n"))
    saved = save_uploads(docs, [("guide.html.gz", new_guide), ("tar.1.gz", new_page)])
    assert [s.source for s in saved] == ["guide (2).html.gz", "tar (2).1.gz"]
    assert all(is_document_name(s.source) for s in saved)


@pytest.mark.slow
def test_an_upload_frees_the_index_it_replaces_with_the_heap_frozen(tmp_path: Path) -> None:
    """The server freezes its heap (chat.settle_heap) so the collector stops walking it; the
    index an upload replaces must still be freed, even where only a reference cycle held it."""
    import gc
    import shutil
    import weakref

    from citations import SEEDS

    from askseeds import Assistant
    from askseeds.web import chat

    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    assistant = Assistant.from_folder(docs, index_dir=tmp_path / "index", progress=False)
    adapter = chat.ChatAdapter(assistant)
    old = weakref.ref(assistant.index)
    # Garbage the collector alone frees: a list holding itself and the index. Frozen with
    # the rest, it is freed only if the upload thaws the heap again.
    cycle: list = [assistant.index]
    cycle.append(cycle)
    new = _file(tmp_path, "lighthouse.md", b"The Kessel Point lamp is seen 18 miles out.\n")
    try:
        chat.settle_heap()
        assert gc.get_freeze_count() > 0
        del cycle
        report, _, _ = adapter.upload([str(new)])
        assert "lighthouse.md" in report and assistant.stats.documents == 6
        gc.collect()
        assert old() is None
    finally:
        gc.unfreeze()
