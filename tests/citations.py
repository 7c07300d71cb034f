"""The exact-snippet property, checked against the files themselves (not a test module)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@lru_cache(maxsize=256)
def _read(path: Path, encoding: str, version: tuple[int, int]) -> str:
    with open(path, encoding=encoding) as fh:
        return fh.read()


def source_text(bot, source: str, folder: Path = SEEDS) -> str:
    """File ``source`` of ``folder``, read with the encoding the index recorded for it."""
    doc = bot.index.docs.get(source)
    path = folder / source
    st = path.stat()  # a file rewritten by a test is read again
    return _read(path, doc.encoding if doc else "utf-8", (st.st_mtime_ns, st.st_size))


def assert_cited_exactly(bot, answer, folder: Path = SEEDS) -> None:
    """Every citation's snippet and context are the file's text at their offsets."""
    for c in answer.citations:
        text = source_text(bot, c.source, folder)
        assert text[c.start : c.end] == c.snippet
        assert text[c.context_start : c.context_start + len(c.context)] == c.context
        for loc in c.also_in:
            assert source_text(bot, loc.source, folder)[loc.start : loc.end].strip()
