"""Read every OpenDocument file (.odt, .odp, and their flat .fodt, .fodp) and PowerPoint deck
(.pptx) under a folder as askseeds does, and print how many were read, skipped with a reason, and raised; with ``--expected``, a folder of the
same documents as another reader wrote them in Markdown (pandoc's ODT test suite:
``test/odt/odt/*.odt`` beside ``test/odt/markdown/*.md``), how many of that reader's words
askseeds keeps and how many of its own words that reader has not.

    python benchmarks/office_documents.py <pandoc>/test/odt/odt --expected <pandoc>/test/odt/markdown
    python benchmarks/office_documents.py <python-pptx>
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

from askseeds.ingest.convert import Extracted, extract

_WORD = re.compile(r"[^\W\d_]{2,}")  # words of letters: no figures, file names' hex
# Markdown that names no word of the document: a link's or an image's target, a footnote's
# label, TeX of a formula.
_MARKUP = re.compile(r"\]\([^)]*\)|\[\^\w+\]:?|\$\$.*?\$\$", re.DOTALL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--expected", help="a folder of NAME.md for NAME.odt")
    args = parser.parse_args()
    files = sorted(
        p for p in Path(args.folder).rglob("*") if p.suffix.lower() in (".odt", ".fodt", ".odp", ".fodp", ".pptx")
    )
    read, skipped, raised = 0, Counter(), 0
    kept = total = extra = own = compared = 0
    start = time.perf_counter()
    for path in files:
        try:
            out = extract(path.suffix.lower(), path.read_bytes())
        except Exception as exc:  # noqa: BLE001 -- counted: extract must never raise
            raised += 1
            print(f"raised: {path.name}: {type(exc).__name__}: {exc}")
            continue
        if not isinstance(out, Extracted):
            skipped[out.split(" (")[0]] += 1
            continue
        read += 1
        expected = Path(args.expected) / f"{path.stem}.md" if args.expected else None
        said = expected.read_text() if expected is not None and expected.is_file() else ""
        if said and not said.startswith("<"):  # one "expected" file of pandoc's is its XML
            theirs = Counter(w.lower() for w in _WORD.findall(_MARKUP.sub(" ", said)))
            ours = Counter(w.lower() for w in _WORD.findall(out.text))
            compared += 1
            kept += sum((theirs & ours).values())
            total += sum(theirs.values())
            extra += sum((ours - theirs).values())
            own += sum(ours.values())
    seconds = time.perf_counter() - start
    print(f"files found:                 {len(files)}")
    print(f"read:                        {read}")
    for reason, n in skipped.most_common():
        print(f"skipped, {reason}:".ljust(29) + f"{n}")
    print(f"raised:                      {raised}")
    print(f"seconds:                     {seconds:.2f}")
    if compared:
        print(f"compared with --expected:    {compared}")
        print(f"their words kept:            {kept / total:.3f} ({kept} of {total})")
        print(f"our words not theirs:        {extra / own:.3f} ({extra} of {own})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
