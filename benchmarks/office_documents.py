"""Read every OpenDocument file (.odt, .odp, and their flat .fodt, .fodp), PowerPoint deck
(.pptx), Word 97-2003 document (.doc), RTF file, e-mail (.eml, .mbox) and workbook (.xlsx,
.xls, .ods) under a folder as
askseeds does, and print how many were read, skipped
with a reason, and raised; with ``--expected``, a folder of the same documents as another
reader wrote them, as text (``NAME.txt``), in Markdown (``NAME.md``; pandoc's ODT test suite: ``test/odt/odt/*.odt``
beside ``test/odt/markdown/*.md``) or as pandoc's syntax tree (``NAME.native``, its RTF test
suite: ``test/rtf/*.rtf`` beside ``*.native``), how many of that reader's words askseeds keeps
and how many of its own words that reader has not. With ``--against``, a folder of the same
documents in another format (the ODT files a set of RTF files were saved from), compared as
askseeds reads them.

    python benchmarks/office_documents.py <pandoc>/test/odt/odt --expected <pandoc>/test/odt/markdown
    python benchmarks/office_documents.py <pandoc>/test/rtf --expected <pandoc>/test/rtf
    python benchmarks/office_documents.py <python-pptx>
    soffice --headless --convert-to rtf --outdir rtf <pandoc>/test/odt/odt/*.odt
    python benchmarks/office_documents.py rtf --against <pandoc>/test/odt/odt
    (the same with doc for rtf)
    python benchmarks/office_documents.py <mail>   # github:mikel/mail's spec/fixtures/emails,
                                                   # each file saved as NAME.eml
    python benchmarks/office_documents.py <poi>/test-data/spreadsheet
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
# The document's text in pandoc's native syntax tree: its strings, with Haskell's escapes.
_NATIVE_TEXT = re.compile(r'(?:Str|Code \([^)]*\)) "((?:[^"\\]|\\.)*)"')
_HASKELL_ESCAPE = re.compile(r"\\(\d+|.)")
_SUFFIXES = (".odt", ".fodt", ".odp", ".fodp", ".pptx", ".doc", ".rtf", ".eml", ".mbox", ".xlsx",
             ".xls", ".ods")  # fmt: skip


def _expected_text(folder: str, stem: str) -> str:
    """What the other reader made of document ``stem``, as text ("" if nothing)."""
    plain = Path(folder) / f"{stem}.txt"
    if plain.is_file():
        return plain.read_text(encoding="utf-8-sig", errors="replace")
    markdown = Path(folder) / f"{stem}.md"
    if markdown.is_file():
        said = markdown.read_text()
        # one "expected" file of pandoc's ODT suite is its XML
        return "" if said.startswith("<") else _MARKUP.sub(" ", said)
    native = Path(folder) / f"{stem}.native"
    if native.is_file():
        strings = _NATIVE_TEXT.findall(native.read_text())
        return " ".join(
            _HASKELL_ESCAPE.sub(lambda m: chr(int(m[1])) if m[1].isdigit() else m[1], s)
            for s in strings
        )
    return ""


def _same_document_text(folder: str, stem: str) -> str:
    """askseeds' reading of document ``stem`` in the other format in ``folder`` ("" if none)."""
    for path in sorted(Path(folder).glob(f"{stem}.*")):
        if path.suffix.lower() in _SUFFIXES:
            out = extract(path.suffix.lower(), path.read_bytes())
            return out.text if isinstance(out, Extracted) else ""
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--expected", help="a folder of NAME.txt, NAME.md or NAME.native")
    parser.add_argument("--against", help="a folder of the same documents in another format")
    args = parser.parse_args()
    files = sorted(
        p for p in Path(args.folder).rglob("*") if p.suffix.lower() in _SUFFIXES
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
        if args.against:
            said = _same_document_text(args.against, path.stem)
        else:
            said = _expected_text(args.expected, path.stem) if args.expected else ""
        if said:
            theirs = Counter(w.lower() for w in _WORD.findall(said))
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
        print(f"skipped, {reason}:".ljust(28) + f" {n}")
    print(f"raised:                      {raised}")
    print(f"seconds:                     {seconds:.2f}")
    if compared:
        print(f"compared:                    {compared}")
        print(f"their words kept:            {kept / total:.3f} ({kept} of {total})")
        print(f"our words not theirs:        {extra / own:.3f} ({extra} of {own})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
