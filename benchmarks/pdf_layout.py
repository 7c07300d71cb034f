"""How well PDF text is read as laid out, against what the PDF itself says.

For each PDF given (or every PDF under a folder):
- headings: the titles of the PDF's own outline (its bookmarks, where it has one) that the
  text marks as a heading, and the share of marked headings that are outline titles;
- running heads: lines kept that stand at the top or bottom of 3 or more pages (digits
  read alike, so "Chapter 2 ... 3" and "Chapter 2 ... 4" are one);
- broken words: words hyphenated at a line's end, left broken in the text ("man-" then
  "agement"), against those made whole;
- ligatures: fi/fl/ff glyphs left in the text.

"Before" is pypdf's plain extraction, pages joined as they were before ingest/pdf.py.

    python benchmarks/pdf_layout.py /usr/share/doc/libtasn1-doc/libtasn1.pdf more.pdf ...
"""

from __future__ import annotations

import argparse
import io
import re
from collections import Counter
from pathlib import Path

from pypdf import PdfReader

from askseeds.ingest.pdf import read_pdf

_HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
_BROKEN = re.compile(r"[^\W\d_]{2,}-\n[a-z]")


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w ]+", " ", s.lower()).split())


def _outline(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif getattr(item, "title", None):
                titles.append(_norm(item.title))

    try:
        walk(reader.outline)
    except Exception:  # noqa: BLE001 - a broken outline is no outline
        return []
    return [t for t in titles if t]


def _edge_repeats(pages: list[str]) -> int:
    """Lines standing within 3 lines of a page's edge on 3 or more pages."""
    seen: Counter[str] = Counter()
    for page in pages:
        lines = [ln.strip() for ln in page.split("\n") if ln.strip() and ln[:1] not in "#`"]
        seen.update({re.sub(r"\d+", "#", ln.lower()) for ln in lines[:3] + lines[-3:]})
    return sum(n for n in seen.values() if n >= 3)


def measure(path: Path) -> None:
    data = path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    before_pages = [p.extract_text() or "" for p in reader.pages]
    read = read_pdf(data)
    if isinstance(read, str):
        print(f"{path.name}: {read}")
        return
    text, starts, _ = read
    after_pages = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)])]
    outline = _outline(reader)
    heads = [_norm(h) for h in _HEADING.findall(text)]
    found = sum(1 for t in set(outline) if any(t == h or t in h for h in heads))
    true = sum(1 for h in heads if any(t == h or t in h for t in outline))
    before = "\n".join(before_pages)
    lig = re.compile("[\ufb00-\ufb06]")
    print(f"{path.name} ({len(reader.pages)} pages)")
    if outline:
        print(
            f"  outline titles marked as headings: {found} of {len(set(outline))}; "
            f"headings that are outline titles: {true} of {len(heads)}"
        )
    else:
        print(f"  no outline; headings marked: {len(heads)}")
    print(
        f"  running-head lines kept: {_edge_repeats(before_pages)} before, {_edge_repeats(after_pages)} now"
    )
    print(
        f"  words broken at a line's end: {len(_BROKEN.findall(before))} before, "
        f"{len(_BROKEN.findall(text))} now"
    )
    print(f"  ligature glyphs: {len(lig.findall(before))} before, {len(lig.findall(text))} now")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="PDF files or folders of them")
    args = parser.parse_args()
    for p in args.paths:
        for f in sorted(p.rglob("*.pdf")) if p.is_dir() else [p]:
            measure(f)


if __name__ == "__main__":
    main()
