"""Limit a question to part of the corpus: some files or folders, a date range.

A :class:`Filters` is resolved against an open index into the chunk positions it keeps
(:func:`select`); retrieval then searches only those (dense and BM25 alike, inside the
search, see ``Index.dense`` and ``retrieve.bm25_search``), so a filter never empties a
top k that other documents filled.

Dates: a document's date may be a year, a month or a day ("2025", "2025-03",
"2025-03-14"); it is read as the span of days it names, and kept when that span meets
``[since, until]`` (both inclusive, each also a year, month or day). Undated documents
are left out by a date filter unless ``keep_undated``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import numpy as np

from ..errors import AskseedsError

_ISO = re.compile(r"(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?")
_GLOB_CHARS = frozenset("*?[")
_ALIASES = {"only": "sources", "source": "sources", "folder": "sources"}


class FilterError(AskseedsError):
    """A filter is malformed, or keeps no document."""


@dataclass(frozen=True)
class Filters:
    """Which documents a question is asked of.

    ``sources`` are globs over the file paths relative to the corpus folder
    (``"reports/*"``, ``"*.md"``) or plain folder or file names (``"reports"`` keeps
    everything under it); a document matching any of them is kept. ``since`` and
    ``until`` are ISO dates (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), inclusive.
    """

    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    keep_undated: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.sources, str):
            object.__setattr__(self, "sources", (self.sources,))
        cleaned = tuple(s.strip().replace("\\", "/") for s in self.sources if s and s.strip())
        object.__setattr__(self, "sources", cleaned)
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise FilterError(f"{name} must be a date like 2025-01-31, not {value!r}")
            value = value.strip() if value else None
            object.__setattr__(self, name, value or None)
            if value and _span(value) is None:
                raise FilterError(
                    f"{name}={value!r} is not a date; write it as YYYY, YYYY-MM or YYYY-MM-DD"
                )
        if self.since and self.until and _span(self.since)[0] > _span(self.until)[1]:
            raise FilterError(f"since={self.since} is after until={self.until}")

    @property
    def empty(self) -> bool:
        """True when the filter keeps every document."""
        return not (self.sources or self.since or self.until)

    def describe(self) -> str:
        parts = [f"in {' or '.join(self.sources)}"] if self.sources else []
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        return " ".join(parts) or "all documents"


def as_filters(value: Filters | Mapping | None) -> Filters | None:
    """``value`` as :class:`Filters` (a plain dict is accepted), or None for no filter.

    Raises:
        FilterError: an unknown field, or a value of the wrong kind.
    """
    if value is None or isinstance(value, Filters):
        return None if value is None or value.empty else value
    if not isinstance(value, Mapping):
        raise FilterError(f"filters must be a Filters or a dict, not {type(value).__name__}")
    known = {f.name for f in fields(Filters)}
    args = {}
    for key, item in value.items():
        name = _ALIASES.get(key, key)
        if name not in known:
            raise FilterError(
                f"unknown filter field {key!r}; use sources (or only), since, until, keep_undated"
            )
        args[name] = item
    sources = args.get("sources", ())
    if isinstance(sources, str):
        sources = (sources,)
    if not isinstance(sources, Iterable) or not all(isinstance(s, str) for s in sources):
        raise FilterError("sources must be a glob or folder name, or a list of them")
    filters = Filters(
        sources=tuple(sources),
        since=args.get("since"),
        until=args.get("until"),
        keep_undated=bool(args.get("keep_undated", False)),
    )
    return None if filters.empty else filters


def _span(value: str) -> tuple[str, str] | None:
    """The first and last day a ``YYYY[-MM[-DD]]`` date names, as ISO strings, or None."""
    m = _ISO.fullmatch(value)
    if not m:
        return None
    year, month, day = m.group("y"), m.group("m"), m.group("d")
    if month and not 1 <= int(month) <= 12:
        return None
    if day and not 1 <= int(day) <= 31:
        return None
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-01", f"{year}-{month}-31"  # compared as strings: -31 is last
    return f"{year}-01-01", f"{year}-12-31"


def matches_source(pattern: str, source: str) -> bool:
    """``source`` (a corpus-relative path) is ``pattern``, lies under it, or matches its glob."""
    if _GLOB_CHARS.isdisjoint(pattern):
        folder = pattern.strip("/")
        return source == folder or source.startswith(folder + "/") or not folder
    return fnmatch.fnmatchcase(source, pattern.lstrip("/"))


def keeps_date(filters: Filters, date: str | None) -> bool:
    """Whether a document dated ``date`` (None: undated) is inside the filter's date range."""
    if not (filters.since or filters.until):
        return True
    span = _span(date) if date else None
    if span is None:
        return filters.keep_undated
    if filters.since and span[1] < _span(filters.since)[0]:
        return False
    return not (filters.until and span[0] > _span(filters.until)[1])


def kept_sources(filters: Filters, dates: Mapping[str, str | None]) -> list[str]:
    """The documents (``{source: date}``) a filter keeps.

    Raises:
        FilterError: a source pattern matches no document, or the filter keeps none.
    """
    sources = sorted(dates)
    by_pattern = sources
    if filters.sources:
        for pattern in filters.sources:
            if not any(matches_source(pattern, s) for s in sources):
                example = ", ".join(repr(s) for s in sources[:3])
                raise FilterError(
                    f"no document matches {pattern!r} (documents are named like {example}); "
                    "give a glob such as 'reports/*' or a folder name"
                )
        by_pattern = [s for s in sources if any(matches_source(p, s) for p in filters.sources)]
    kept = [s for s in by_pattern if keeps_date(filters, dates[s])]
    if not kept:
        undated = sum(dates[s] is None for s in by_pattern)
        hint = (
            f"; {undated} of them undated (keep_undated keeps those)"
            if undated and not filters.keep_undated
            else ""
        )
        raise FilterError(
            f"No document matches the filter ({filters.describe()}): {len(by_pattern)} "
            f"documents match the sources, none is dated in range{hint}."
        )
    return kept


def select(filters: Filters, chunk_sources: np.ndarray, names: list[str],
           dates: Mapping[str, str | None]) -> np.ndarray:
    """Sorted chunk positions of the documents ``filters`` keeps.

    Args:
        chunk_sources: per chunk position, the index of its document in ``names``.
        names: document names (sources), in the order ``chunk_sources`` counts them.
        dates: each document's date (None when undated).
    """
    kept = set(kept_sources(filters, dates))
    wanted = np.fromiter((name in kept for name in names), dtype=bool, count=len(names))
    return np.flatnonzero(wanted[chunk_sources])
