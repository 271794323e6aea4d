"""A conversation's SLA state as a small JSON value for one table column.

Instants are ISO 8601 in UTC, durations are seconds, the calendar is stored by name and
found again in the configured calendars. ``"v"`` numbers the format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from bridge.errors import ConfigError
from bridge.sla.calendar import Calendar
from bridge.sla.clocks import SlaClock, SlaState
from bridge.sla.policy import CLOCK_KINDS, ClockKind, Targets

VERSION = 1


def to_json(state: SlaState) -> str:
    """Compact JSON; ``from_json(to_json(s), calendars) == s``."""
    data = {
        "v": VERSION,
        "policy": state.policy,
        "calendar": state.calendar.name,
        "targets": {k: _secs(state.targets.of(k)) for k in CLOCK_KINDS},
        "pause": list(state.pause_statuses),
        "status": state.status,
        "reply": _clock(state.reply),
        "resolution": _clock(state.resolution),
        "last_customer_at": _when(state.last_customer_at),
        "replied_at": _when(state.replied_at),
        "window_warned": state.window_warned,
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def from_json(raw: str, calendars: Mapping[str, Calendar]) -> SlaState:
    """Read a stored state; ``ConfigError`` when its calendar is no longer configured,
    ``ValueError`` when the value is not a state of this format."""
    data: dict[str, Any] = json.loads(raw)
    if data.get("v") != VERSION:
        raise ValueError(f"SLA state format {data.get('v')!r} is not {VERSION}")
    calendar = calendars.get(data["calendar"])
    if calendar is None:
        raise ConfigError(f"SLA state of policy {data['policy']!r} uses calendar "
                          f"{data['calendar']!r}, which the configuration no longer defines")
    targets = data["targets"]
    return SlaState(
        policy=data["policy"],
        calendar=calendar,
        targets=Targets(**{k: _span(targets.get(k)) for k in CLOCK_KINDS}),
        pause_statuses=tuple(data["pause"]),
        status=data["status"],
        reply=_read_clock(data["reply"], calendar),
        resolution=_read_clock(data["resolution"], calendar),
        last_customer_at=_instant(data["last_customer_at"]),
        replied_at=_instant(data["replied_at"]),
        window_warned=bool(data["window_warned"]),
    )


def _clock(clock: SlaClock | None) -> dict[str, Any] | None:
    if clock is None:
        return None
    return {
        "kind": clock.kind,
        "started_at": _when(clock.started_at),
        "target": _secs(clock.target),
        "paused_since": _when(clock.paused_since),
        "paused_total": _secs(clock.paused_total),
        "stopped_at": _when(clock.stopped_at),
        "done": list(clock.done),
    }


def _read_clock(data: dict[str, Any] | None, calendar: Calendar) -> SlaClock | None:
    if data is None:
        return None
    if data["kind"] not in CLOCK_KINDS:
        raise ValueError(f"unknown SLA clock kind {data['kind']!r}")
    started, target = _instant(data["started_at"]), _span(data["target"])
    if started is None or target is None:
        raise ValueError("an SLA clock needs started_at and target")
    return SlaClock(
        kind=cast(ClockKind, data["kind"]),
        started_at=started,
        target=target,
        calendar=calendar,
        paused_since=_instant(data["paused_since"]),
        paused_total=_span(data["paused_total"]) or timedelta(0),
        stopped_at=_instant(data["stopped_at"]),
        done=tuple(data["done"]),
    )


def _when(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat()


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _secs(d: timedelta | None) -> int | float | None:
    if d is None:
        return None
    seconds = d.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def _span(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)
