"""Every PDF of a folder through askseeds' reader: what happens to each, and at what cost.

Counts the files read and those skipped, by reason, and any that raised or took longer
than ``--timeout`` seconds (none should: a bad file is skipped with its reason). Time is
set against pypdf's plain ``extract_text`` of every page of the same files.

    python benchmarks/pdf_corpus.py <pdf.js>/test/pdfs [--timeout 30]
"""

from __future__ import annotations

import argparse
import logging
import signal
import time
import warnings
from collections import Counter
from pathlib import Path

from askseeds.ingest.convert import extract


class _Slow(Exception):
    pass


def _alarm(*_) -> None:
    raise _Slow


def _plain(data: bytes) -> None:
    import io

    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text()


def timed(fn, data: bytes, timeout: int) -> tuple[str, float]:
    signal.alarm(timeout)
    t0 = time.perf_counter()
    try:
        out = fn(data)
        kind = "read" if out is None or not isinstance(out, str) else out.split(" (")[0].split(";")[0]
    except _Slow:
        kind = "TOOK TOO LONG"
    except Exception as exc:  # noqa: BLE001 - counted: the reader must never raise
        kind = f"RAISED {type(exc).__name__}"
    finally:
        signal.alarm(0)
    return kind, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--timeout", type=int, default=30)
    args = ap.parse_args()
    logging.disable(logging.CRITICAL)  # pypdf warns at length about broken files
    warnings.filterwarnings("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    kinds: Counter[str] = Counter()
    ours = theirs = 0.0
    files = sorted(args.folder.rglob("*.pdf"))
    for path in files:
        data = path.read_bytes()
        kind, took = timed(lambda d: extract(".pdf", d), data, args.timeout)
        kinds[kind] += 1
        ours += took
        theirs += timed(_plain, data, args.timeout)[1]
    print(f"{len(files)} PDFs")
    for kind, n in kinds.most_common():
        print(f"  {n:5d}  {kind}")
    print(f"time: {ours:.1f} s; pypdf's plain text of every page: {theirs:.1f} s ({ours / theirs:.2f}x)")


if __name__ == "__main__":
    main()
