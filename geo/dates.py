"""Dates with a precision (day, month, year), parsed from the form they are written in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Precision = Literal["day", "month", "year"]

_FORMS: tuple[tuple[re.Pattern[str], Precision], ...] = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
)

EARLIEST = date(1990, 1, 1)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date as precise as its source: `value` is the first day of the period."""

    value: date
    precision: Precision

    @property
    def iso(self) -> str:
        return self.value.isoformat()

    @property
    def text(self) -> str:
        """The date as it was written: 2014, 2014-06 or 2014-06-10."""
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.iso


def parse_partial_date(text: str, *, today: date | None = None) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError with a readable reason."""
    raw = text.strip()
    for pattern, precision in _FORMS:
        match = pattern.match(raw)
        if not match:
            continue
        parts = [int(g) for g in match.groups()] + [1] * (3 - len(match.groups()))
        try:
            value = date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            raise ValueError(f"'{raw}' is not a real date ({exc})") from None
        latest = today or date.today()
        if value < EARLIEST or value > latest:
            raise ValueError(f"'{raw}' is outside {EARLIEST.isoformat()}..{latest.isoformat()}")
        return PartialDate(value, precision)
    raise ValueError(f"'{raw}' is not written as YYYY-MM-DD, YYYY-MM or YYYY")


def parse_day(text: str) -> date:
    """Parse a full YYYY-MM-DD date (for filters and the command line)."""
    raw = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueError(f"'{raw}' is not a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"'{raw}' is not a real date ({exc})") from None


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    if month == 12:
        return date(year, 12, 31)
    return date.fromordinal(date(year, month + 1, 1).toordinal() - 1)


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    """Every (year, month) from first's month to last's month, inclusive."""
    out: list[tuple[int, int]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
