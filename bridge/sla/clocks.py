"""The SLA clocks of one conversation, as an immutable state and pure transitions.

A conversation has at most two clocks at a time: a reply clock (``first_reply`` until an
agent's public reply has been delivered, ``next_reply`` afterwards) started by the first
unanswered customer message, and a ``resolution`` clock started by the first message.
Clocks run only while the ticket's status is not a pause status; solved or closed stops
both (a reopen resumes resolution, the solved time counting as paused: full resolution
time). Paused time is counted in business time, so deadlines move by what was lost.

The whole state is a small JSON value (``bridge.sla.state_json``) and the escalation
schedule a pure function of it (``bridge.sla.due``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bridge.sla.calendar import Calendar
from bridge.sla.policy import ClockKind, SlaPolicy, Targets

ZERO = timedelta(0)
DONE_STATUSES = ("solved", "closed")


@dataclass(frozen=True)
class SlaClock:
    """One clock; ``paused_total`` is business time already spent paused; ``done`` holds
    the names of escalation steps already taken for this clock."""

    kind: ClockKind
    started_at: datetime
    target: timedelta
    calendar: Calendar
    paused_since: datetime | None = None
    paused_total: timedelta = ZERO
    stopped_at: datetime | None = None
    done: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.paused_since is None and self.stopped_at is None


def consumed(clock: SlaClock, now: datetime) -> timedelta:
    """Business time used so far (frozen while paused and once stopped)."""
    end = clock.stopped_at or clock.paused_since or now
    end = min(end, now)
    return max(ZERO, clock.calendar.elapsed(clock.started_at, end) - clock.paused_total)


def deadline(clock: SlaClock) -> datetime | None:
    """When the target is reached if the clock keeps running; ``None`` if paused or
    stopped."""
    if not clock.running:
        return None
    return clock.calendar.add(clock.started_at, clock.target + clock.paused_total)


def remaining(clock: SlaClock, now: datetime) -> timedelta:
    """Business time left before the target; negative once overdue."""
    return clock.target - consumed(clock, now)


def breached(clock: SlaClock, now: datetime) -> bool:
    """Whether the target was reached (for a stopped clock: before it stopped)."""
    return consumed(clock, now) >= clock.target


def pause(clock: SlaClock, at: datetime) -> SlaClock:
    """Freeze a running clock from ``at``; a paused or stopped clock stays as it is."""
    return replace(clock, paused_since=at) if clock.running else clock


def resume(clock: SlaClock, at: datetime) -> SlaClock:
    """Run a paused clock again; the business time lost moves its deadline."""
    if clock.paused_since is None or clock.stopped_at is not None:
        return clock
    lost = max(ZERO, clock.calendar.elapsed(clock.paused_since, at))
    return replace(clock, paused_since=None, paused_total=clock.paused_total + lost)


def stop(clock: SlaClock, at: datetime) -> SlaClock:
    """Stop for good at ``at`` (a pause in progress is counted first)."""
    if clock.stopped_at is not None:
        return clock
    return replace(resume(clock, at), stopped_at=at)


def reopen(clock: SlaClock, at: datetime) -> SlaClock:
    """Run a stopped clock again, counting the stopped time as paused."""
    if clock.stopped_at is None:
        return clock
    lost = max(ZERO, clock.calendar.elapsed(clock.stopped_at, at))
    return replace(clock, stopped_at=None, paused_total=clock.paused_total + lost)


@dataclass(frozen=True)
class SlaState:
    """Everything the SLA jobs know about one conversation.

    Targets and pause statuses are copied from the policy when the state is made, so a
    configuration change applies to new conversations, not to running clocks.
    """

    policy: str
    calendar: Calendar
    targets: Targets
    pause_statuses: tuple[str, ...] = ("pending", "hold")
    status: str = "new"
    reply: SlaClock | None = None
    resolution: SlaClock | None = None
    last_customer_at: datetime | None = None
    replied_at: datetime | None = None
    window_warned: bool = False

    @property
    def clocks(self) -> tuple[SlaClock, ...]:
        return tuple(c for c in (self.reply, self.resolution) if c is not None)

    @property
    def awaiting_reply(self) -> bool:
        """A customer message has had no delivered reply, and the ticket is not paused
        or done."""
        return (self.last_customer_at is not None
                and (self.replied_at is None or self.replied_at < self.last_customer_at)
                and self.status not in self.pause_statuses
                and self.status not in DONE_STATUSES)


def new_state(policy: SlaPolicy, calendar: Calendar) -> SlaState:
    """A conversation's state before its first message; ``calendar`` is the policy's."""
    return SlaState(policy=policy.name, calendar=calendar, targets=policy.targets,
                    pause_statuses=policy.pause_statuses)


def _start(state: SlaState, kind: ClockKind, at: datetime) -> SlaClock | None:
    target = state.targets.of(kind)
    if target is None:
        return None
    paused = at if state.status in state.pause_statuses else None
    return SlaClock(kind, at, target, state.calendar, paused_since=paused)


def on_customer_message(state: SlaState, at: datetime) -> SlaState:
    """Start the reply clock (first or next) unless one is already running for an
    earlier unanswered message; start the resolution clock on the first message."""
    reply = state.reply
    answered = state.replied_at is not None and at <= state.replied_at  # late event
    if (reply is None or reply.stopped_at is not None) and not answered:
        reply = _start(state, "next_reply" if state.replied_at else "first_reply", at)
    resolution = state.resolution
    if resolution is None and state.last_customer_at is None:
        resolution = _start(state, "resolution", at)
    newer = state.last_customer_at is None or at > state.last_customer_at
    return replace(state, reply=reply, resolution=resolution,
                   last_customer_at=at if newer else state.last_customer_at,
                   window_warned=False if newer else state.window_warned)


def on_agent_reply_delivered(state: SlaState, at: datetime) -> SlaState:
    """An agent's public reply reached the customer: the reply clock stops."""
    reply = stop(state.reply, at) if state.reply is not None else None
    replied = at if state.replied_at is None else max(at, state.replied_at)
    return replace(state, reply=reply, replied_at=replied)


def on_status(state: SlaState, status: str, at: datetime) -> SlaState:
    """The ticket's normalised status changed (new, open, pending, hold, solved, closed):
    pause, resume, stop or reopen the clocks accordingly. Repeats change nothing."""
    if status == state.status:
        return state
    reply, resolution = state.reply, state.resolution
    if status in DONE_STATUSES:
        reply = stop(reply, at) if reply is not None else None
        resolution = stop(resolution, at) if resolution is not None else None
    else:
        if resolution is not None and state.status in DONE_STATUSES:
            resolution = reopen(resolution, at)
        move = pause if status in state.pause_statuses else resume
        reply = move(reply, at) if reply is not None else None
        resolution = move(resolution, at) if resolution is not None else None
    return replace(state, status=status, reply=reply, resolution=resolution)
