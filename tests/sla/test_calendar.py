"""Business calendars: weekly hours, overnight shifts, DST, holidays, closed dates, years."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.sla.calendar import BusinessCalendar, Calendar, Calendar24x7

H = timedelta(hours=1)
M = timedelta(minutes=1)
PARIS, NEW_YORK = "Europe/Paris", "America/New_York"
NINE_TO_FIVE = {d: [(time(9), time(17))] for d in range(5)}
NIGHTS = {d: [(time(22), time(6))] for d in range(7)}

paris = BusinessCalendar(PARIS, NINE_TO_FIVE, country="FR", name="paris")
paris_closed = BusinessCalendar(PARIS, NINE_TO_FIVE, country="FR",
                                closed_dates={date(2025, 12, 24)}, name="paris_closed")
new_york = BusinessCalendar(NEW_YORK, NINE_TO_FIVE, country="US", subdivision="NY", name="ny")
paris_nights = BusinessCalendar(PARIS, NIGHTS, name="paris_nights")
small_hours = BusinessCalendar(PARIS, {d: [(time(2, 30), time(4))] for d in range(7)}, name="sh")
ny_nights = BusinessCalendar(NEW_YORK, {d: [(time(20), time(4))] for d in range(7)}, name="nyn")
evening_then_morning = BusinessCalendar(  # Monday 20:00-24:00 and Tuesday 00:00-04:00
    "UTC", {0: [(time(20), time(0))], 1: [(time(0), time(4))]}, name="split")
always = Calendar24x7()
always_paris = Calendar24x7(timezone=PARIS)  # the zone only says how to show times

CALENDARS: dict[str, Calendar] = {
    "paris": paris, "paris_closed": paris_closed, "ny": new_york, "paris_nights": paris_nights,
    "ny_nights": ny_nights, "split": evening_then_morning, "24x7": always,
    "24x7_paris": always_paris, "small_hours": small_hours,
}


def at(cal: str, text: str) -> datetime:
    """A local wall-clock time in the calendar's zone: at("paris", "2025-03-03 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(CALENDARS[cal].timezone))


ADD_CASES = [
    # calendar, start (local), duration, expected (local), why
    ("paris", "2025-03-03 10:00", 2 * H, "2025-03-03 12:00", "same day"),
    ("paris", "2025-03-03 07:00", 1 * H, "2025-03-03 10:00", "starts before opening"),
    ("paris", "2025-03-03 15:00", 2 * H, "2025-03-03 17:00", "ends exactly at closing"),
    ("paris", "2025-03-03 17:00", 1 * M, "2025-03-04 09:01", "starts at closing"),
    ("paris", "2025-03-07 16:00", 2 * H, "2025-03-10 10:00", "over a weekend"),
    ("paris", "2025-03-08 12:00", 1 * H, "2025-03-10 10:00", "starts on Saturday"),
    ("paris", "2025-03-05 13:00", 40 * H, "2025-03-12 13:00", "40 h over a weekend"),
    ("paris", "2025-03-28 16:30", 1 * H, "2025-03-31 09:30", "over the spring DST weekend"),
    ("paris", "2025-10-24 16:30", 1 * H, "2025-10-27 09:30", "over the autumn DST weekend"),
    ("paris", "2025-04-30 16:00", 2 * H, "2025-05-02 10:00", "FR: 1 May"),
    ("paris", "2025-12-31 16:00", 2 * H, "2026-01-02 10:00", "year end and New Year's Day"),
    ("paris_closed", "2025-12-23 16:00", 2 * H, "2025-12-26 10:00", "closed 24th, holiday 25th"),
    ("paris", "2025-12-23 16:00", 2 * H, "2025-12-24 10:00", "the 24th is open without it"),
    ("ny", "2025-03-07 16:00", 2 * H, "2025-03-10 10:00", "NY: over the spring DST weekend"),
    ("ny", "2025-07-03 16:00", 2 * H, "2025-07-07 10:00", "US: Independence Day"),
    ("ny", "2025-11-26 16:00", 2 * H, "2025-11-28 10:00", "US: Thanksgiving"),
    ("paris_nights", "2025-03-03 23:00", 2 * H, "2025-03-04 01:00", "past midnight"),
    ("paris_nights", "2025-03-04 06:00", 1 * H, "2025-03-04 23:00", "waits for the night"),
    ("paris_nights", "2025-03-29 22:00", 7 * H, "2025-03-30 06:00", "spring night is 7 h"),
    ("paris_nights", "2025-03-29 22:00", 8 * H, "2025-03-30 23:00", "...so the 8th hour is later"),
    ("paris_nights", "2025-10-25 22:00", 9 * H, "2025-10-26 06:00", "autumn night is 9 h"),
    ("ny_nights", "2025-03-08 20:00", 7 * H, "2025-03-09 04:00", "NY spring night is 7 h"),
    ("ny_nights", "2025-11-01 20:00", 9 * H, "2025-11-02 04:00", "NY autumn night is 9 h"),
    ("paris_nights", "2025-12-31 23:00", 2 * H, "2026-01-01 01:00", "night over the new year"),
    ("split", "2025-03-03 23:00", 2 * H, "2025-03-04 01:00", "adjacent shifts at midnight"),
    ("split", "2025-03-04 03:00", 2 * H, "2025-03-10 21:00", "then a week's wait"),
    ("24x7_paris", "2025-03-29 22:00", 8 * H, "2025-03-30 07:00", "calendar hours: real hours"),
    ("paris", "2025-03-03 12:00", -2 * H, "2025-03-03 10:00", "backwards, same day"),
    ("paris", "2025-03-03 11:00", -2 * H, "2025-02-28 17:00", "backwards: earliest instant"),
    ("paris", "2025-03-10 10:00", -2 * H, "2025-03-07 16:00", "backwards over a weekend"),
    ("paris", "2025-03-08 12:00", -1 * H, "2025-03-07 16:00", "backwards from Saturday"),
    ("paris", "2025-03-08 12:00", timedelta(0), "2025-03-08 12:00", "zero is the start"),
]


@pytest.mark.parametrize("cal,start,duration,expected,why", ADD_CASES,
                         ids=[c[-1] for c in ADD_CASES])
def test_add(cal: str, start: str, duration: timedelta, expected: str, why: str) -> None:
    calendar = CALENDARS[cal]
    got = calendar.add(at(cal, start), duration)
    assert got == at(cal, expected)
    assert got.tzinfo is UTC
    if duration > timedelta(0) and calendar.is_open(at(cal, start)):
        assert calendar.elapsed(at(cal, start), got) == duration


ELAPSED_CASES = [
    ("paris", "2025-03-03 08:00", "2025-03-03 18:00", 8 * H, "a whole day"),
    ("paris", "2025-03-07 12:00", "2025-03-10 12:00", 8 * H, "over a weekend"),
    ("paris", "2025-03-28 12:00", "2025-03-31 12:00", 8 * H, "over the DST weekend"),
    ("paris", "2025-04-30 09:00", "2025-05-02 09:00", 8 * H, "with 1 May"),
    ("paris", "2025-01-01 00:00", "2026-01-01 00:00", 2008 * H, "2025: 261 - 10 holidays"),
    ("paris_nights", "2025-03-29 21:00", "2025-03-30 12:00", 7 * H, "short night"),
    ("paris_nights", "2025-10-25 21:00", "2025-10-26 12:00", 9 * H, "long night"),
    ("paris_nights", "2025-12-31 21:00", "2026-01-01 07:00", 8 * H, "night over the year"),
    ("ny", "2025-07-03 12:00", "2025-07-07 12:00", 8 * H, "with the 4th of July"),
    ("small_hours", "2025-03-30 00:00", "2025-03-30 12:00", 30 * M, "02:30 is 03:30 in the gap"),
    ("small_hours", "2025-10-26 00:00", "2025-10-26 12:00", 150 * M, "first 02:30 in autumn"),
    ("ny_nights", "2025-11-01 19:00", "2025-11-02 05:00", 9 * H, "NY long night"),
    ("24x7_paris", "2025-03-29 12:00", "2025-03-30 12:00", 23 * H, "a short calendar day"),
    ("paris", "2025-03-10 12:00", "2025-03-07 12:00", -8 * H, "reversed is negative"),
]


@pytest.mark.parametrize("cal,start,end,expected,why", ELAPSED_CASES,
                         ids=[c[-1] for c in ELAPSED_CASES])
def test_elapsed(cal: str, start: str, end: str, expected: timedelta, why: str) -> None:
    assert CALENDARS[cal].elapsed(at(cal, start), at(cal, end)) == expected


OPEN_CASES = [
    # calendar, instant, open?, next opening
    ("paris", "2025-03-03 08:59", False, "2025-03-03 09:00"),
    ("paris", "2025-03-03 09:00", True, "2025-03-03 09:00"),
    ("paris", "2025-03-03 16:59", True, "2025-03-03 16:59"),
    ("paris", "2025-03-03 17:00", False, "2025-03-04 09:00"),
    ("paris", "2025-03-08 10:00", False, "2025-03-10 09:00"),
    ("paris", "2025-05-01 10:00", False, "2025-05-02 09:00"),
    ("paris", "2025-12-31 17:30", False, "2026-01-02 09:00"),
    ("ny", "2025-12-24 18:00", False, "2025-12-26 09:00"),
    ("paris_closed", "2025-12-24 10:00", False, "2025-12-26 09:00"),
    ("paris_nights", "2025-03-30 03:30", True, "2025-03-30 03:30"),
    ("paris_nights", "2025-03-30 12:00", False, "2025-03-30 22:00"),
    ("24x7", "2025-03-30 12:00", True, "2025-03-30 12:00"),
]


@pytest.mark.parametrize("cal,instant,is_open,opens", OPEN_CASES)
def test_is_open_and_next_open(cal: str, instant: str, is_open: bool, opens: str) -> None:
    calendar = CALENDARS[cal]
    assert calendar.is_open(at(cal, instant)) is is_open
    assert calendar.next_open(at(cal, instant)) == at(cal, opens)


def minute_by_minute(start: datetime, end: datetime) -> timedelta:
    """An independent reference for the 9-to-5 Paris calendar: count open minutes."""
    tz, count, t = ZoneInfo(PARIS), 0, start
    fr = {date(2025, 5, 1), date(2025, 5, 8), date(2025, 5, 29)}
    while t < end:
        local = t.astimezone(tz)
        if local.weekday() < 5 and local.date() not in fr and 9 <= local.hour < 17:
            count += 1
        t += M
    return count * M


@pytest.mark.parametrize("start,end", [
    ("2025-04-28 07:13", "2025-05-06 18:41"),
    ("2025-05-07 16:59", "2025-05-12 09:01"),
    ("2025-05-28 12:00", "2025-06-02 12:00"),
])
def test_elapsed_matches_counting_minutes(start: str, end: str) -> None:
    a, b = at("paris", start), at("paris", end)
    assert paris.elapsed(a, b) == minute_by_minute(a, b)


@pytest.mark.parametrize("cal", ["paris", "ny", "paris_nights", "ny_nights", "split"])
def test_add_and_elapsed_agree_over_long_spans(cal: str) -> None:
    calendar = CALENDARS[cal]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(300):
        t = start + timedelta(minutes=997 * i)  # every time of day, over about 200 days
        for hours in (1, 40, 1000):
            end = calendar.add(t, hours * H)
            assert calendar.elapsed(t, end) == hours * H
            assert calendar.is_open(end - timedelta(microseconds=1))  # the earliest such end
            back = calendar.add(end, -hours * H)
            assert back <= t and calendar.elapsed(back, end) == hours * H


def test_backwards_is_the_inverse_when_open() -> None:
    start = at("paris", "2025-03-05 13:00")
    for hours in (1, 7, 40, 1000):
        assert paris.add(paris.add(start, hours * H), -hours * H) == start


def test_ten_thousand_long_targets_are_quick() -> None:
    """``add``/``elapsed`` search per-year tables; walking minutes would take minutes."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    began = stopwatch.perf_counter()
    for i in range(10_000):
        t = start + timedelta(minutes=31 * i)
        paris.elapsed(t, paris.add(t, 1000 * H))
    assert stopwatch.perf_counter() - began < 5.0  # about 0.1 s in practice


@pytest.mark.parametrize("kwargs,message", [
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"country": "XX"}, "XX"),
    ({"country": "US", "subdivision": "ZZ"}, "ZZ"),
    ({"subdivision": "NY"}, "needs a country"),
    ({"weekly": {}}, "open hours"),
    ({"weekly": {7: [(time(9), time(17))]}}, "weekday"),
])
def test_bad_calendars(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"timezone": PARIS, "weekly": NINE_TO_FIVE, **kwargs}
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**args)  # type: ignore[arg-type]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        paris.add(datetime(2025, 3, 3, 10), H)
    with pytest.raises(ValueError, match="naive"):
        always.elapsed(datetime(2025, 3, 3, 10), datetime(2025, 3, 3, 11))
