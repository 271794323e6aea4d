"""One local year of a business calendar as sorted UTC intervals with running totals."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

Shift = tuple[time, time]
ZERO = timedelta(0)


@dataclass(frozen=True)
class YearTable:
    """The open intervals of one local year, clipped to it, with running business time."""

    starts: list[datetime]
    ends: list[datetime]
    before: list[timedelta]  # business time of the year before interval i starts
    upto: list[timedelta]  # ... once interval i has ended
    total: timedelta

    def position(self, t: datetime) -> timedelta:
        """Business time from the start of the year to ``t``."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return ZERO
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def instant(self, pos: timedelta) -> datetime:
        """The earliest instant at business position ``pos`` (0 < pos <= total)."""
        i = bisect.bisect_left(self.upto, pos)
        return self.starts[i] + (pos - self.before[i])


def checked_weekly(weekly: Mapping[int, Sequence[Shift]]) -> dict[int, tuple[Shift, ...]]:
    """Every weekday 0-6 with its shifts; ``ValueError`` when nothing is ever open."""
    out: dict[int, tuple[Shift, ...]] = {d: () for d in range(7)}
    for weekday, shifts in weekly.items():
        if weekday not in out:
            raise ValueError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
        for begin, end in shifts:
            if begin.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("shift times are local wall-clock times, without tzinfo")
        out[weekday] = tuple(shifts)
    if not any(out.values()):
        raise ValueError("a business calendar needs open hours on at least one day")
    return out


def merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def year_table(spans: list[tuple[datetime, datetime]]) -> YearTable:
    """The table of sorted, disjoint intervals."""
    before: list[timedelta] = []
    upto: list[timedelta] = []
    total = ZERO
    for a, b in spans:
        before.append(total)
        total += b - a
        upto.append(total)
    return YearTable([a for a, _ in spans], [b for _, b in spans], before, upto, total)
