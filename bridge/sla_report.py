"""``bridge sla show TICKET``: a conversation's clocks, deadlines, steps done and to come,
and its scheduled automations (acknowledgement, check-in, CSAT, reminders...)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.escalation import sla_settings
from bridge.models import Automation, Conversation, SlaAction, SlaRecord
from bridge.sla import clocks, due
from bridge.sla.durations import format_duration
from bridge.sla.policy import window_deadline
from bridge.sla.state_json import from_json


def report(s: Session, ticket_id: str) -> list[str]:
    conv = s.scalars(select(Conversation).where(Conversation.ticket_id == ticket_id)).first()
    if conv is None:
        return [f"ticket {ticket_id}: not a bridge conversation"]
    return [*_sla(s, conv, ticket_id), *automations(s, conv.id)]


def automations(s: Session, conv_id: int) -> list[str]:
    """Every automated job of the conversation, in due order (UTC)."""
    rows = s.scalars(select(Automation).where(Automation.conversation_id == conv_id)
                     .order_by(Automation.due_at, Automation.id)).all()
    lines = ["  automations: " + ("none" if not rows else f"{len(rows)}")]
    for a in rows:
        extra = f", {a.attempts} attempt(s)" if a.attempts > 1 else ""
        lines.append(f"    {a.kind} due {_local(a.due_at, ZoneInfo('UTC'))}: {a.state}{extra}"
                     + (f" ({a.last_error})" if a.last_error else ""))
    return lines


def _sla(s: Session, conv: Conversation, ticket_id: str) -> list[str]:
    rec = s.get(SlaRecord, conv.id)
    lines = [f"ticket {ticket_id}: {conv.channel} conversation {conv.id}, "
             f"status {conv.ticket_status or '-'}"]
    if rec is None:
        return [*lines, "no SLA policy applies"]
    conf, now = sla_settings(), clock.now()
    policy = conf.policy(rec.policy)
    if policy is None:
        return [*lines, f"policy {rec.policy!r} is no longer configured"]
    state = from_json(rec.state, conf.calendars)
    tz = ZoneInfo(state.calendar.timezone)
    lines.append(f"policy {policy.name} (calendar {state.calendar.name}, {tz})")
    for c in state.clocks:
        closes = clocks.deadline(c)
        if c.stopped_at is not None:
            what = f"stopped {_local(c.stopped_at, tz)}"
        elif closes is None:
            what = f"paused since {_local(c.paused_since, tz)}"
        else:
            left = clocks.remaining(c, now)
            status = (f"breached by {format_duration(-left)}" if clocks.breached(c, now)
                      else f"{format_duration(left)} left")
            what = f"deadline {_local(closes, tz)}, {status}"
        lines.append(f"  {c.kind.replace('_', ' ')}: target {format_duration(c.target)}, "
                     f"started {_local(c.started_at, tz)}, {what}; steps done: "
                     f"{', '.join(c.done) or 'none'}")
    closes = window_deadline(conv.channel, state.last_customer_at)
    if closes is not None:
        lines.append(f"  messaging window closes {_local(closes, tz)}")
    coming = due.scheduled(state, policy, conv.channel)
    lines.append("  steps to come: " + (", ".join(
        f"{d.clock} {d.step.name} at {_local(d.at, tz)}" for d in coming) or "none"))
    acts = s.scalars(select(SlaAction).where(SlaAction.conversation_id == conv.id)
                     .order_by(SlaAction.id)).all()
    for a in acts:
        lines.append(f"  action {a.step_key}: {a.state}"
                     + (f" ({a.last_error})" if a.last_error else ""))
    return lines


def _local(t: datetime | None, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if t else "-"
