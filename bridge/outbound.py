"""Helpdesk → customer: new public agent comments become deliveries, sent once.

The helpdesk webhook only says "look at ticket N"; what changed is read through the
API, and each comment id is inserted once (ON CONFLICT DO NOTHING), so however many
webhooks mention a comment, it is delivered once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge import clock, escalation, held, private_reply, rendering
from bridge.attempts import IDLE, Step, attempt
from bridge.automation import schedule
from bridge.context import Context
from bridge.db import insert_ignore
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.models import Delivery, SentMessage, TicketNote

PENDING = ("pending", "sending")
log = structlog.get_logger(__name__)


def sync_step(ctx: Context) -> Step:
    """Read the ticket when a webhook asked us to; queue its new agent replies."""
    conv, s = ctx.conversation, ctx.session
    if private_reply.hand_over(ctx):  # moved to its DM conversation, which reads the ticket
        return IDLE
    if not conv.outbound_due and not private_reply.needs_look(ctx):
        return IDLE
    if conv.ticket_id is None:
        conv.outbound_due = False
        s.commit()
        return IDLE
    conv.outbound_due = False
    s.commit()
    try:
        view = ctx.helpdesk.read_ticket(conv.ticket_id)
    except (TransientError, PermanentError) as exc:
        # The read is owed until it succeeds: a refused read (revoked token...) is
        # retried every few minutes and logged, never dropped.
        s.rollback()
        conv.outbound_due = True
        s.commit()
        if isinstance(exc, TransientError):
            wait = exc.retry_after if exc.retry_after is not None else 15.0
        else:
            wait = 300.0
            log.error("ticket_read_refused", ticket_id=conv.ticket_id, error=str(exc))
        return Step(wait_until=clock.now() + timedelta(seconds=wait))
    escalation.track(s, conv, "ticket", clock.now(), status=view.status,
                     priority=view.priority, tags=view.tags)
    if view.status != conv.ticket_status:
        schedule.on_status(s, conv, conv.ticket_status, view.status)
    conv.ticket_status = view.status
    for reply in view.replies:
        # Every public agent comment of the ticket is a reply: the bridge only links
        # tickets it created itself. (Do not compare times: Zendesk's are in seconds.)
        insert_ignore(s, Delivery, {
            "helpdesk": ctx.helpdesk.name, "comment_id": reply.comment_id,
            "conversation_id": conv.id, "ticket_id": view.ticket_id, "body": reply.body,
            "human": True, "state": "pending", "attempts": 0, "created_at": clock.now(),
            "attachments": json.dumps(list(reply.attachment_urls)) if reply.attachment_urls
            else None,
        }, ["helpdesk", "comment_id"])
    private_reply.on_ticket(ctx, view)
    s.commit()
    return Step(progressed=True)


def _due(model: type[Delivery] | type[TicketNote], conv_id: int) -> object:
    now = clock.now()
    return (
        select(model)
        .where(model.conversation_id == conv_id, model.state.in_(PENDING))
        .where((model.next_attempt_at.is_(None)) | (model.next_attempt_at <= now))
        .order_by(model.id)
        .limit(1)
    )


def _later(s: Session, model: type[Delivery] | type[TicketNote], conv_id: int) -> Step:
    """Nothing due now: the time the earliest waiting item wants to be retried, so that the
    conversation is run again then (even when another step made progress this run)."""
    when = s.scalar(select(func.min(model.next_attempt_at)).where(
        model.conversation_id == conv_id, model.state.in_(PENDING)))
    return Step(wait_until=when) if when is not None else IDLE


def delivery_step(ctx: Context) -> Step:
    s, conv = ctx.session, ctx.conversation
    d = s.scalars(_due(Delivery, conv.id)).first()  # type: ignore[call-overload]
    if d is None:
        return _later(s, Delivery, conv.id)
    if private_reply.takes(ctx, d):
        return private_reply.deliver(ctx, d)
    thread = ThreadKey(conv.channel, conv.account_id, conv.thread_id)

    def send(_recovering: bool) -> str:
        # A delivery found in "sending" after a crash is sent again: the platforms
        # offer no idempotency key, and a lost reply is worse than a repeated one.
        files = tuple(json.loads(d.attachments)) if d.attachments else ()
        msg = OutboundMessage(thread=thread, text=d.body, human=d.human,
                              reference=f"social-bridge-delivery-{d.id}", attachment_urls=files)
        try:
            result = ctx.channel.send(msg, conv.last_customer_at, clock.now())
        except WindowClosed as exc:
            state, note = held.on_window_closed(ctx, d, str(exc))  # held or skipped
            add_note(ctx, d.ticket_id, note)
            return state
        d.platform_message_ids = json.dumps(list(result.platform_message_ids))
        d.sent_at = clock.now()
        _remember_sent(ctx, d, result.platform_message_ids)
        notes = [held.delivered_note(d)]
        if result.note:  # e.g. sent with the HUMAN_AGENT tag, or split into parts
            notes.append(f"Delivered to the customer: {result.note}")
        if files and not getattr(ctx.channel, "sends_attachments", False):
            notes.append(rendering.unsent_attachments(files))
        if any(notes):
            add_note(ctx, d.ticket_id, "\n".join(n for n in notes if n))
        if d.human:
            escalation.track(ctx.session, conv, "reply", d.sent_at)
            schedule.on_reply_delivered(ctx.session, conv)
        return "sent"

    def failed(reason: str) -> None:
        add_note(ctx, d.ticket_id, f"Reply not delivered to the customer: {reason}")

    return attempt(s, d, send, ctx.settings.BRIDGE_MAX_ATTEMPTS, failed)


def _remember_sent(ctx: Context, d: Delivery, message_ids: tuple[str, ...]) -> None:
    """The platform ids of a sent reply, for its receipts and failure statuses."""
    conv = ctx.conversation
    for message_id in message_ids:
        insert_ignore(ctx.session, SentMessage, {
            "channel": conv.channel, "account_id": conv.account_id,
            "message_id": message_id, "delivery_id": d.id,
        }, ["channel", "account_id", "message_id"])


def note_step(ctx: Context) -> Step:
    s = ctx.session
    note = s.scalars(_due(TicketNote, ctx.conversation.id)).first()  # type: ignore[call-overload]
    if note is None:
        return _later(s, TicketNote, ctx.conversation.id)

    def write(_recovering: bool) -> str:
        ctx.helpdesk.add_internal_note(note.ticket_id, note.body)
        return "done"

    return attempt(s, note, write, ctx.settings.BRIDGE_MAX_ATTEMPTS)


def add_note(ctx: Context, ticket_id: str, body: str) -> None:
    """Queue an internal note; written by ``note_step`` in the same run."""
    ctx.session.add(TicketNote(conversation_id=ctx.conversation.id, ticket_id=ticket_id,
                               body=body, state="pending", attempts=0, created_at=clock.now()))
