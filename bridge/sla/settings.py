"""SLA calendars and policies from the TOML file named by ``BRIDGE_CONFIG``, or defaults.

```toml
[[sla.calendars]]
name = "paris"
timezone = "Europe/Paris"
country = "FR"                        # public holidays (the `holidays` package); optional
subdivision = "57"                    # optional
closed_dates = [2025-12-24, "2025-12-26"]
hours = { mon = ["09:00-12:00", "13:00-17:00"], sat = [], sun = ["22:00-06:00"] }

[[sla.policies]]                      # first match wins; empty match fields match anything
name = "vip"
channels = ["whatsapp"]
priorities = ["high", "urgent"]
tags = ["vip"]                        # at least one of them
first_reply = "30m"                   # an absent target is not kept
next_reply = "2h"
resolution = "3d"                     # "d" is 24 h, even in business time
calendar = "paris"                    # or "24x7" (the default)
pause_statuses = ["pending", "hold"]
window = { at = "-2h", add_tags = ["window_closing"] }   # or false

[[sla.policies.escalation]]           # absent: the default ladder; `escalation = []`: none
at = "80%"                            # or "+1h" / "-30m" from the deadline
add_tags = ["sla_at_risk"]
set_priority = "high"
set_group = "tier2"
note = "Ticket {ticket}: {target} due {deadline} ({remaining} left)"
notify_url = "https://hooks.slack.com/services/..."
clocks = ["first_reply", "next_reply"] # optional: only these clocks
```

Errors are ``ConfigError``s naming the file, the place and the field, e.g.
``bridge.toml: sla.policies[2].first_reply: '1x' is not a duration like 90m, 4h, 3d``
(indexes count from 0). Day names may also sit directly in the calendar table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast, get_args

from bridge.config_file import read_config
from bridge.domain import ChannelKind
from bridge.sla.calendar import Calendar, Calendar24x7
from bridge.sla.calendar_toml import read_calendar
from bridge.sla.defaults import DEFAULT_LADDER, DEFAULT_POLICY, DEFAULT_WINDOW
from bridge.sla.durations import parse_duration, parse_offset
from bridge.sla.policy import (
    CLOCK_KINDS,
    NOTE_FIELDS,
    PRIORITIES,
    ClockKind,
    EscalationStep,
    Ladder,
    SlaPolicy,
    Targets,
    choose,
    note_fields,
)
from bridge.sla.toml_table import Table

CHANNELS = get_args(ChannelKind)
STATUSES = ("new", "open", "pending", "hold")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")


@dataclass(frozen=True)
class SlaSettings:
    """Named calendars (always including ``"24x7"``) and policies in match order."""

    calendars: Mapping[str, Calendar]
    policies: tuple[SlaPolicy, ...]
    # A helpdesk field (Zendesk field id, Freshdesk ``cf_*`` name) that receives the
    # breach time when a clock passes its deadline, so agents can sort and filter on it.
    breach_field: str | None = None

    def choose(self, channel: str, priority: str | None,
               tags: Iterable[str]) -> SlaPolicy | None:
        """The first matching policy, or ``None``: no SLA for this conversation."""
        return choose(self.policies, channel, priority, tags)

    def policy(self, name: str) -> SlaPolicy | None:
        """A stored state's policy by name; ``None`` once removed from the file."""
        return next((p for p in self.policies if p.name == name), None)

    def calendar_for(self, policy: SlaPolicy) -> Calendar:
        return self.calendars[policy.calendar]


def default_settings() -> SlaSettings:
    """One 24x7 policy: first reply 1 h, next reply 4 h, resolution 3 d, default ladder."""
    return SlaSettings({"24x7": Calendar24x7()}, (DEFAULT_POLICY,))


def load_sla_settings(path: str | Path | None) -> SlaSettings:
    """Read ``path`` (``BRIDGE_CONFIG``); no path, or a file without ``[sla]``: defaults."""
    if not path:
        return default_settings()
    return parse_sla_settings(read_config(path), str(path))


def parse_sla_settings(data: Mapping[str, Any], source: str = "<config>") -> SlaSettings:
    """The ``[sla]`` part of a parsed TOML document."""
    if "sla" not in data:
        return default_settings()
    sla = Table(source, "sla", data["sla"])
    sla.check_keys(("calendars", "policies", "breach_field"))
    breach_field = sla.data.get("breach_field")
    if breach_field is not None and (not isinstance(breach_field, str) or not breach_field):
        sla.fail("breach_field", f"{breach_field!r} is not a field id or name")
    calendars: dict[str, Calendar] = {"24x7": Calendar24x7()}
    for table in sla.tables("calendars"):
        cal = read_calendar(table)
        if cal.name in calendars:
            table.fail("name", f"calendar {cal.name!r} is defined twice (24x7 is built in)")
        calendars[cal.name] = cal
    if "policies" not in sla.data:
        return SlaSettings(calendars, (DEFAULT_POLICY,), breach_field)
    policies: list[SlaPolicy] = []
    for table in sla.tables("policies"):
        policy = _policy(table, calendars)
        if any(p.name == policy.name for p in policies):
            table.fail("name", f"policy {policy.name!r} is defined twice")
        policies.append(policy)
    return SlaSettings(calendars, tuple(policies), breach_field)


def _policy(t: Table, calendars: Mapping[str, Calendar]) -> SlaPolicy:
    t.check_keys(("name", "channels", "priorities", "tags", "first_reply", "next_reply",
                  "resolution", "calendar", "pause_statuses", "escalation", "window"))
    calendar = t.text("calendar") or "24x7"
    if calendar not in calendars:
        t.fail("calendar", f"{calendar!r} is not a calendar here ({', '.join(calendars)})")
    ladder = DEFAULT_LADDER
    if "escalation" in t.data:
        steps = tuple(_step(s) for s in t.tables("escalation"))
        try:
            ladder = Ladder(steps)
        except ValueError as exc:
            t.fail("escalation", str(exc))
    window: EscalationStep | None = DEFAULT_WINDOW
    if t.data.get("window") is False:
        window = None
    elif "window" in t.data:
        window = _step(t.child("window"), name="window", allow_clocks=False)
    return SlaPolicy(
        name=t.required("name"),
        channels=t.texts("channels", CHANNELS),
        priorities=t.texts("priorities", PRIORITIES),
        tags=t.texts("tags"),
        targets=Targets(*(t.duration(k, _positive) for k in CLOCK_KINDS)),
        calendar=calendar,
        pause_statuses=t.texts("pause_statuses", STATUSES) if "pause_statuses" in t.data
        else ("pending", "hold"),
        ladder=ladder,
        window=window,
    )


def _step(t: Table, name: str = "", allow_clocks: bool = True) -> EscalationStep:
    t.check_keys(("at", "name", "add_tags", "set_priority", "set_group", "note",
                  "notify_url", *(("clocks",) if allow_clocks else ())))
    note, url = t.text("note"), t.text("notify_url")
    if note is not None:
        try:
            unknown = [f for f in note_fields(note) if f not in NOTE_FIELDS]
        except ValueError as exc:
            t.fail("note", f"not a valid template: {exc}")
        if unknown:
            t.fail("note", f"unknown placeholder {{{unknown[0]}}}; use "
                           + ", ".join(f"{{{f}}}" for f in NOTE_FIELDS))
    if url is not None and not url.startswith(("https://", "http://")):
        t.fail("notify_url", f"{url!r} is not an http(s) URL")
    priority = t.text("set_priority")
    if priority is not None and priority not in PRIORITIES:
        t.fail("set_priority", f"{priority!r} is not one of {', '.join(PRIORITIES)}")
    return EscalationStep(
        at=_at(t), name=t.text("name") or name, add_tags=t.texts("add_tags"),
        set_priority=priority, set_group=t.text("set_group", allow_int=True),
        internal_note=note, notify_url=url,
        clocks=cast(tuple[ClockKind, ...], t.texts("clocks", CLOCK_KINDS)))


def _positive(text: str) -> timedelta:
    value = parse_duration(text)
    if not value:
        raise ValueError(f"{text!r}: a target must be longer than zero")
    return value


def _at(t: Table) -> float | timedelta:
    text = t.required("at")
    percent = _PERCENT.fullmatch(text.strip())
    if percent and float(percent.group(1)) > 0:
        return float(percent.group(1)) / 100
    try:
        return parse_offset(text)
    except ValueError:
        t.fail("at", f"{text!r} is not a point like \"80%\", \"+1h\" or \"-30m\"")
