"""How much of real READMEs cleaning keeps: content lines kept / debris lines kept.

Reads the hand-labelled lines of eval/cleaning/lines.tsv (each non-blank line of six
real READMEs in eval/ordinary/, labelled c = content, d = debris such as badges,
logos and link lists, m = markup without text) and cleans the files as
``load_folder`` does. A line is kept when any of its non-space characters lies in a
block. The "held" files were labelled before any rule was tuned and are kept out
of tuning; only the "tune" files were looked at while changing ingest/clean.py.

    python benchmarks/cleaning.py
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from askseeds.ingest.clean import clean, common_lines

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "eval" / "cleaning" / "lines.tsv"
DOCS = ROOT / "eval" / "ordinary"


def kept_lines(text: str, common: frozenset[str]) -> set[int]:
    """1-based numbers of the lines of ``text`` that have a character in a block."""
    inside = bytearray(len(text))
    for b in clean(text, common).blocks:
        inside[b.start : b.end] = b"\x01" * (b.end - b.start)
    kept, at = set(), 0
    for number, line in enumerate(text.split("\n"), 1):
        if any(inside[at + i] and not ch.isspace() for i, ch in enumerate(line)):
            kept.add(number)
        at += len(line) + 1
    return kept


def main() -> None:
    labels: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for row in LABELS.read_text(encoding="utf-8").splitlines():
        if row.startswith("#") or not row.strip():
            continue
        split, name, number, label, text = row.split("\t", 4)
        labels[name].append((split, int(number), label, text))
    texts = {name: (DOCS / name).read_text(encoding="utf-8") for name in labels}
    common = common_lines(list(texts.values()))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for name, rows in sorted(labels.items()):
        kept = kept_lines(texts[name], common)
        for split, number, label, text in rows:
            if label == "m":
                continue
            hit = number in kept
            counts[(split, label)][0] += hit
            counts[(split, label)][1] += 1
            if split == "tune" and (hit != (label == "c")):
                misses.append(f"  {name}:{number} {label} {'kept' if hit else 'dropped'}: {text}")
    print("cleaning: content lines kept / debris lines kept (hand-labelled README lines)")
    print(f"{'part':<6}{'content kept':>22}{'debris kept':>22}")
    for split in ("tune", "held"):
        c_hit, c_all = counts[(split, "c")]
        d_hit, d_all = counts[(split, "d")]
        print(
            f"{split:<6}{c_hit:>8}/{c_all:<4} {c_hit / max(c_all, 1):6.1%}"
            f"{d_hit:>8}/{d_all:<4} {d_hit / max(d_all, 1):6.1%}"
        )
    if misses:
        print("tune-part lines on the wrong side:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
