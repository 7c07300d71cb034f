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
    read = passed = failed = leaked = chars = 0
    start = time.perf_counter()
    for path, inflate in pages:
        try:
            data = path.read_bytes()
            decoded = decode(inflate(data) if inflate else data)
            page = read_man(decoded[0]) if decoded else None
        except Exception as exc:  # noqa: BLE001 -- counted: the loader must never raise either
            failed += 1
            print(f"failed: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        if page is None:
            passed += 1
            continue
        read += 1
        chars += len(page[0])
        leaked += len(_REQUEST.findall(page[0]))
    seconds = time.perf_counter() - start
    print(f"manual pages found:          {len(pages)}")
    print(f"read:                        {read}")
    print(f"passed over (no page):       {passed}")
    print(f"raised:                      {failed}")
    print(f"seconds (reading included):  {seconds:.1f}")
    print(f"text read (MiB):             {chars / 2**20:.1f}")
    print(f"request-like lines left:     {leaked} ({leaked / max(read, 1):.3f} a page)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
