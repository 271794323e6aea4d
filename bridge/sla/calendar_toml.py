"""``[[sla.calendars]]`` tables to business calendars."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from bridge.sla.calendar import BusinessCalendar, Shift
from bridge.sla.toml_table import Table

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SHIFT = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")


def read_calendar(t: Table) -> BusinessCalendar:
    """One calendar table; day names may sit in ``hours`` or in the table itself."""
    t.check_keys(("name", "timezone", "country", "subdivision", "closed_dates", "hours", *DAYS))
    hours = t
    if "hours" in t.data:
        if any(d in t.data for d in DAYS):
            t.fail("hours", "give the days either in `hours` or in the table, not both")
        hours = t.child("hours")
        hours.check_keys(DAYS)
    weekly = {i: [_shift(hours, d, s) for s in hours.texts(d)] for i, d in enumerate(DAYS)}
    closed = [_date(t, v) for v in t.values("closed_dates")]
    name, zone = t.required("name"), t.required("timezone")
    try:
        return BusinessCalendar(zone, weekly, t.text("country"), t.text("subdivision"),
                                closed, name=name)
    except ValueError as exc:
        msg = str(exc)
        t.fail("timezone" if "time zone" in msg else "subdivision" if "subdivision" in msg
               else "country" if "ountry" in msg else "hours", msg)


def _shift(t: Table, day: str, text: str) -> Shift:
    found = _SHIFT.fullmatch(text.strip())
    if found:
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 < 24 and m1 < 60 and m2 < 60 and (h2 < 24 or (h2, m2) == (24, 0)):
            return time(h1, m1), time(h2 % 24, m2)
    t.fail(day, f"{text!r} is not opening hours like \"09:00-17:00\" or \"22:00-06:00\"")


def _date(t: Table, value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        t.fail("closed_dates", f"{str(value)!r} is not a date like 2025-12-24")
