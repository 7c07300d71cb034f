"""load_folder(): the real seeds, every encoding, and every reason to skip a file."""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import logging
import lzma
import os
import re
import tarfile
from pathlib import Path

import pytest

from askseeds.errors import CorpusError
from askseeds.ingest.load import NOTHING_LEFT, _load_file, decode, legacy_codec, load_folder

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SENTENCE = "The committee met on Tuesday and agreed on the new budget for the library."


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _read(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding) as fh:  # text mode: universal newlines
        return fh.read()


def _only_doc(folder: Path):
    docs, skipped = load_folder(folder)
    assert skipped == []
    (doc,) = docs
    return doc


# --- the real seeds -----------------------------------------------------------


def test_seeds_load_with_metadata() -> None:
    docs, skipped = load_folder(SEEDS)
    assert skipped == []
    assert [d.source for d in docs] == sorted(p.name for p in SEEDS.glob("*.txt"))
    meta = {d.source[:3]: (d.title, d.date) for d in docs}
    assert meta["000"] == (None, None)
    assert meta["001"][1] == "2023-11-06"
    assert meta["002"] == ("Xi says China, US sister cities cooperation fruitful", "2023-11-03")
    assert meta["004"] == ("Local cooperation for a sustainable China-U.S. future", "2025-10-27")


def test_seed_documents_are_exact() -> None:
    docs, _ = load_folder(SEEDS)
    for doc in docs:
        path = SEEDS / doc.source
        assert _read(path, doc.encoding) == doc.text
        assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        blocks = [doc.text[b.start : b.end] for b in doc.blocks]
        assert blocks and not any("人阅读" in b or "Copyright" in b for b in blocks)


# --- encodings ----------------------------------------------------------------

TEXT = "Café “quoted” — naïve résumé.\nSecond line of the note.\n"


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
        ("Café résumé à la carte.\n".encode("latin-1"), "cp1252"),  # cp1252 reads latin-1 letters
        (b"Byte \x81 is not cp1252, caf\xe9.\n", "latin-1"),
        (TEXT.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (TEXT.replace("\n", "\r\n").encode("utf-16"), "utf-16"),
        (TEXT.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
        (b"old mac\rline endings\r\n mixed\n", "utf-8"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_encodings_round_trip(tmp_path: Path, data: bytes, codec: str) -> None:
    path = _write(tmp_path, "note.txt", data)
    doc = _only_doc(tmp_path)
    assert doc.encoding == codec
    assert _read(path, doc.encoding) == doc.text
    assert "\r" not in doc.text
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


# Notes as they were kept before UTF-8, each in its language's old code page.
LEGACY = {
    "gbk": "苏州与波特兰于一九八八年结为友好城市。两市在教育和文化方面的交流很多，每年都有学生互访。\n",
    "shift_jis": "札幌市とポートランド市は一九五九年に姉妹都市になりました。毎年、市民の交流があります。\n",
    "euc_kr": "수원시는 클리블랜드시와 자매결연을 맺었다. 두 도시는 해마다 학생과 예술가를 교환한다.\n",
    "cp1251": "Город Тула и Олбани стали побратимами в 1991 году. Делегации ездят друг к другу каждый год.\n",
    "koi8_r": "Музей гончарного дела открыт по субботам с десяти до шести. Печь разогревают до "
    "тысячи двухсот градусов, а потом она остывает два дня. Глазурь наносят кистью.\n",
}


@pytest.mark.parametrize("codec", sorted(LEGACY))
def test_a_note_in_a_legacy_code_page_of_another_script_reads_as_written(
    tmp_path: Path, codec: str
) -> None:
    data = LEGACY[codec].encode(codec)
    path = _write(tmp_path, "note.txt", data)
    doc = _only_doc(tmp_path)
    assert doc.text == LEGACY[codec]
    assert _read(path, doc.encoding) == doc.text  # citations point into what open() reads


POLISH = (
    "Pracownia ceramiki w Łodzi wypala piece w każdy piątek. Szkliwo nakłada się pędzlem, "
    "a wieża z półkami stoi przy ścianie. Żółte misy schną dwa dni.\n"
)


@pytest.mark.parametrize("codec", ["cp1250", "iso8859_2"])
def test_a_polish_note_in_central_europe_s_code_page_reads_as_written(
    tmp_path: Path, codec: str
) -> None:
    # Read as cp1252 it has symbols inside its words: "ka¿dy", "pi¹tek", "wie¿a".
    path = _write(tmp_path, "note.txt", POLISH.encode(codec))
    doc = _only_doc(tmp_path)
    assert (doc.text, doc.encoding) == (POLISH, codec)
    assert _read(path, doc.encoding) == doc.text


def test_a_latin_note_is_never_taken_for_another_script() -> None:
    for text in (TEXT, "Über die Brücke läuft man in fünf Minuten zum Töpfermarkt.\n", "Größe: 40"):
        assert legacy_codec(text.encode("cp1252")) is None
    # Symbols that Central Europe's code pages read as letters: one kind between letters.
    measured = "Shelf 3±0.5 cm at 20°C: widths a±b, c±d and x±y, Windows® XP.\n"
    assert decode(measured.encode("cp1252")) == (measured, "cp1252")


def test_decoded_text_matches_source_characters(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", TEXT.replace("\n", "\r\n").encode("cp1252"))
    assert _only_doc(tmp_path).text == TEXT


def test_decode_refuses_binary() -> None:
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01") is None


# --- what gets loaded, skipped or ignored ---------------------------------------


def test_walk_is_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    body = SENTENCE.encode()
    for name in ("b.txt", "a.MD", "sub/c.markdown", "sub/deeper/d.txt", "x.pdf", "y.json"):
        _write(tmp_path, name, body)
    _write(tmp_path, "sub/guide.adoc", b":toc: left\n// draft\n\n" + body)
    _write(tmp_path, ".hidden.txt", b"\x00\x00")
    _write(tmp_path, ".git/config.txt", body)
    _write(tmp_path, "sub/.cache/e.txt", body)
    docs, skipped = load_folder(str(tmp_path))
    assert [d.source for d in docs] == [
        "a.MD", "b.txt", "sub/c.markdown", "sub/deeper/d.txt", "sub/guide.adoc"
    ]
    assert [(s.source, s.reason.split(" (")[0]) for s in skipped] == [("x.pdf", "not a PDF")]
    assert all(d.text[b.start : b.end] == SENTENCE for d in docs for b in d.blocks)


def test_files_named_like_documents_are_read_when_they_hold_text(tmp_path: Path) -> None:
    body = SENTENCE.encode()
    for name in ("README", "NEWS", "ChangeLog", "README.Debian", "TODO.source", "notes"):
        _write(tmp_path, name, body)
    _write(tmp_path, "COPYING", "Résumé: ".encode("cp1252") + body)
    # Named like documents, but a build recipe, a script and programs: passed over silently.
    _write(tmp_path, "Makefile", b"all:\n\tcc -o tool tool.c\n")
    _write(tmp_path, "Dockerfile", b"FROM debian\n")
    _write(tmp_path, "configure", b"#!/bin/sh\necho " + body + b"\n")
    _write(tmp_path, "bin/tool", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    _write(tmp_path, "bin/blob", bytes(range(1, 256)) * 40)  # no NUL, yet no text
    _write(tmp_path, "config.yaml", body)  # a type askseeds does not read
    _write(tmp_path, "data.BIN", body)
    _write(tmp_path, "DUMP", body * 100)  # too large for a README: no reason to report
    docs, skipped = load_folder(tmp_path, max_file_bytes=len(body) * 50)
    assert skipped == []
    assert [d.source for d in docs] == [
        "COPYING", "ChangeLog", "NEWS", "README", "README.Debian", "TODO.source", "notes"
    ]
    copying = docs[0]
    assert copying.encoding == "cp1252" and copying.text.startswith("Résumé: ")
    assert all(d.text[b.start : b.end].endswith(SENTENCE) for d in docs for b in d.blocks)


def test_compressed_documents_are_read_as_the_file_inside(tmp_path: Path) -> None:
    said = {  # one sentence each: a line in most files would be left out as page furniture
        name: f"The {name.split('.')[0]} file says what changed on Tuesday in the library."
        for name in ("ChangeLog.gz", "NEWS.gz", "guide.html.xz", "notes.md.bz2")
    }
    body = {name: text.encode() for name, text in said.items()}
    page = b"<html><head><title>Guide</title></head><body><p>%s</p></body></html>"
    _write(tmp_path, "NEWS.gz", gzip.compress(b"Release 2.0\n\n" + body["NEWS.gz"]))
    _write(tmp_path, "notes.md.bz2", bz2.compress(b"# Notes\n\n" + body["notes.md.bz2"]))
    _write(tmp_path, "guide.html.xz", lzma.compress(page % body["guide.html.xz"]))
    # Two gzip members, as `cat a.gz b.gz` makes: both are read.
    _write(tmp_path, "ChangeLog.gz", gzip.compress(b"Fixed. ") + gzip.compress(body["ChangeLog.gz"]))
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as archive:
        info = tarfile.TarInfo("README")
        info.size = len(SENTENCE)
        archive.addfile(info, io.BytesIO(SENTENCE.encode()))
    _write(tmp_path, "RELEASE.tar.gz", gzip.compress(tar.getvalue()))  # an archive: passed over
    _write(tmp_path, "backup.sql.gz", gzip.compress(SENTENCE.encode()))  # not a document type
    docs, skipped = load_folder(tmp_path)
    assert skipped == []
    assert [d.source for d in docs] == sorted(said)
    changelog, news, guide, notes = docs
    assert changelog.text == "Fixed. " + said["ChangeLog.gz"]
    assert news.converted and news.text == "Release 2.0\n\n" + said["NEWS.gz"]
    assert guide.title == "Guide"
    assert notes.title == "Notes"
    for doc in docs:
        assert doc.text[doc.blocks[-1].start : doc.blocks[-1].end].endswith(said[doc.source])


def test_broken_and_bomb_compressed_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt.gz", gzip.compress(SENTENCE.encode())[:-12])  # cut short
    _write(tmp_path, "b.md.xz", b"not xz at all")
    _write(tmp_path, "c.txt.gz", gzip.compress(b"a" * 5_000_000))  # 5 MB from 5 KiB
    _write(tmp_path, "ok.txt", SENTENCE.encode())
    docs, skipped = load_folder(tmp_path, max_file_bytes=1_000_000)
    assert [d.source for d in docs] == ["ok.txt"]
    assert (tmp_path / "c.txt.gz").stat().st_size < 10_000
    reasons = {s.source: s.reason for s in skipped}
    assert reasons["a.txt.gz"].startswith("unreadable gz file (EOFError")
    assert reasons["b.md.xz"].startswith("unreadable xz file (LZMAError")
    assert reasons["c.txt.gz"] == "larger than 976.6 KiB once decompressed; split it"


def test_empty_folder_returns_nothing(tmp_path: Path) -> None:
    assert load_folder(tmp_path) == ([], [])


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_folder(tmp_path / "nope")


def test_file_instead_of_folder_raises(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", SENTENCE.encode())
    with pytest.raises(CorpusError, match="not a folder"):
        load_folder(path)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n\t\n", "empty file"),
        (b"PK\x03\x04\x00\x00\x08\x00binary\xff\xfe\x00", "binary file (NUL bytes)"),
    ],
)
def test_unusable_files_are_reported(
    tmp_path: Path, data: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path, "bad.txt", data)
    _write(tmp_path, "good.txt", SENTENCE.encode())
    with caplog.at_level(logging.WARNING, logger="askseeds.ingest.load"):
        docs, skipped = load_folder(tmp_path)
    assert [d.source for d in docs] == ["good.txt"]
    assert [(s.source, s.reason) for s in skipped] == [("bad.txt", reason)]
    assert "bad.txt" in caplog.text


def test_too_large_file_is_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "big.txt", (SENTENCE + "\n").encode() * 100)
    _write(tmp_path, "small.txt", SENTENCE.encode())
    docs, skipped = load_folder(tmp_path, max_file_bytes=1024)
    assert [d.source for d in docs] == ["small.txt"]
    assert [s.source for s in skipped] == ["big.txt"]
    assert skipped[0].reason.startswith("larger than 1 KiB")


def test_symlinks_inside_kept_outside_skipped(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    target = _write(corpus, "real.txt", SENTENCE.encode())
    secret = _write(outside, "secret.txt", SENTENCE.encode())
    (corpus / "inside-link.txt").symlink_to(target)
    (corpus / "outside-link.txt").symlink_to(secret)
    (corpus / "outside-dir").symlink_to(outside, target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(corpus / "gone.txt")
    docs, skipped = load_folder(corpus)
    assert [d.source for d in docs] == ["inside-link.txt", "real.txt"]
    assert {(s.source, s.reason) for s in skipped} == {
        ("outside-link.txt", "symlink outside the corpus folder"),
        ("outside-dir", "symlink outside the corpus folder"),
        ("dangling.txt", "broken symlink"),
    }


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read files without permission"
)
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.txt", SENTENCE.encode())
    path.chmod(0)
    try:
        docs, skipped = load_folder(tmp_path)
    finally:
        path.chmod(0o644)
    assert docs == []
    assert [(s.source, s.reason) for s in skipped] == [("locked.txt", "permission denied")]


def test_file_vanishing_while_loading_is_skipped(tmp_path: Path) -> None:
    skipped = _load_file(tmp_path / "gone.txt", "gone.txt", 2**20)
    assert skipped.source == "gone.txt"
    assert "disappeared" in skipped.reason


# --- the metadata sidecar -----------------------------------------------------


def test_sidecar_overrides_title_and_date(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", f"Some headline here\n\n{SENTENCE}\n".encode())
    _write(tmp_path, "sub/b.txt", SENTENCE.encode())
    sidecar = '{"a.txt": {"title": "Better title", "note": "x"}, "sub/b.txt": {"date": "2024-03"}}'
    _write(tmp_path, "askseeds-metadata.json", sidecar.encode())
    docs, _ = load_folder(tmp_path)
    assert [(d.source, d.title, d.date) for d in docs] == [
        ("a.txt", "Better title", None),
        ("sub/b.txt", None, "2024-03"),
    ]


@pytest.mark.parametrize(
    "sidecar",
    [
        '{"a.txt": {"title": ',
        "[1, 2, 3]",
        '{"a.txt": "2024-01-01"}',
        '{"a.txt": {"date": "yesterday"}}',
    ],
)
def test_bad_sidecar_is_ignored_with_a_warning(
    tmp_path: Path, sidecar: str, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path, "a.txt", f"Some headline here\n\n{SENTENCE}\n".encode())
    _write(tmp_path, "askseeds-metadata.json", sidecar.encode())
    with caplog.at_level(logging.WARNING, logger="askseeds.ingest.load"):
        docs, skipped = load_folder(tmp_path)
    assert skipped == []
    assert (docs[0].title, docs[0].date) == ("Some headline here", None)
    assert "askseeds-metadata.json" in caplog.text


# --- nothing is lost silently --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The Marmalade Accord was signed in Lunaport in 1911.",
        "The Marmalade Accord was signed in Lunaport in 1911",  # title-like, and all there is
        "Short note.",
        "# Marmalade\n",
        "Milk\n",
        "Eggs\nFlour\nButter\n",  # menu-shaped, but all the file holds
    ],
)
def test_one_line_and_very_short_files_are_indexed(tmp_path: Path, text: str) -> None:
    _write(tmp_path, "note.txt", text.encode("utf-8"))
    doc = _only_doc(tmp_path)
    kept = " ".join(doc.text[b.start : b.end] for b in doc.blocks)
    assert kept == " ".join(text.strip().lstrip("# ").split())


def test_file_with_only_page_furniture_is_skipped_with_reason(tmp_path: Path) -> None:
    _write(tmp_path, "nav.txt", b"Copyright 2020 Foo. All rights reserved.\nPosted 2024-05-02\n")
    _write(tmp_path, "ok.txt", SENTENCE.encode("utf-8"))
    docs, skipped = load_folder(tmp_path)
    assert [d.source for d in docs] == ["ok.txt"]
    assert [(s.source, s.reason) for s in skipped] == [("nav.txt", NOTHING_LEFT)]


# --- what users are told it reads ---------------------------------------------

# Other spellings of a suffix FORMATS names (".htm" of ".html"); pictures it names as a kind.
ALIASES = {".markdown", ".asciidoc", ".htm", ".xhtml", ".mht", ".fodt", ".fodp", ".latex"}


def test_the_formats_users_are_told_of_are_the_ones_read() -> None:
    from askseeds.ingest.load import COMPRESSED_SUFFIXES, FORMATS, SUFFIXES
    from askseeds.ingest.ocr import IMAGE_SUFFIXES

    dotted = set(re.findall(r"\.[a-z0-9]+", FORMATS))
    words = {"." + w.lower() for w in re.findall(r"\b[A-Z]{3,}\b", FORMATS)}  # "PDF", "EPUB"
    assert SUFFIXES - IMAGE_SUFFIXES - ALIASES <= dotted | words, "a format read, never named"
    assert dotted <= SUFFIXES | set(COMPRESSED_SUFFIXES), "a format named but not read"
    assert ALIASES <= SUFFIXES


def test_an_empty_folder_says_what_it_would_read(tmp_path: Path) -> None:
    from askseeds import Assistant

    _write(tmp_path / "docs", "tool.exe", b"MZ\x90\x00")
    with pytest.raises(CorpusError, match=r"No readable documents .*PDF, Word \(\.docx"):
        Assistant.from_folder(tmp_path / "docs", index_dir=tmp_path / "index")
