"""Scanned PDFs and pictures of text, read by OCR (Tesseract, poppler's pdftoppm: Debian's,
installed by scripts/test.sh). The pages are drawn here in DejaVu Sans, as a scanner would
give a printed page: a picture, no text layer."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from make_docs import DEJAVU

from askseeds.ingest import ocr
from askseeds.ingest.convert import extract
from askseeds.ingest.load import load_folder

pytestmark = pytest.mark.skipif(
    not ocr.available(), reason="no tesseract here: sudo apt-get install tesseract-ocr"
)

PAGE_ONE = [
    ("heading", "Kiln Safety"),
    ("text", "Never open the kiln above two hundred degrees. The glaze will craze and"),
    ("text", "the shelves may crack from the sudden draught of cold air."),
    ("text", ""),
    ("text", "Wear gloves rated for heat when you unload the pots the next morning."),
]
PAGE_TWO = [
    ("heading", "Firing Log"),
    ("text", "Every firing is written in the log: the date, the cone and who loaded it."),
]


def _page(lines: list[tuple[str, str]]):
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (2480, 1200), 255)  # A4's width at 300 dpi
    draw = ImageDraw.Draw(page)
    y = 150
    for kind, text in lines:
        size = 72 if kind == "heading" else 40
        draw.text((200, y), text, font=ImageFont.truetype(DEJAVU, size), fill=0)
        y += int(size * (2.0 if kind == "heading" else 1.5))
    return page


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ASKSEEDS_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("safety.pdf", {"format": "PDF", "resolution": 300}),
        # A fax or a scanner's "save as one file", in black and white.
        ("safety.tif", {"format": "TIFF", "compression": "group4"}),
    ],
)
def test_a_scan_of_two_pages_is_read_page_by_page(tmp_path: Path, name, options) -> None:
    pages = [_page(PAGE_ONE), _page(PAGE_TWO)]
    if options["format"] == "TIFF":
        pages = [page.convert("1") for page in pages]
    out = io.BytesIO()
    pages[0].save(out, save_all=True, append_images=pages[1:], **options)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / name).write_bytes(out.getvalue())
    (doc,), skipped = load_folder(tmp_path / "docs")
    assert skipped == []
    assert len(doc.pages) == 2
    first, second = doc.text[: doc.pages[1]], doc.text[doc.pages[1] :]
    assert "## Kiln Safety" in first and "## Firing Log" in second
    # A paragraph's lines are one paragraph again; the blank line keeps the next apart.
    assert "The glaze will craze and the shelves may crack" in first
    assert "\n\nWear gloves rated for heat" in first
    assert "who loaded it." in second


def test_a_picture_of_text_is_read_and_a_picture_of_nothing_is_not() -> None:
    out = extract(".png", _png(_page(PAGE_TWO)))
    assert "Every firing is written in the log" in out.text
    gif = io.BytesIO()
    _page(PAGE_TWO).save(gif, format="GIF")
    assert extract(".gif", gif.getvalue()).text == out.text
    rng = random.Random(7)
    from PIL import Image

    noise = Image.new("L", (800, 600))
    noise.putdata([rng.randrange(256) for _ in range(800 * 600)])
    assert extract(".png", _png(noise)) == "no text in it (OCR found no words in the picture)"
    icon = _png(Image.new("L", (16, 16), 255))
    assert extract(".png", icon).startswith("no text in it (a picture too small")
    assert extract(".jpg", b"a text file under a picture's name").startswith("not a picture")


def test_what_was_read_is_kept_by_the_file_s_hash(tmp_path: Path) -> None:
    data = _png(_page(PAGE_TWO))
    first = extract(".png", data)
    kept = list((tmp_path / "cache" / "ocr").glob("*.json"))
    assert len(kept) == 1
    kept[0].write_text(kept[0].read_text().replace("Every firing", "Each firing"))
    assert extract(".png", data).text == first.text.replace("Every firing", "Each firing")
    kept[0].write_text("{ damaged")
    assert extract(".png", data).text == first.text  # read again


def test_without_tesseract_a_scan_is_skipped_saying_what_to_install(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract, no pdftoppm on it
    out = io.BytesIO()
    _page(PAGE_TWO).save(out, format="PDF", resolution=300)
    assert extract(".pdf", out.getvalue()) == (
        "PDF has no text layer (scanned pages?); install tesseract-ocr (and poppler-utils) to "
        "read it by OCR"
    )
    assert "install tesseract-ocr" in extract(".png", _png(_page(PAGE_TWO)))
