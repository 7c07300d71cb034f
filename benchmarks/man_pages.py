"""Read every manual page under a folder (default /usr/share/man) as askseeds does, and print
how many were read, passed over (not a page: an alias's ".so"), failed, and how long it took;
and how much roff markup got through (a line of the text that starts as a request does).

    python benchmarks/man_pages.py [/usr/share/man]
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import lzma
import re
import sys
import time
from pathlib import Path

from askseeds.ingest.load import decode
from askseeds.ingest.roff import MAN_SUFFIX, read_man

_OPEN = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}
_REQUEST = re.compile(r"^\.[A-Za-z]{1,3}(?:\s|$)", re.MULTILINE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="/usr/share/man")
    args = parser.parse_args()
    pages = []
    for path in sorted(Path(args.folder).rglob("*")):
        name = path.name
        inflate = _OPEN.get(path.suffix)
        inner = name[: -len(path.suffix)] if inflate else name
        if path.is_file() and MAN_SUFFIX.fullmatch(Path(inner).suffix):
            pages.append((path, inflate))

    def read_page(path: Path, inflate) -> str | None:
        data = path.read_bytes()
        decoded = decode(inflate(data) if inflate else data)
        page = read_man(decoded[0]) if decoded else None
        return page[0] if page else None

    tally(pages, read_page, _REQUEST, ("manual pages", "no page", "request-like lines", "page"))
    return 0


def tally(items: list, read_one, leak: re.Pattern, words: tuple[str, str, str, str]) -> None:
    """Read each of ``items`` (``read_one(*item)``: its text, or None when passed over) and
    print how many were read, passed over and raised, the time, and the matches of ``leak``
    (markup that got through). ``words``: what the items are, why one is passed over, what a
    leak is, and one item."""
    kind, why, leaks, one = words
    read = passed = failed = leaked = chars = 0
    start = time.perf_counter()
    for item in items:
        try:
            text = read_one(*item)
        except Exception as exc:  # noqa: BLE001 -- counted: the loader must never raise either
            failed += 1
            print(f"failed: {item[0]}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        if text is None:
            passed += 1
            continue
        read += 1
        chars += len(text)
        leaked += len(leak.findall(text))
    seconds = time.perf_counter() - start
    print(f"{kind} found:".ljust(29) + f"{len(items)}")
    print(f"read:                        {read}")
    print(f"passed over ({why}):".ljust(29) + f"{passed}")
    print(f"raised:                      {failed}")
    print(f"seconds (reading included):  {seconds:.2f}")
    print(f"text read (MiB):             {chars / 2**20:.1f}")
    print(f"{leaks} left:".ljust(29) + f"{leaked} ({leaked / max(read, 1):.3f} a {one})")

if __name__ == "__main__":
    raise SystemExit(main())
