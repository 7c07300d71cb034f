"""Uploading documents to a real server (the web side of tests/test_upload.py): added to the folder, indexed, listed; bad ones refused."""

from __future__ import annotations

import html
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from make_docs import docx_bytes, pdf_bytes, zip_bomb_docx

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def server(run_server, tmp_path_factory):
    docs = tmp_path_factory.mktemp("docs")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, docs / path.name)
    index = tmp_path_factory.mktemp("index")
    log = tmp_path_factory.mktemp("log") / "server.log"
    with run_server(["app.py", "--docs", str(docs), "--index-dir", str(index)], log) as srv:
        yield srv, docs


@pytest.fixture(scope="module")
def uploads(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    files = {
        "lighthouse.pdf": pdf_bytes(
            [
                "The lighthouse at Kessel Point was built in 1874 by the harbour board.",
                "Its lamp burns paraffin oil and can be seen for twenty miles.",
            ]
        ),
        "birds.docx": docx_bytes(
            "Field guide", [("Sizes", [])], table=[["Bird", "Wingspan"], ["Little egret", "95 cm"]]
        ),
        "R&D <notes>.md": b"# Notes\n\nThe Marmalade Accord was signed in Lunaport in 1911.\n",
        "tool.exe": b"MZ\x90\x00 not a document",
        "broken.pdf": b"%PDF-1.7\n this is not really a PDF",
        "bomb.docx": zip_bomb_docx(210),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def test_upload_indexes_good_files_and_explains_the_rest(server, uploads):
    srv, docs = server
    client = Client(srv.url, verbose=False)
    before = client.predict(
        "Where was the seventh China-U.S. Sister Cities Conference held?", api_name="/ask"
    )
    report, header, documents, cleared = client.predict(
        [handle_file(str(p)) for p in uploads.values()], api_name="/upload"
    )
    assert cleared is None
    text = html.unescape(report)  # the page escapes ":" and "(" too
    assert "lighthouse.pdf: added and indexed" in text
    assert "birds.docx: added and indexed" in text
    assert "tool.exe: not added: .exe files cannot be read" in text
    assert "broken.pdf: saved, but not indexed: unreadable PDF" in text
    assert "bomb.docx: saved, but not indexed: DOCX would unpack to 210 MiB" in text
    assert "R&D notes.md: added and indexed" in text  # Gradio drops "<>" from names
    assert "R&amp;D" in report and "<notes>" not in report  # made safe, and escaped
    assert "Searching <b>8</b> documents" in header  # 5 seeds + pdf, docx, md
    assert "2 files skipped" in header
    listed = html.unescape(documents)
    assert "lighthouse.pdf" in listed and "skipped: unreadable PDF" in listed
    assert not (docs / "tool.exe").exists()
    # The new documents answer, with their page; nothing indexed before is lost.
    answer = client.predict("How far can the Kessel Point lamp be seen?", api_name="/ask")
    cited = [c for c in answer["citations"] if "twenty miles" in c["snippet"]]
    assert cited and cited[0]["source"] == "lighthouse.pdf" and cited[0]["page"] == 2
    egret = client.predict("What is the wingspan of the little egret?", api_name="/ask")
    assert any("95 cm" in c["snippet"] for c in egret["citations"])
    after = client.predict(
        "Where was the seventh China-U.S. Sister Cities Conference held?", api_name="/ask"
    )
    assert after["citations"] == before["citations"]


def test_same_upload_twice_is_not_duplicated(server, uploads):
    srv, docs = server
    client = Client(srv.url, verbose=False)
    report, _, _, _ = client.predict(
        [handle_file(str(uploads["lighthouse.pdf"]))], api_name="/upload"
    )
    assert "already in the folder" in html.unescape(report)
    assert sorted(p.name for p in docs.glob("lighthouse*")) == ["lighthouse.pdf"]


def test_questions_asked_during_an_upload_are_all_answered(server, tmp_path):
    # Questions are answered on two threads; an upload replaces the index, so it waits for
    # the questions in hand and has the index alone. None may fail or see half an index.
    srv, _ = server
    note = tmp_path / "ferries.md"
    note.write_text("# Ferries\n\nThe Gull Island ferry leaves at 7:40 every morning.\n")
    question = "Where was the seventh China-U.S. Sister Cities Conference held?"
    expected = Client(srv.url, verbose=False).predict(question, api_name="/ask")["citations"]
    stop = threading.Event()

    def keep_asking() -> list[dict]:
        client, answers = Client(srv.url, verbose=False), []
        while not stop.is_set() or not answers:
            answers.append(client.predict(question, api_name="/ask"))
        return answers

    with ThreadPoolExecutor(4) as pool:
        askers = [pool.submit(keep_asking) for _ in range(4)]
        report = Client(srv.url, verbose=False).predict(
            [handle_file(str(note))], api_name="/upload"
        )[0]
        stop.set()
        answers = [a for f in askers for a in f.result()]
    assert "ferries.md: added and indexed" in html.unescape(report)
    assert answers and all(a["citations"] == expected for a in answers)
    ferry = Client(srv.url, verbose=False).predict(
        "When does the Gull Island ferry leave?", api_name="/ask"
    )
    assert ferry["citations"] and ferry["citations"][0]["source"] == "ferries.md"


@pytest.mark.browser
def test_documents_panel_takes_files_in_the_browser(run_server, tmp_path, page):
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(path, docs / path.name)
    note = tmp_path / "ferry.md"
    note.write_text("# Ferry\n\nThe ferry to Lunaport leaves at 07:40 every weekday.\n")
    bad = tmp_path / "song.mp3"  # pictures are read (by OCR); sound is not
    bad.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00")
    with run_server(
        ["app.py", "--docs", str(docs), "--index-dir", str(index)], tmp_path / "log"
    ) as srv:
        page.goto(srv.url)
        header = page.locator("#header")
        expect(header).to_contain_text("Searching 2 documents", timeout=30_000)
        page.get_by_text("Documents", exact=True).first.click()
        listing = page.locator("#documents-list")
        expect(listing).to_contain_text("2 documents indexed")
        # Drag and drop and the file picker both end in the component's file input.
        page.locator("#upload input[type=file]").set_input_files([str(note), str(bad)])
        report = page.locator("#upload-report")
        expect(report).to_contain_text("ferry.md: added and indexed", timeout=120_000)
        expect(report).to_contain_text("song.mp3: not added: .mp3 files cannot be read")
        expect(header).to_contain_text("Searching 3 documents")
        expect(listing).to_contain_text("ferry.md")
        assert (docs / "ferry.md").read_text() == note.read_text()
