"""Business hours: when a team is at work, and how much of its time lies between instants.

A ``BusinessCalendar`` turns a weekly schedule in a time zone, minus public holidays (the
``holidays`` package) and extra closed dates, into sorted UTC intervals, one table per
local year, built on first use and cached, with the business time before each interval.
``add`` and ``elapsed`` are then a binary search and a subtraction: a 1,000-hour target
costs the same as a 1-hour one.

Rules worth knowing:
- A shift whose end is not after its start ends on the next day (``22:00-06:00``; a
  ``00:00-00:00`` shift lasts the whole day). It belongs to the day it starts on: a holiday
  or closed date cancels the shifts that start on it, not an overnight shift from the eve.
- Business time is real elapsed time: an overnight shift over a DST change lasts 7 h or 9 h.
  A shift boundary in the spring gap moves an hour later; in the autumn repeat the first
  occurrence counts.
- All instants in and out are aware datetimes; results are in UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bridge.sla.year_table import Shift as Shift  # the public type of a weekly entry
from bridge.sla.year_table import YearTable, checked_weekly, merged, year_table

ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MAX_YEARS = 200  # how far a search may walk before the calendar is declared always closed


class Calendar(Protocol):
    """What clocks and ladders need from a calendar (business hours or 24x7)."""

    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    def is_open(self, t: datetime) -> bool: ...

    def next_open(self, t: datetime) -> datetime: ...

    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...


def utc(t: datetime) -> datetime:
    """``t`` in UTC; a naive datetime is a bug upstream, so it raises ``ValueError``."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"naive datetime {t.isoformat()}: pass an aware datetime")
    return t.astimezone(UTC)


@dataclass(frozen=True)
class Calendar24x7:
    """Calendar hours: always open; business time is plain elapsed time."""

    name: str = "24x7"
    timezone: str = "UTC"

    def is_open(self, t: datetime) -> bool:
        utc(t)
        return True

    def next_open(self, t: datetime) -> datetime:
        return utc(t)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return utc(start) + duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return utc(end) - utc(start)


class BusinessCalendar:
    """Weekly hours in a time zone, minus public holidays and closed dates.

    ``weekly`` maps a weekday (Monday = 0, as ``date.weekday()``) to its shifts; a day
    that is absent or empty is closed. Raises ``ValueError`` for an unknown time zone,
    country or subdivision, or a schedule without any open hours.
    """

    def __init__(self, timezone: str, weekly: Mapping[int, Sequence[Shift]],
                 country: str | None = None, subdivision: str | None = None,
                 closed_dates: Iterable[date] = (), name: str = "business") -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        self._weekly = checked_weekly(weekly)
        if subdivision and not country:
            raise ValueError("a subdivision needs a country")
        if country:
            try:
                holidays.country_holidays(country, subdiv=subdivision)
            except NotImplementedError as exc:
                raise ValueError(str(exc)) from exc
        self._name, self._zone_name = name, timezone
        self._country, self._subdivision = country, subdivision
        self._closed = frozenset(closed_dates)
        self._years: dict[int, YearTable] = {}
        self._holidays: dict[int, frozenset[date]] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def timezone(self) -> str:
        return self._zone_name

    def __repr__(self) -> str:
        return f"BusinessCalendar({self._name!r}, {self._zone_name!r}, {self._country!r})"

    def is_open(self, t: datetime) -> bool:
        """Whether ``t`` falls in an open interval (start included, end excluded)."""
        t = utc(t)
        book = self._year(self._year_of(t))
        i = bisect.bisect_right(book.starts, t) - 1
        return i >= 0 and t < book.ends[i]

    def next_open(self, t: datetime) -> datetime:
        """``t`` itself when open, else the start of the next open interval."""
        t = utc(t)
        year = self._year_of(t)
        book = self._year(year)
        i = bisect.bisect_right(book.starts, t) - 1
        if i >= 0 and t < book.ends[i]:
            return t
        i += 1
        for _ in range(_MAX_YEARS):
            if i < len(book.starts):
                return book.starts[i]
            year, i = year + 1, 0
            book = self._year(year)
        raise ValueError(f"calendar {self._name!r} never opens after {t.isoformat()}")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which ``duration`` of business time has elapsed since
        ``start``; a negative duration counts backwards. ``add(t, 0)`` is ``t``."""
        t = utc(start)
        if not duration:
            return t
        year = self._year_of(t)
        pos = self._year(year).position(t) + duration
        for _ in range(_MAX_YEARS):
            book = self._year(year)
            if pos <= ZERO:
                year -= 1
                pos += self._year(year).total
            elif pos > book.total:
                year += 1
                pos -= book.total
            else:
                return book.instant(pos)
        raise ValueError(f"calendar {self._name!r} has no business hours near {t.isoformat()}")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants; negative when ``end`` is before ``start``."""
        a, b = utc(start), utc(end)
        if b < a:
            return -self.elapsed(b, a)
        first, last = self._year_of(a), self._year_of(b)
        between = sum((self._year(y).total for y in range(first, last)), ZERO)
        return between + self._year(last).position(b) - self._year(first).position(a)

    # ---- tables ------------------------------------------------------------------------

    def _year_of(self, t: datetime) -> int:
        return t.astimezone(self._tz).year

    def _year(self, year: int) -> YearTable:
        book = self._years.get(year)
        if book is None:
            book = self._years[year] = self._build(year)
        return book

    def _closed_on(self, day: date) -> bool:
        if day in self._closed:
            return True
        if not self._country:
            return False
        found = self._holidays.get(day.year)
        if found is None:
            found = frozenset(holidays.country_holidays(
                self._country, subdiv=self._subdivision, years=day.year).keys())
            self._holidays[day.year] = found
        return day in found

    def _build(self, year: int) -> YearTable:
        lo = datetime(year, 1, 1, tzinfo=self._tz).astimezone(UTC)
        hi = datetime(year + 1, 1, 1, tzinfo=self._tz).astimezone(UTC)
        spans: list[tuple[datetime, datetime]] = []
        day = date(year - 1, 12, 31)  # its overnight shift may reach into this year
        while day.year <= year:
            if not self._closed_on(day):
                for begin, end in self._weekly[day.weekday()]:
                    a = datetime.combine(day, begin, self._tz).astimezone(UTC)
                    end_day = day if end > begin else day + _DAY
                    b = datetime.combine(end_day, end, self._tz).astimezone(UTC)
                    a, b = max(a, lo), min(b, hi)
                    if a < b:
                        spans.append((a, b))
            day += _DAY
        return year_table(merged(spans))
