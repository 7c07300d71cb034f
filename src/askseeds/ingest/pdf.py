"""Read a PDF's text layer, page by page (pypdf; see README, "Formats")."""

from __future__ import annotations

import io
import re

__all__ = ["NO_TEXT_LAYER", "read_pdf"]

MAX_PDF_PAGES = 5000
NO_TEXT_LAYER = "PDF has no text layer (scanned pages?); run OCR on it to index it"

_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


def read_pdf(data: bytes) -> tuple[str, tuple[int, ...]] | str:
    """The text of a PDF and where each page starts in it, or why it cannot be read."""
    from pypdf import PdfReader

    head = data[:1024]
    if b"%PDF-" not in head:
        kind = "text" if _LETTER.search(head.decode("latin-1")) and b"\x00" not in head else "data"
        return f"not a PDF (the file holds {kind}, not PDF data); give it its real extension"
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # many PDFs are encrypted with an empty password
        except Exception:  # noqa: BLE001 - e.g. a cipher needing a library not installed
            opened = 0
        if not opened:
            return "encrypted PDF (needs a password); save an unencrypted copy to index it"
    if len(reader.pages) > MAX_PDF_PAGES:
        return f"PDF has {len(reader.pages)} pages (more than {MAX_PDF_PAGES}); split it"
    parts: list[str] = []
    pages: list[int] = []
    at = 0
    for page in reader.pages:
        pages.append(at)
        text = _tidy(page.extract_text() or "").strip("\n")
        parts.append(text)
        at += len(text) + 2  # the "\n\n" joining pages
    return "\n\n".join(parts) + "\n", tuple(pages)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
