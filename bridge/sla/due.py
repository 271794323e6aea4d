"""What a conversation's SLA state has due: escalation steps per clock and the
messaging-window warning, and the one instant a table indexes ("next due").

A sweep selects rows whose ``next_due(...) <= now``, claims each, takes ``due_steps``
in order, records each step with ``mark_done`` once its actions succeeded, and stores
the new state and ``next_due`` again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bridge.sla.clocks import SlaState, deadline
from bridge.sla.durations import format_duration
from bridge.sla.policy import (
    ALWAYS,
    EscalationStep,
    SlaPolicy,
    render_note,
    window_deadline,
    window_length,
)

WINDOW = "window"  # the ``clock`` of a messaging-window warning


@dataclass(frozen=True)
class DueStep:
    """A step and the clock it belongs to (a clock kind, or ``"window"``)."""

    clock: str
    step: EscalationStep
    at: datetime
    deadline: datetime
    target: timedelta


def scheduled(state: SlaState, policy: SlaPolicy, channel: str) -> list[DueStep]:
    """Every step not done yet, with its instant, earliest first (past ones included)."""
    found: list[tuple[datetime, int, DueStep]] = []
    for clock in state.clocks:
        closes = deadline(clock)
        if closes is None:
            continue
        for at, step in policy.ladder.schedule(closes, clock.target, clock.done,
                                               state.calendar, clock.kind):
            found.append((at, len(found), DueStep(clock.kind, step, at, closes, clock.target)))
    warning = _window_step(state, policy, channel)
    if warning is not None:
        found.append((warning.at, len(found), warning))
    return [d for _, _, d in sorted(found, key=lambda x: (x[0], x[1]))]


def due_steps(state: SlaState, policy: SlaPolicy, channel: str, now: datetime) -> list[DueStep]:
    """Steps due at ``now``, in order; after a long downtime, all of them at once."""
    return [d for d in scheduled(state, policy, channel) if d.at <= now]


def next_due(state: SlaState, policy: SlaPolicy, channel: str) -> datetime | None:
    """The instant to index: the earliest step not done, or ``None`` (nothing to come)."""
    pending = scheduled(state, policy, channel)
    return pending[0].at if pending else None


def mark_done(state: SlaState, due: DueStep) -> SlaState:
    """Record that ``due`` was acted on, so it never comes due again for this clock."""
    if due.clock == WINDOW:
        return replace(state, window_warned=True)
    for field in ("reply", "resolution"):
        clock = getattr(state, field)
        if clock is not None and clock.kind == due.clock and due.step.name not in clock.done:
            return replace(state, **{field: replace(clock, done=(*clock.done, due.step.name))})
    return state


def note_for(due: DueStep, ticket: str, now: datetime, state: SlaState) -> str | None:
    """The step's internal note with its placeholders filled, or ``None``."""
    if due.step.internal_note is None:
        return None
    label = "messaging window" if due.clock == WINDOW else due.clock.replace("_", " ")
    calendar = ALWAYS if due.clock == WINDOW else state.calendar
    local = due.deadline.astimezone(ZoneInfo(calendar.timezone))
    return render_note(due.step.internal_note, ticket=ticket,
                       target=f"{label} {format_duration(due.target)}", deadline=local,
                       remaining=calendar.elapsed(now, due.deadline))


def _window_step(state: SlaState, policy: SlaPolicy, channel: str) -> DueStep | None:
    length = window_length(channel)
    closes = window_deadline(channel, state.last_customer_at)
    if (policy.window is None or length is None or closes is None
            or state.window_warned or not state.awaiting_reply):
        return None
    return DueStep(WINDOW, policy.window, policy.window.instant(closes, length), closes, length)
