"""Read a date as pages write it ("2023-11-03", "Nov. 6, 2023", "2023年11月3日") as ISO 8601."""

from __future__ import annotations

import re
from datetime import date as _date

__all__ = ["MONTH", "month_day_year", "parse_date"]

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
