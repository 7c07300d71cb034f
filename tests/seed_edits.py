"""One update of a copy of the seeds: a file added, one changed, one deleted."""

from __future__ import annotations

from pathlib import Path

ADDED, CHANGED, DELETED = "extra.md", "003_6bd7ffb8b6a6624e.txt", "000_e6ba5802b2421233.txt"
FESTIVAL = "How many visitors did the harbour festival draw?"  # answered by ADDED only


def edit_seeds(docs: Path) -> None:
    (docs / ADDED).write_text(
        "# Harbour notes\n\nThe Tacoma harbour festival drew ten thousand visitors in June.\n",
        encoding="utf-8",
    )
    path = docs / CHANGED
    path.write_text(
        path.read_text(encoding="utf-8") + "\nThe dialogue ended with a toast.\n", encoding="utf-8"
    )
    (docs / DELETED).unlink()
