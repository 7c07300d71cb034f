"""How well OCR reads scanned pages: each PDF of a folder (with a text layer) is drawn as a
scanner would give it (pdftoppm, grey JPEG at ``--dpi``, no text layer), read back by askseeds'
OCR, and compared with its text layer as askseeds reads it: the share of the text layer's words
the OCR text holds (as a multiset), the share of OCR words the text layer lacks, and seconds a
page.

    python benchmarks/ocr_pages.py <folder of PDFs> [--dpi 200]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from askseeds.ingest.convert import Extracted, extract

_WORD = re.compile(r"[^\W\d_]{2,}")


def _scan(pdf: Path, dpi: int) -> bytes:
    """The PDF as an image-only PDF: each page a grey JPEG, as a scanner saves one."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-jpeg", "-jpegopt", "quality=60", str(pdf),
             f"{tmp}/p"],
            check=True,
        )  # fmt: skip
        pages = sorted(Path(tmp).glob("p-*.jpg"), key=lambda p: int(p.stem.split("-")[1]))
        images = [Image.open(p) for p in pages]
        out = io.BytesIO()
        images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
        return out.getvalue()


def _words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--dpi", type=int, default=200, help="the scan's resolution")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ASKSEEDS_CACHE_DIR"] = cache  # read afresh, timed
        kept = extra = total = ocr_total = 0
        pages = seconds = 0.0
        print(f"{'file':32} {'pages':>5} {'kept':>6} {'extra':>6} {'s/page':>7}")
        for pdf in sorted(args.folder.glob("*.pdf")):
            layer = extract(".pdf", pdf.read_bytes())
            if not isinstance(layer, Extracted):
                continue
            scanned = _scan(pdf, args.dpi)
            started = time.monotonic()
            read = extract(".pdf", scanned)
            spent = time.monotonic() - started
            if not isinstance(read, Extracted):
                print(f"{pdf.name:32} {read}")
                continue
            want, got = _words(layer.text), _words(read.text)
            n = len(read.pages) or 1
            kept += sum((want & got).values())
            extra += sum((got - want).values())
            total += sum(want.values())
            ocr_total += sum(got.values())
            pages += n
            seconds += spent
            print(
                f"{pdf.name[:32]:32} {n:5d} {sum((want & got).values()) / sum(want.values()):6.3f} "
                f"{sum((got - want).values()) / max(sum(got.values()), 1):6.3f} {spent / n:7.2f}"
            )
        print(f"{'all':32} {int(pages):5d} {kept / total:6.3f} {extra / ocr_total:6.3f} "
              f"{seconds / pages:7.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
