"""The run-loop step that carries out one due automated job under the conversation lease.

Every job is re-checked first (the status may have moved on, an agent may have replied):
a job that no longer applies ends ``cancelled``. Messages go out with ``human=False``, so
only inside the platform's standard window (never ``HUMAN_AGENT``); when the window
forbids one, it is ``skipped`` and an internal note says so. Every message sent is also
written on the ticket as an internal note, which is private and so never mirrored.
Retries go through ``attempts.attempt``: a job is neither skipped nor doubled, except
that a send interrupted by a crash is sent again (the platforms have no idempotency key).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import exists, select

from bridge import clock, escalation
from bridge.attempts import IDLE, Step, attempt
from bridge.automation import csat
from bridge.automation.schedule import DONE_STATUSES, OPEN
from bridge.automation.settings import AutomationSettings, automation_settings
from bridge.automation.texts import ack_values, render
from bridge.context import Context
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import ConfigError, PermanentError, TicketClosed, WindowClosed
from bridge.models import Automation, Delivery, SlaRecord
from bridge.outbound import add_note
from bridge.sla.calendar import Calendar
from bridge.sla.durations import format_duration
from bridge.sla.policy import ALWAYS

log = structlog.get_logger(__name__)
LABELS = {
    "acknowledgement": "acknowledgement", "checkin": "check-in", "csat": "CSAT question",
    "pending_reminder": "pending reminder", "auto_solve": "final message before solving",
    "on_solved": "solved message", "on_reopened": "reopened message",
    "keepalive": "keep-alive message",
}
DEFAULT_REPLY_WITHIN = timedelta(hours=24)


def automation_step(ctx: Context) -> Step:
    s, now = ctx.session, clock.now()
    row = s.scalars(
        select(Automation)
        .where(Automation.conversation_id == ctx.conversation.id,
               Automation.state.in_(OPEN), Automation.due_at <= now)
        .order_by(Automation.due_at, Automation.id).limit(1)).first()
    if row is None:
        return IDLE
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return Step(wait_until=row.next_attempt_at)  # later jobs wait behind it, in order

    def failed(reason: str) -> None:
        add_note(ctx, row.ticket_id, f"Automatic {LABELS.get(row.kind, row.kind)} failed: "
                                     f"{reason}")

    return attempt(s, row, lambda _recovering: act(ctx, row), ctx.settings.BRIDGE_MAX_ATTEMPTS,
                   failed)


def act(ctx: Context, row: Automation) -> str:
    """Carry out ``row``; returns its final state. A configuration that cannot be read
    fails the job visibly (``bridge failed list``, replayable once it is fixed)."""
    try:
        return _act(ctx, row, automation_settings())
    except ConfigError as exc:
        raise PermanentError(f"automation configuration: {exc}") from exc


def _act(ctx: Context, row: Automation, conf: AutomationSettings) -> str:
    row.claimed_until = None
    if conf.job(row.kind, ctx.conversation.channel) is None or not _applies(ctx, row):
        outcome = "cancelled"
    elif row.kind == "auto_solve":
        outcome = _auto_solve(ctx, row, conf)
    else:
        text, buttons = _compose(ctx, row, conf)
        outcome = send(ctx, row, text, buttons)
    row.done_at = clock.now()
    return outcome


def _applies(ctx: Context, row: Automation) -> bool:
    """Whether the job still makes sense now (the hooks cancel most that do not)."""
    conv = ctx.conversation
    status = conv.ticket_status or "new"
    if row.kind != "acknowledgement" and row.ticket_id != conv.ticket_id:
        return False  # the conversation moved on to another ticket
    if row.kind in ("checkin", "csat", "on_solved"):
        return status in DONE_STATUSES
    if row.kind in ("pending_reminder", "auto_solve"):
        return status == "pending"
    if row.kind == "on_reopened":
        return status not in DONE_STATUSES
    if row.kind == "keepalive":
        if conv.last_customer_at is None or status in (*DONE_STATUSES, "pending"):
            return False
        replied = ctx.session.scalar(select(exists().where(
            Delivery.conversation_id == conv.id, Delivery.human.is_(True),
            Delivery.sent_at >= conv.last_customer_at)))
        return not replied
    return True


def _compose(ctx: Context, row: Automation,
             conf: AutomationSettings) -> tuple[str, tuple[tuple[str, str], ...]]:
    payload: dict[str, Any] = json.loads(row.payload or "{}")
    language = payload.get("language") or ctx.conversation.language
    channel, ticket = ctx.conversation.channel, row.ticket_id
    if row.kind == "acknowledgement":
        calendar, within = _expected_reply(ctx, conf)
        now = clock.now()
        name = "open" if calendar.is_open(now) else "away"
        return render(conf.text(row.kind, name, channel, language),
                      **ack_values(ticket, calendar, now, within)), ()
    if row.kind == "csat":
        question = render(conf.text("csat", "question", channel, language), ticket=ticket)
        return question, csat.buttons(conf, ticket, channel, language)
    return render(conf.text(row.kind, "message", channel, language), ticket=ticket), ()


def _expected_reply(ctx: Context, conf: AutomationSettings) -> tuple[Calendar, timedelta]:
    """The SLA policy's calendar and first-reply target (or ``reply_within``)."""
    sla = escalation.sla_settings()
    rec = ctx.session.get(SlaRecord, ctx.conversation.id)
    policy = (sla.policy(rec.policy) if rec is not None
              else sla.choose(ctx.conversation.channel, None, ()))
    calendar = sla.calendar_for(policy) if policy is not None else ALWAYS
    target = policy.targets.first_reply if policy is not None else None
    return calendar, conf.reply_within or target or DEFAULT_REPLY_WITHIN


def send(ctx: Context, row: Automation, text: str,
         buttons: tuple[tuple[str, str], ...] = ()) -> str:
    """Send an automated message (never as a human): ``done``, or ``skipped`` with a note
    when the window forbids it."""
    conv = ctx.conversation
    msg = OutboundMessage(thread=ThreadKey(conv.channel, conv.account_id, conv.thread_id),
                          text=text, human=False, quick_replies=buttons,
                          reference=f"social-bridge-automation-{row.id}")
    label = LABELS.get(row.kind, row.kind)
    try:
        ctx.channel.send(msg, conv.last_customer_at, clock.now())
    except WindowClosed as exc:
        _note(ctx, row, f"Automatic {label} not sent to the customer: {exc}")
        return "skipped"
    choices = f"\n(quick replies: {' / '.join(t for t, _ in buttons)})" if buttons else ""
    _note(ctx, row, f"Automatic message sent to the customer: {text}{choices}")
    return "done"


def _note(ctx: Context, row: Automation, body: str) -> None:
    """An internal note for agents; a closed ticket takes none (Zendesk refuses any
    update), so there the note is only logged."""
    if ctx.conversation.ticket_status == "closed" and row.ticket_id == ctx.conversation.ticket_id:
        log.info("automation_note_on_closed_ticket", ticket_id=row.ticket_id, note=body)
        return
    add_note(ctx, row.ticket_id, body)


def _auto_solve(ctx: Context, row: Automation, conf: AutomationSettings) -> str:
    """Final message (once, even when solving is retried), then the status. The status
    is recorded as the bridge's own before the call, so reading it back is no echo."""
    s, conv = ctx.session, ctx.conversation
    payload: dict[str, Any] = json.loads(row.payload or "{}")
    if not payload.get("message"):
        text, _ = _compose(ctx, row, conf)
        payload["message"] = send(ctx, row, text)
        row.payload = json.dumps(payload, ensure_ascii=False)
        conv.bridge_status = "solved"
        waited = format_duration(conf.jobs["auto_solve"].wait)
        _note(ctx, row, f"Solved automatically: the ticket was pending for {waited} without "
                        "an answer from the customer.")
        s.commit()
    try:
        ctx.helpdesk.set_status(row.ticket_id, "solved")
    except TicketClosed:
        log.info("auto_solve_ticket_already_closed", ticket_id=row.ticket_id)
        return "done"
    now = clock.now()
    escalation.track(s, conv, "status", now, status="solved")
    conv.ticket_status = "solved"
    return "done"
