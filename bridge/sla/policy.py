"""SLA policies, escalation ladders and messaging-window deadlines.

A policy is chosen per conversation (first match in configuration order) and names its
targets, its calendar and its ladder. Ladder points are measured on the policy's calendar:
"50%" is the instant when half the target's business time is used up, "+1h" one business
hour after the deadline (on a 24x7 calendar, one hour).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bridge.sla.calendar import Calendar, Calendar24x7
from bridge.sla.durations import format_duration, format_offset

ClockKind = Literal["first_reply", "next_reply", "resolution"]
CLOCK_KINDS: tuple[ClockKind, ...] = ("first_reply", "next_reply", "resolution")
PRIORITIES = ("low", "normal", "high", "urgent")
NOTE_FIELDS = ("ticket", "target", "deadline", "remaining")
ALWAYS = Calendar24x7()

# Free-form replies are allowed for 24 h after the customer's last message (Meta's
# standard messaging window, WhatsApp's customer-service window). HUMAN_AGENT's 7 days
# are for people only, so automation plans on 24 h.
WINDOWS: Mapping[str, timedelta] = {
    "messenger": timedelta(hours=24),
    "instagram": timedelta(hours=24),
    "whatsapp": timedelta(hours=24),
}


@dataclass(frozen=True)
class Targets:
    """How long each clock may run; ``None`` means that clock is not kept."""

    first_reply: timedelta | None = None
    next_reply: timedelta | None = None
    resolution: timedelta | None = None

    def of(self, kind: ClockKind) -> timedelta | None:
        value: timedelta | None = getattr(self, kind)
        return value


@dataclass(frozen=True)
class EscalationStep:
    """One rung: when (``at``) and what to do. All actions are optional.

    ``at`` is a fraction of the target (0.5, 0.8, 1.0, 1.5) or an offset from the deadline
    (``timedelta(hours=1)`` for "+1h", negative for "before"). ``name`` identifies the step
    in the done-set and defaults to its label ("50%", "+1h"). ``clocks`` limits the step to
    some clock kinds (empty: every clock). ``internal_note`` may use {ticket}, {target},
    {deadline} and {remaining}.
    """

    at: float | timedelta
    name: str = ""
    add_tags: tuple[str, ...] = ()
    set_priority: str | None = None
    set_group: str | None = None
    internal_note: str | None = None
    notify_url: str | None = None
    clocks: tuple[ClockKind, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.at, timedelta) and not self.at > 0:
            raise ValueError(f"step fraction {self.at!r} must be above 0")
        if not self.name:
            object.__setattr__(self, "name", step_label(self.at))

    def instant(self, deadline: datetime, target: timedelta,
                calendar: Calendar = ALWAYS) -> datetime:
        """When this step is due for a clock with this deadline and target."""
        if isinstance(self.at, timedelta):
            return calendar.add(deadline, self.at)
        return calendar.add(deadline, target * (self.at - 1.0))

    def applies_to(self, kind: str) -> bool:
        return not self.clocks or kind in self.clocks


def step_label(at: float | timedelta) -> str:
    """``"50%"`` for 0.5, ``"+1h"`` for one hour."""
    return format_offset(at) if isinstance(at, timedelta) else f"{at * 100:g}%"


@dataclass(frozen=True)
class Ladder:
    """Escalation steps; each is done once per clock, tracked by name in ``done``."""

    steps: tuple[EscalationStep, ...] = ()

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"escalation step names must be unique: {', '.join(doubled)}")

    def schedule(self, deadline: datetime, target: timedelta, done: Iterable[str],
                 calendar: Calendar = ALWAYS,
                 kind: str | None = None) -> list[tuple[datetime, EscalationStep]]:
        """Steps not done yet with their instants, earliest first (ties: ladder order)."""
        skip = set(done)
        timed = [(s.instant(deadline, target, calendar), i, s) for i, s in enumerate(self.steps)
                 if s.name not in skip and (kind is None or s.applies_to(kind))]
        return [(at, s) for at, _, s in sorted(timed, key=lambda x: (x[0], x[1]))]

    def due_steps(self, deadline: datetime, target: timedelta, now: datetime,
                  done: Iterable[str], calendar: Calendar = ALWAYS,
                  kind: str | None = None) -> list[EscalationStep]:
        """Steps due at ``now`` and not done, in order: after downtime, all at once."""
        return [s for at, s in self.schedule(deadline, target, done, calendar, kind) if at <= now]

    def next_step_at(self, deadline: datetime, target: timedelta, done: Iterable[str],
                     calendar: Calendar = ALWAYS, kind: str | None = None) -> datetime | None:
        """The instant of the earliest step not done (possibly past), for indexing."""
        pending = self.schedule(deadline, target, done, calendar, kind)
        return pending[0][0] if pending else None


@dataclass(frozen=True)
class SlaPolicy:
    """Targets for conversations that match channels, priorities and tags.

    An empty match field matches anything; ``tags`` matches a ticket carrying at least
    one of them. ``calendar`` names a configured calendar or ``"24x7"``. ``window`` is
    the step taken before a messaging window closes with the customer still waiting.
    """

    name: str
    channels: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    targets: Targets = Targets()
    calendar: str = "24x7"
    pause_statuses: tuple[str, ...] = ("pending", "hold")
    ladder: Ladder = field(default_factory=Ladder)
    window: EscalationStep | None = None

    def matches(self, channel: str, priority: str | None, tags: Iterable[str]) -> bool:
        return ((not self.channels or channel in self.channels)
                and (not self.priorities or priority in self.priorities)
                and (not self.tags or not set(self.tags).isdisjoint(tags)))


def choose(policies: Sequence[SlaPolicy], channel: str, priority: str | None,
           tags: Iterable[str]) -> SlaPolicy | None:
    """The first policy that matches, or ``None`` (no SLA for this conversation)."""
    tags = frozenset(tags)
    return next((p for p in policies if p.matches(channel, priority, tags)), None)


def window_length(channel: str) -> timedelta | None:
    """The messaging window of a channel, or ``None`` when replies are not limited."""
    return WINDOWS.get(channel)


def window_deadline(channel: str, last_customer_at: datetime | None) -> datetime | None:
    """When free-form replies stop being allowed, or ``None`` (no window, no message)."""
    length = WINDOWS.get(channel)
    if length is None or last_customer_at is None:
        return None
    return last_customer_at + length


def window_warning_at(channel: str, last_customer_at: datetime | None,
                      lead: timedelta) -> datetime | None:
    """``lead`` before the window closes, or ``None`` when there is no window."""
    closes = window_deadline(channel, last_customer_at)
    return None if closes is None else closes - lead


def note_fields(template: str) -> list[str]:
    """The placeholders of a note template; ``ValueError`` if it does not parse."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def render_note(template: str, *, ticket: str, target: str, deadline: datetime,
                remaining: timedelta) -> str:
    """Fill a note; ``deadline`` is shown in its own zone (convert it first)."""
    return template.format_map({
        "ticket": ticket,
        "target": target,
        "deadline": deadline.strftime("%Y-%m-%d %H:%M %Z"),
        "remaining": format_duration(remaining),
    })
