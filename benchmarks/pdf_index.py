"""Indexing a 100-page text PDF: total index time against the time of embedding its text.

The PDF is made from real text (the READMEs and docs of eval/ordinary*/, about 2,400
characters a page, cycled until 100 pages are full). Index time is a fresh
``Assistant.from_folder`` on a folder holding only that PDF (read, extract, clean, chunk,
embed, write), with the model already loaded; embedding time is ``encode_chunks`` on the
same chunks alone, as indexing calls it. Best of ``--repeat`` runs each.

    python benchmarks/pdf_index.py [--pages 100] [--repeat 2] [--pdf a-real.pdf]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from make_docs import DEJAVU, pdf_bytes

from askseeds import Assistant
from askseeds.config import Settings
from askseeds.embed.encoder import get_embedder
from askseeds.ingest.chunk import chunk_document, sentence_offsets
from askseeds.ingest.convert import extract
from askseeds.ingest.load import load_folder

PAGE_CHARS = 2400


def real_text() -> str:
    parts = []
    for folder in ("ordinary", "ordinary_src"):
        for path in sorted((ROOT / "eval" / folder).glob("*")):
            if path.suffix in (".md", ".rst", ".txt"):
                parts.append(path.read_text(encoding="utf-8"))
    return "\n\n".join(parts)


def pages_of(text: str, n: int) -> list[str]:
    words = text.split(" ")
    pages, cur, at = [], [], 0
    while len(pages) < n:
        word = words[at % len(words)]
        at += 1
        cur.append(word)
        if sum(len(w) + 1 for w in cur) >= PAGE_CHARS:
            pages.append(" ".join(cur))
            cur = []
    return pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--pdf", type=Path, help="a real PDF to index instead of the made one")
    args = ap.parse_args()
    settings = Settings()
    embedder = get_embedder(settings.model)
    embedder.encode(["warm up"], 1)
    if args.pdf:
        data = args.pdf.read_bytes()
    else:
        data = pdf_bytes(pages_of(real_text(), args.pages), font_path=DEJAVU)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        (docs / "manual.pdf").write_bytes(data)
        t0 = time.perf_counter()
        extracted = extract(".pdf", data)
        t_extract = time.perf_counter() - t0
        (doc,), _ = load_folder(docs)
        chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap_tokens)
        index_times, embed_times = [], []
        for run in range(args.repeat):
            t0 = time.perf_counter()
            bot = Assistant.from_folder(
                docs, index_dir=Path(tmp) / f"index{run}", settings=settings, progress=False
            )
            index_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            embedder.encode_chunks(
                [c.text for c in chunks],
                [sentence_offsets(c) for c in chunks],
                settings.batch_size,
            )
            embed_times.append(time.perf_counter() - t0)
    t_index, t_embed = min(index_times), min(embed_times)
    name = args.pdf.name if args.pdf else f"{args.pages} pages made here"
    print(f"PDF: {name}, {len(data) / 2**10:.0f} KiB, {len(extracted.text):,} characters")
    print(f"passages: {bot.stats.passages} (chunked here: {len(chunks)})")
    print(f"text extraction (pypdf, read as laid out): {t_extract:6.2f} s")
    print(f"embedding its passages:   {t_embed:6.2f} s")
    print(f"index time (from_folder): {t_index:6.2f} s")
    print(f"index time / embedding time: {t_index / t_embed:.2f}x  (goal <= 1.3x)")


if __name__ == "__main__":
    main()
