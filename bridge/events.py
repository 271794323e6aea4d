"""Edits, deletions and failed deliveries: ONE internal note each on the conversation's ticket.

The webhook stores them as inbox rows like messages (``InboundMessage.kind`` ``edit``,
``delete``, ``status``; keys such as ``edit:<mid>:<edit id>``, ``delete:<mid>``,
``status:<mid>:failed``), so ordering, claim-once and retries are the inbox's. Nothing on
the ticket changes silently and nothing is lost: an edit quotes the original (read from the
original's inbox row when the bridge has it) and the new text, a deletion quotes what was
deleted and says it stays on the ticket, a failed delivery names the reply and gives the
platform's reason and code.

The note is queued (``outbound.add_note``) in the transaction that finishes the row and
written by the note step: at-least-once, since helpdesks offer no lookup of a note (a crash
between the helpdesk's answer and the commit writes it again).

Without a ticket on the conversation (its first message never reached the bridge, or failed):
an edit is ticketed as the customer's message (the new text, marked edited), so the words
reach an agent; a deletion or a failed delivery has nothing to annotate and is logged and
counted (``bridge_events_ignored_total{endpoint="worker"}``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import structlog
from sqlalchemy import select

from bridge import clock, held, rendering
from bridge.context import Context
from bridge.domain import InboundMessage
from bridge.metrics import EVENTS_IGNORED
from bridge.models import Delivery, InboxMessage, SentMessage
from bridge.outbound import add_note

log = structlog.get_logger(__name__)
EDITED_MARK = "[edited; the bridge never received the original]"


def process(ctx: Context, row: InboxMessage, msg: InboundMessage) -> str | None:
    """Note the event on the ticket; the row's final state, or ``None`` when the event is
    to be ticketed as a message instead (``as_message``)."""
    conv = ctx.conversation
    if conv.ticket_id is None or conv.helpdesk != ctx.helpdesk.name:
        if msg.kind == "edit":
            return None
        log.warning("event_without_ticket", kind=msg.kind, channel=conv.channel,
                    conversation=conv.id, refers_to=msg.refers_to)
        EVENTS_IGNORED.labels("worker", f"{msg.kind}_without_ticket").inc()
        row.done_at = clock.now()
        return "done"
    add_note(ctx, conv.ticket_id, note(ctx, msg))
    row.ticket_id, row.done_at = conv.ticket_id, clock.now()
    return "done"


def as_message(msg: InboundMessage) -> InboundMessage:
    """An edit of a message the bridge never ticketed, as the customer's message."""
    text = f"{msg.text}\n\n{EDITED_MARK}" if msg.text else EDITED_MARK
    return replace(msg, kind="message", text=text)


def note(ctx: Context, msg: InboundMessage) -> str:
    label = rendering.CHANNEL_LABELS.get(msg.thread.channel, msg.thread.channel)
    if msg.kind == "status":
        return _failed(ctx, msg, label)
    original = _original(ctx, msg.refers_to)
    sent = f" (sent {_when(original.sent_at)})" if original is not None else ""
    before = (quote(rendering.comment_body(original)) if original is not None
              else "(the bridge never received the original)")
    if msg.kind == "edit":
        return (f"The customer edited a message on {label}{sent}.\nBefore:\n{before}\n"
                f"After:\n{quote(rendering.comment_body(msg))}")
    if original is None:
        return (f"The customer deleted a message on {label} that the bridge never received "
                f"({msg.refers_to}).")
    return (f"The customer deleted a message on {label}{sent}. It stays on this ticket:\n"
            f"{before}")


def _failed(ctx: Context, msg: InboundMessage, label: str) -> str:
    delivery = _delivery(ctx, msg.refers_to)
    reason = msg.text or "no reason given"
    if delivery is None:
        what = f"a message the bridge sent ({msg.refers_to})"
    else:
        when = _when(delivery.sent_at) if delivery.sent_at else "earlier"
        what = f"the agent's reply sent {when}:\n{quote(delivery.body)}"
    text = f"{label} could not deliver {what}\nReason: {reason}"
    more = held.after_window_failure(ctx, delivery, msg)
    return f"{text}\n{more}" if more else text


def _original(ctx: Context, message_id: str | None) -> InboundMessage | None:
    """The message an event refers to, as its inbox row stored it."""
    if not message_id:
        return None
    conv = ctx.conversation
    payload = ctx.session.scalar(select(InboxMessage.payload).where(
        InboxMessage.channel == conv.channel, InboxMessage.account_id == conv.account_id,
        InboxMessage.message_id == message_id))
    return InboundMessage.from_json(payload) if payload is not None else None


def _delivery(ctx: Context, message_id: str | None) -> Delivery | None:
    """The reply whose send returned ``message_id``."""
    if not message_id:
        return None
    conv = ctx.conversation
    return ctx.session.scalars(select(Delivery).join(
        SentMessage, SentMessage.delivery_id == Delivery.id).where(
        SentMessage.channel == conv.channel, SentMessage.account_id == conv.account_id,
        SentMessage.message_id == message_id, Delivery.conversation_id == conv.id)).first()


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in (text or "").splitlines()) or ">"


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")
