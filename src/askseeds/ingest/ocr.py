"""Text of scanned pages and pictures of text by OCR: Tesseract where it is installed (Debian:
``apt-get install tesseract-ocr poppler-utils``; ``tesseract-ocr-deu`` and the like for other
languages, named in ``ASKSEEDS_OCR_LANGUAGES``, "eng" by default).

A PDF with no text layer is drawn page by page (poppler's ``pdftoppm``, 300 dpi) and each page
read; a picture (.png, .jpg, .tif, ...) is read as it is. Tesseract's own layout gives the
paragraphs (its blocks and paragraphs; a line set much larger than the page's body, alone, is a
heading); a word it is unsure of is kept (a citation quotes what it read) but a line it only
guesses at is not, and a page with hardly a word read for sure (a photograph, a drawing) gives
nothing. Reading costs seconds a page, so what was read is kept by the file's SHA-256 in
askseeds' cache folder (``config.cache_root``: ``~/.cache/askseeds`` by default) and a file is
read once whatever the index.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..config import cache_root
from .marks import join_pages, literal

__all__ = ["IMAGE_SUFFIXES", "available", "read_image", "read_scanned_pdf", "unavailable"]

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"})
_DPI = 300
_MAX_PAGES = 500
_BATCH = 8  # pages drawn at a time
_PAGE_SECONDS = 120  # one page's OCR at most (a huge or pathological page is given up)
# Words read for sure (Tesseract's confidence, 0-100) that a page needs to count as text: of
# scikit-image's 35 sample pictures, its 31 photographs and drawings and 2 screenshots give at
# most one such word ("Plugin"), its two pages of text 47 and 22; pdf.js's test pages with a
# line on them ("This should be visible") four.
_MIN_WORDS = 3
_CONFIDENT = 80
_LINE_CONFIDENCE = 50  # a line's mean: below it, guesses
_HEADING_SIZE = 1.4  # a line this much taller than the body's, alone, is a heading
# 2: a page of three words read for sure is text; 3: guessed lines left out; 4: a TIFF's pages
_CACHE_VERSION = 4
_MIN_SIDE = 32  # pixels: a saved page's icons and bullets are smaller
_TESSERACT_READS = frozenset({"PNG", "JPEG", "TIFF", "BMP"})  # others are given it as PNG
# A heading's words: a capital or a section's number first, no sentence's stop, short. A line
# of braces or of an address is as tall ("{gal, brendan}@mozilla.com") and is none.
_HEADING_TEXT = re.compile(r"(?:\d[\d.]*\s+)?[A-Z][^{}@<>]{0,78}[^.,;:{}@<>]")


def available() -> bool:
    """Whether OCR can run here: Tesseract (a PDF's pages also need poppler's pdftoppm)."""
    return shutil.which("tesseract") is not None


def unavailable(what: str) -> str:
    """The reason a file that needs OCR is skipped on a machine without it."""
    return f"{what}; install tesseract-ocr (and poppler-utils) to read it by OCR"


def read_image(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a picture of text (a scan, a screenshot), or why there is none; a TIFF's
    pages (a fax, a scanner's one file of many pages) each a page."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            frames = min(getattr(image, "n_frames", 1), _MAX_PAGES) if image.format == "TIFF" else 1
            if frames > 1:
                page = None  # drawn a few at a time, when read
            elif image.format not in _TESSERACT_READS:  # a GIF's, a WebP's first frame
                page = _as_png(image)
            else:
                page = data
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
        return f"not a picture Tesseract can read ({type(exc).__name__})"
    if width < _MIN_SIDE or height < _MIN_SIDE:
        return "no text in it (a picture too small to hold any: an icon, a bullet)"
    read = _cached(
        data, "image", lambda: [_ocr_page(page)] if page else _ocr_frames(data, frames)
    )
    return _extracted(read, "no text in it (OCR found no words in the picture)")


def _ocr_frames(data: bytes, count: int) -> list[list[str]] | str:
    """The lines of a TIFF's first ``count`` pages."""
    from PIL import Image

    log.info("reading %d scanned pages by OCR (a few seconds each)", count)
    pages: list[list[str]] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            for first in range(0, count, _BATCH):
                drawn = []
                for i in range(first, min(first + _BATCH, count)):
                    image.seek(i)
                    drawn.append(_as_png(image))
                pages += _ocr_pages(drawn)
    except (OSError, ValueError, EOFError) as exc:
        return f"unreadable TIFF (page {len(pages) + 1}: {type(exc).__name__})"
    return pages


def _as_png(image) -> bytes:
    out = io.BytesIO()
    image.convert("L" if image.mode in ("1", "L", "I;16") else "RGB").save(out, format="PNG")
    return out.getvalue()


def _ocr_pages(pages: list[bytes]) -> list[list[str]]:
    """Each page's lines, Tesseract reading two pages at a time on one thread each (its own
    threads only contend)."""
    if len(pages) == 1:
        return [_ocr_page(pages[0])]
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        return list(pool.map(_ocr_page, pages))


def read_scanned_pdf(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a PDF's pages read by OCR (one without a text layer), or why not."""
    if shutil.which("pdftoppm") is None:
        return unavailable("PDF has no text layer (scanned pages?) and pdftoppm is missing")
    pages = _cached(data, "pdf", lambda: _ocr_pdf(data))
    return _extracted(pages, "PDF has no text layer, and OCR found no words on its pages")


def _extracted(pages: list[list[str]] | str, none: str):
    if isinstance(pages, str):
        return pages
    if not any(pages):
        return none
    text, starts = join_pages(pages)
    return text, starts, None


def _ocr_pdf(data: bytes) -> list[list[str]] | str:
    from pypdf import PdfReader

    count = min(len(PdfReader(io.BytesIO(data)).pages), _MAX_PAGES)
    if not count:
        return []
    log.info("reading %d scanned pages by OCR (a few seconds each)", count)
    started = time.monotonic()
    pages: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="askseeds-ocr-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        # A few pages drawn at a time (a page at 300 dpi is a megabyte or two).
        for first in range(1, count + 1, _BATCH):
            last = min(first + _BATCH - 1, count)
            try:
                subprocess.run(
                    ["pdftoppm", "-r", str(_DPI), "-gray", "-png", "-f", str(first),
                     "-l", str(last), str(pdf), str(Path(tmp) / f"p{first}")],
                    check=True, capture_output=True, timeout=_PAGE_SECONDS,
                )  # fmt: skip
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                return f"unreadable PDF (pdftoppm could not draw its pages: {_said(exc)})"
            drawn = sorted(
                Path(tmp).glob(f"p{first}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
            )
            pages += _ocr_pages([image.read_bytes() for image in drawn])
            for image in drawn:
                image.unlink()
    log.info("read %d pages by OCR in %.0f s", len(pages), time.monotonic() - started)
    return pages


def _ocr_page(image: bytes) -> list[str]:
    """One page's lines of text (paragraphs apart, headings marked), [] for no text."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    languages = os.environ.get("ASKSEEDS_OCR_LANGUAGES", "eng")
    try:
        run = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", languages, "tsv"],
            input=image, capture_output=True, timeout=_PAGE_SECONDS, env=env, check=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log.warning("OCR of a page failed: %s", _said(exc))
        return []
    return _paragraphs(run.stdout.decode("utf-8", "replace"))


def _paragraphs(tsv: str) -> list[str]:
    """Tesseract's TSV (a row per word, numbered by block, paragraph and line) as lines."""
    lines: dict[tuple[int, int, int], list[tuple[str, float, int]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append((text, float(row["conf"]), int(row["height"])))
    words = [w for line in lines.values() for w in line]
    if sum(conf >= _CONFIDENT for _, conf, _ in words) < _MIN_WORDS:
        return []  # a photograph or a drawing: what it "reads" is noise
    # A diagram's lines it guesses at ("o~ Altarnativa acoass paths", 42) are left out; its
    # labels ("Private Key", 88) and a scan's lines (85 and more) are kept.
    lines = {
        key: line
        for key, line in lines.items()
        if statistics.fmean(conf for _, conf, _ in line) >= _LINE_CONFIDENCE
    }
    body = statistics.median(h for _, _, h in words)
    paragraphs: dict[tuple[int, int], list[list[tuple[str, float, int]]]] = {}
    for (block, par, _), line in lines.items():
        paragraphs.setdefault((block, par), []).append(line)
    out: list[str] = []
    for par in paragraphs.values():
        texts = [" ".join(w for w, _, _ in line) for line in par]
        height = statistics.median(h for line in par for _, _, h in line)
        if len(par) == 1 and height >= _HEADING_SIZE * body and _HEADING_TEXT.fullmatch(texts[0]):
            out += ["", "## " + texts[0], ""]
        else:
            out += ["", literal(_joined(texts)), ""]
    return out


def _joined(lines: list[str]) -> str:
    """A paragraph's lines as one, a word broken by a hyphen at a line's end whole again."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and line[:1].islower() and text[-2:-1].isalpha():
            text = text[:-1] + line
        else:
            text += " " + line
    return text


def _cached(data: bytes, kind: str, read):
    """What ``read()`` gives for these bytes, kept on disk by their hash (JSON)."""
    folder = cache_root()
    digest = hashlib.sha256(data).hexdigest()
    path = folder / "ocr" / f"{digest}-{kind}.json"
    key = {"version": _CACHE_VERSION, "languages": os.environ.get("ASKSEEDS_OCR_LANGUAGES", "eng")}
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("key") == key and isinstance(kept.get("pages"), list):
            return kept["pages"]
    except (OSError, ValueError):
        pass  # not read before, or a damaged entry: read again
    pages = read()
    if isinstance(pages, list):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"key": key, "pages": pages}), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            log.warning("cannot keep OCR text in %s: %s", folder, exc)
    return pages


def _said(exc: Exception) -> str:
    if isinstance(exc, subprocess.TimeoutExpired):
        return "took too long"
    err = getattr(exc, "stderr", b"") or b""
    return err.decode("utf-8", "replace").strip().splitlines()[-1][:160] if err.strip() else str(exc)
