"""Worker side of ingest: attach new inbox rows to their conversation (created on first
sight) and mark the conversation due. Safe to run twice and concurrently."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.db import insert_ignore
from bridge.ingest import mark_due
from bridge.models import Conversation, Delivery, InboxMessage, SentMessage

_MAX_HOPS = 20  # replies to replies not yet routed, followed up to this depth


def conversation_for(s: Session, channel: str, account_id: str, thread_id: str) -> int:
    insert_ignore(s, Conversation, {
        "channel": channel, "account_id": account_id, "thread_id": thread_id,
        "outbound_due": False, "created_at": clock.now(),
    }, ["channel", "account_id", "thread_id"])
    found = s.scalar(select(Conversation.id).where(
        Conversation.channel == channel, Conversation.account_id == account_id,
        Conversation.thread_id == thread_id))
    assert found is not None
    return found


def route(s: Session, inbox_ids: Sequence[int] | None = None, limit: int = 1000) -> list[int]:
    """Route the given rows (or any unrouted rows); return the conversations touched."""
    q = select(InboxMessage).where(InboxMessage.conversation_id.is_(None))
    if inbox_ids is not None:
        q = q.where(InboxMessage.id.in_(list(inbox_ids)))
    touched: list[int] = []
    for row in s.scalars(q.order_by(InboxMessage.id).limit(limit)).all():
        conv = answered_conversation(s, row)
        if conv is None:
            conv = conversation_for(s, row.channel, row.account_id, row.thread_id)
        s.execute(update(InboxMessage).where(InboxMessage.id == row.id)
                  .values(conversation_id=conv))
        mark_due(s, conv)
        if conv not in touched:
            touched.append(conv)
    s.commit()
    return touched


def answered_conversation(s: Session, row: InboxMessage) -> int | None:
    """The conversation of the message ``row`` answers (``InboundMessage.in_reply_to``),
    when the bridge holds it: a customer's message (inbox) or one of our sends
    (``sent_messages``). A parent not routed yet is followed to its own parent or
    thread. ``None``: not a reply, or a reply to something unknown (its own thread)."""
    current = row
    for _ in range(_MAX_HOPS):
        parent_id = _in_reply_to(current.payload)
        parent = None if parent_id is None else s.scalars(select(InboxMessage).where(
            InboxMessage.channel == row.channel, InboxMessage.account_id == row.account_id,
            InboxMessage.message_id == parent_id)).first()
        if parent is not None and parent.conversation_id is not None:
            return parent.conversation_id
        if parent is None:
            sent = None if parent_id is None else _sent_in(s, row, parent_id)
            if sent is not None or current is row:
                return sent
            return conversation_for(s, current.channel, current.account_id, current.thread_id)
        current = parent
    return None


def _in_reply_to(payload: str) -> str | None:
    if '"in_reply_to"' not in payload:  # most rows: no need to decode
        return None
    value = json.loads(payload).get("in_reply_to")
    return value if isinstance(value, str) and value else None


def _sent_in(s: Session, row: InboxMessage, platform_id: str) -> int | None:
    """The conversation a reply of ours with this platform id was delivered on: one
    equality lookup on ``sent_messages``' unique (channel, account_id, message_id). The
    delivery's conversation must be of the row's channel too: a private reply's ids are
    filed under the DM channel while its delivery stays on the comment's conversation."""
    return s.scalar(
        select(Delivery.conversation_id)
        .join(SentMessage, SentMessage.delivery_id == Delivery.id)
        .join(Conversation, Conversation.id == Delivery.conversation_id)
        .where(SentMessage.channel == row.channel, SentMessage.account_id == row.account_id,
               SentMessage.message_id == platform_id, Conversation.channel == row.channel))


def link_thread(s: Session, channel: str, account_id: str, thread_id: str,
                source: Conversation) -> tuple[int, str | None]:
    """The conversation of a thread (created if new) put on ``source``'s ticket: the
    public-to-private move (``bridge.private_reply``), so that the customer's DMs become
    comments on that ticket. Returns its id and the other ticket it was on before, if any
    (that ticket keeps its history; the thread continues on this one)."""
    conv_id = conversation_for(s, channel, account_id, thread_id)
    helpdesk, ticket_id = s.execute(select(Conversation.helpdesk, Conversation.ticket_id)
                                    .where(Conversation.id == conv_id)).one()
    if (helpdesk, ticket_id) == (source.helpdesk, source.ticket_id):
        return conv_id, None
    s.execute(update(Conversation).where(Conversation.id == conv_id).values(
        helpdesk=source.helpdesk, ticket_id=source.ticket_id, linked_at=clock.now(),
        ticket_status=source.ticket_status, bridge_status=None,
        last_comment_id=source.last_comment_id))
    return conv_id, ticket_id if helpdesk == source.helpdesk else None
