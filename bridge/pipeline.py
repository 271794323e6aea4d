"""Orchestration only: run all due work of one conversation, in order, under its lease.

Steps, each idempotent: the next inbox row (customer → helpdesk, strictly in the
customer's order), reading the ticket after a helpdesk webhook, the next delivery
(agent → customer), the next internal note. The loop runs until no step makes
progress; the earliest time a step wants to run again is stored on the
conversation so the sweep (and the task's own countdown) picks it up.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime

import structlog
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from bridge import clock, db, escalation, inbound, leases, outbound, registry
from bridge.attempts import IDLE, Step, attempt
from bridge.automation.run import automation_step
from bridge.config import get_settings
from bridge.context import Context
from bridge.models import (
    Automation,
    Conversation,
    Delivery,
    InboxMessage,
    SlaAction,
    TicketNote,
)

log = structlog.get_logger(__name__)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def inbound_step(ctx: Context) -> Step:
    s, conv = ctx.session, ctx.conversation
    row = s.scalars(
        select(InboxMessage)
        .where(InboxMessage.conversation_id == conv.id,
               InboxMessage.state.in_(("pending", "sending")))
        .order_by(InboxMessage.sent_at, InboxMessage.id)
        .limit(1)
    ).first()
    if row is None:
        return IDLE
    if row.next_attempt_at is not None and row.next_attempt_at > clock.now():
        return Step(wait_until=row.next_attempt_at)  # the head waits; later rows wait behind it
    return attempt(s, row, lambda recovering: inbound.process(ctx, row, recovering),
                   ctx.settings.BRIDGE_MAX_ATTEMPTS)


STEPS = (inbound_step, outbound.sync_step, outbound.delivery_step, outbound.note_step,
         escalation.action_step, automation_step)


def run_conversation(conv_id: int) -> float | None:
    """Do the due work of one conversation; seconds until it should run again, or None."""
    settings = get_settings()
    owner = owner_id()
    with db.session() as s:
        if not leases.claim(s, conv_id, owner, settings.BRIDGE_LEASE_SECONDS):
            return None  # the holder re-checks for new work after it releases
        try:
            wait_until = _drain(s, conv_id, owner)
        finally:
            s.rollback()
            leases.release(s, conv_id, owner)
        if wait_until is None and has_due_work(s, conv_id):
            _set_due(s, conv_id, clock.now())
            return 0.0
        if wait_until is None:
            return None
        return max((wait_until - clock.now()).total_seconds(), 0.0)


def _drain(s: Session, conv_id: int, owner: str) -> datetime | None:
    settings = get_settings()
    conv = s.get(Conversation, conv_id)
    if conv is None:
        return None
    ctx = Context(s, conv, registry.helpdesk(), registry.channel(conv.channel), settings)
    while True:
        waits: list[datetime] = []
        progressed = False
        for step in STEPS:
            result = step(ctx)
            progressed = progressed or result.progressed
            if result.wait_until is not None:
                waits.append(result.wait_until)
        if not progressed:
            due = min(waits) if waits else None
            _set_due(s, conv_id, due)
            return due
        leases.renew(s, conv_id, owner, settings.BRIDGE_LEASE_SECONDS)


def _set_due(s: Session, conv_id: int, when: datetime | None) -> None:
    s.execute(update(Conversation).where(Conversation.id == conv_id).values(work_due_at=when))
    s.commit()


def has_due_work(s: Session, conv_id: int) -> bool:
    now = clock.now()

    def due(model: type[InboxMessage] | type[Delivery] | type[TicketNote] | type[SlaAction],
            ) -> bool:
        q = select(exists().where(
            model.conversation_id == conv_id, model.state.in_(("pending", "sending")),
            or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now)))
        return bool(s.scalar(q))

    outbound_due = s.scalar(select(Conversation.outbound_due).where(Conversation.id == conv_id))
    automation_due = select(exists().where(
        Automation.conversation_id == conv_id, Automation.state.in_(("pending", "sending")),
        Automation.due_at <= now,
        or_(Automation.next_attempt_at.is_(None), Automation.next_attempt_at <= now)))
    return bool(outbound_due) or any(
        due(m) for m in (InboxMessage, Delivery, TicketNote, SlaAction)) or bool(
        s.scalar(automation_due))


def due_conversations(limit: int = 1000) -> list[int]:
    """Conversations whose work is due and that nobody holds: the sweep's worklist."""
    now = clock.now()
    with db.session() as s:
        rows = s.scalars(
            select(Conversation.id)
            .where(Conversation.work_due_at <= now)
            .where(or_(Conversation.lease_until.is_(None), Conversation.lease_until < now))
            .order_by(Conversation.work_due_at)
            .limit(limit)
        )
        return list(rows)
