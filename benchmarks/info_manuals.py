"""Read every GNU Info manual under a folder (default /usr/share/info) as askseeds does, and
print how many were read, passed over (a split manual's table of its parts), failed, and how
long it took; and how much of what an Info reader moves by got through as text (node header
lines, menus, index entries, cross-reference marks, the tag table).

    python benchmarks/info_manuals.py [/usr/share/info]
"""

from __future__ import annotations

import argparse
import io
import re
from pathlib import Path, PurePosixPath

from man_pages import tally  # this folder is the script's first import path

from askseeds.ingest.info import INFO_SUFFIX, read_info
from askseeds.ingest.load import COMPRESSED_SUFFIXES, decode, inner_name

_NAVIGATION = re.compile(
    r"^(?:File: .*Node:|\* Menu:|\* [^:\n]+::|Tag Table:|End Tag Table)"
    r"|\(line +\d+\)|\*[Nn]ote\s",
    re.MULTILINE,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="/usr/share/info")
    args = parser.parse_args()
    manuals = [
        path
        for path in sorted(Path(args.folder).rglob("*"))
        if path.is_file() and INFO_SUFFIX.fullmatch(PurePosixPath(inner_name(path.name)).suffix)
    ]
    def read_manual(path: Path) -> str | None:
        data = path.read_bytes()
        if opener := COMPRESSED_SUFFIXES.get(path.suffix.lower()):
            with opener(io.BytesIO(data)) as fh:
                data = fh.read()
        decoded = decode(data.replace(b"\x00", b""))  # NULs mark the index nodes, as load reads
        manual = read_info(decoded[0]) if decoded else None
        return manual[0] if manual else None

    words = ("Info files", "no node", "navigation", "manual")
    tally([(path,) for path in manuals], read_manual, _NAVIGATION, words)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
