"""Read a date as pages write it ("2023-11-03", "Nov. 6, 2023", "2023年11月3日") as ISO 8601."""

from __future__ import annotations

import re
from datetime import date as _date

__all__ = [
    "MONTH", "MONTH_NAMES", "dates_in", "in_words", "month_day_year", "parse_date",
    "years_for_dates",
]  # fmt: skip

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A month name or abbreviation ("Nov.", "November"); also used by clean's dateline rule.
MONTH = rf"(?P<mon>(?i:{'|'.join(_MONTHS)})[a-z]*)\.?"
_MONTH_DAY_YEAR = re.compile(
    rf"{MONTH}\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>[0-9]{{4}})"
)
_FORMS = (
    re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"),
    _MONTH_DAY_YEAR,
    re.compile(rf"(?P<d>[0-9]{{1,2}})\s+{MONTH},?\s+(?P<y>[0-9]{{4}})"),
    re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})"),
)


def parse_date(value: str) -> str | None:
    """Parse one date written alone ("2023-11-03", "Nov. 6, 2023", "2023年11月3日").

    Args:
        value: the date text, without surrounding words.

    Returns:
        ISO ``YYYY-MM-DD`` (or ``YYYY-MM``), or ``None`` when it is not a valid date.
    """
    value = value.strip()
    for form in _FORMS:
        m = form.fullmatch(value)
        if m:
            return _iso(m)
    return None


def month_day_year(s: str) -> str | None:
    """The first "Nov. 6, 2023"-style date in ``s`` as ISO, or ``None``."""
    m = _MONTH_DAY_YEAR.search(s)
    return _iso(m) if m else None


def _iso(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    try:
        year = int(groups["y"])
        month = int(groups["m"]) if groups.get("m") else _month_number(groups.get("mon") or "")
        if not groups.get("d"):
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
        return _date(year, month, int(groups["d"])).isoformat()
    except (ValueError, TypeError):
        return None


def _month_number(name: str) -> int:
    key = name[:3].lower()
    return _MONTHS.index(key) + 1 if key in _MONTHS else 0


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# Each month by its name or abbreviation ("Sept" too); a word the scan looks for whole.
_NAMES = "|".join([*(n.lower() for n in MONTH_NAMES), *_MONTHS, "sept"])
_SCAN = re.compile(
    r"(?<![\w.-])(?P<iy>[12][0-9]{3})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})(?![0-9])"
    r"|(?<![\w/.-])(?P<sa>[0-9]{1,2})[/.](?P<sb>[0-9]{1,2})[/.](?P<sy>[12][0-9]{3})(?![\w/])"
    rf"|\b(?P<dd>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm>{_NAMES})\b\.?,?\s+"
    r"(?P<dy>[12][0-9]{3})\b"
    rf"|\b(?P<mm>{_NAMES})\b\.?\s+(?P<md>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>[12][0-9]{{3}})\b"
    rf"|\b(?P<om>{_NAMES})\b\.?,?\s+(?P<oy>[12][0-9]{{3}})\b",
    re.IGNORECASE,
)


def dates_in(text: str) -> list[str]:
    """The dates ``text`` states, in any of the ways people write them ("2023-12-07",
    "7 December 2023", "Dec. 7, 2023", "07/12/2023"), as ISO ``YYYY-MM-DD``; a month named
    with its year ("December 2023") as ``YYYY-MM``. A date in numbers whose day and month
    could be either way round ("07/12/2023") is both."""
    return [iso for _, _, found in _dates(text) for iso in found]


def years_for_dates(text: str) -> tuple[str, list[str]]:
    """``text`` with each date it states written as its month's name, where it has one, and
    its year, without its day's and month's numbers; and those dates (``dates_in``): "on 7
    December 2023" is "on December 2023" and ["2023-12-07"], "2023-12-07" is "2023"."""
    parts, found, at = [], [], 0
    for m, year, isos in _dates(text):
        month = m.group("dm") or m.group("mm") or m.group("om") or ""
        parts += [text[at : m.start()], f" {month} {year} "]
        found += isos
        at = m.end()
    return "".join(parts) + text[at:], found


def _dates(text: str):
    """Each date's match, year and ISO readings."""
    for m in _scanned(text):
        g = m.groupdict()
        if g["iy"]:
            year, found = g["iy"], [_valid(g["iy"], g["im"], g["id"])]
        elif g["sy"]:  # day first (most of the world), or month first (the US)
            year = g["sy"]
            found = [_valid(g["sy"], g["sb"], g["sa"]), _valid(g["sy"], g["sa"], g["sb"])]
        elif g["dy"]:
            year, found = g["dy"], [_valid(g["dy"], _month_number(g["dm"]), g["dd"])]
        elif g["my"]:
            year, found = g["my"], [_valid(g["my"], _month_number(g["mm"]), g["md"])]
        elif g["om"] == "may":  # the verb: "they may 2023"
            continue
        else:
            month = _month_number(g["om"])
            year, found = g["oy"], [f"{int(g['oy']):04d}-{month:02d}" if month else None]
        found = [d for d in dict.fromkeys(found) if d]
        if found:
            yield m, year, found


_YEAR_AT = re.compile(r"(?<![0-9])[12][0-9]{3}(?![0-9])")


def _scanned(text: str):
    """``_SCAN``'s matches, looked for only around the years ``text`` names (every form has
    one, at its end or, ISO's, its start): scanning all of it costs more than the rest of
    ``terms`` does."""
    windows: list[list[int]] = []
    for year in _YEAR_AT.finditer(text):
        lo, hi = max(0, year.start() - 32), min(len(text), year.end() + 8)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    for lo, hi in windows:
        yield from _SCAN.finditer(text, lo, hi)


def _valid(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return _date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def in_words(iso: str) -> str | None:
    """An ISO date (``YYYY-MM-DD``) as people write it: "9 March 2024"; None for another text."""
    iso = iso.strip()
    if len(iso) != 10 or iso[4] != "-":  # fromisoformat takes "20240309" too: a number
        return None
    try:
        day = _date.fromisoformat(iso)
    except ValueError:
        return None
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
