"""The request side: store what a webhook brought, durably, before answering.

No vendor call happens here. Rows are keyed by the platform's own ids and inserted
with ON CONFLICT DO NOTHING, so a webhook delivered twice stores nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.db import insert_ignore
from bridge.domain import InboundMessage
from bridge.models import Conversation, HelpdeskEvent, InboxMessage


def conversation_id(s: Session, msg: InboundMessage) -> int:
    """The conversation of a thread, created on first sight."""
    key = msg.thread
    insert_ignore(
        s,
        Conversation,
        {
            "channel": key.channel,
            "account_id": key.account_id,
            "thread_id": key.thread_id,
            "customer_id": msg.sender.external_id,
            "outbound_due": False,
            "created_at": clock.now(),
        },
        ["channel", "account_id", "thread_id"],
    )
    found = s.scalar(
        select(Conversation.id).where(
            Conversation.channel == key.channel,
            Conversation.account_id == key.account_id,
            Conversation.thread_id == key.thread_id,
        )
    )
    assert found is not None
    return found


def mark_due(s: Session, conv_id: int) -> None:
    """Tell the sweep this conversation has work now (keeps an earlier due time)."""
    now = clock.now()
    s.execute(
        update(Conversation)
        .where(Conversation.id == conv_id)
        .where(or_(Conversation.work_due_at.is_(None), Conversation.work_due_at > now))
        .values(work_due_at=now)
    )


def store_messages(s: Session, messages: Iterable[InboundMessage]) -> list[int]:
    """Insert inbox rows; commit; return the conversations that got new rows."""
    touched: list[int] = []
    for msg in messages:
        conv = conversation_id(s, msg)
        inserted = insert_ignore(
            s,
            InboxMessage,
            {
                "channel": msg.thread.channel,
                "account_id": msg.thread.account_id,
                "message_id": msg.message_id,
                "conversation_id": conv,
                "payload": msg.to_json(),
                "sent_at": msg.sent_at,
                "received_at": clock.now(),
                "state": "pending",
                "attempts": 0,
            },
            ["channel", "account_id", "message_id"],
        )
        if inserted:
            mark_due(s, conv)
            if conv not in touched:
                touched.append(conv)
    s.commit()
    return touched


def store_helpdesk_event(s: Session, helpdesk: str, event_key: str, ticket_id: str) -> int | None:
    """Record "look at ticket N"; return the conversation to run, if the ticket is ours."""
    conv = s.scalar(
        select(Conversation.id).where(
            Conversation.helpdesk == helpdesk, Conversation.ticket_id == ticket_id
        )
    )
    inserted = insert_ignore(
        s,
        HelpdeskEvent,
        {
            "helpdesk": helpdesk,
            "event_key": event_key,
            "ticket_id": ticket_id,
            "conversation_id": conv,
            "received_at": clock.now(),
        },
        ["helpdesk", "event_key"],
    )
    if conv is not None and inserted:
        s.execute(update(Conversation).where(Conversation.id == conv).values(outbound_due=True))
        mark_due(s, conv)
    s.commit()
    return conv if inserted else None
