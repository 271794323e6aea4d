"""Worker side of ingest: attach new inbox rows to their conversation (created on first
sight) and mark the conversation due. Safe to run twice and concurrently."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.db import insert_ignore
from bridge.ingest import mark_due
from bridge.models import Conversation, InboxMessage


def conversation_for(s: Session, channel: str, account_id: str, thread_id: str,
                     customer_id: str) -> int:
    insert_ignore(s, Conversation, {
        "channel": channel, "account_id": account_id, "thread_id": thread_id,
        "customer_id": customer_id, "outbound_due": False, "created_at": clock.now(),
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
        conv = conversation_for(s, row.channel, row.account_id, row.thread_id, row.thread_id)
        s.execute(update(InboxMessage).where(InboxMessage.id == row.id)
                  .values(conversation_id=conv))
        mark_due(s, conv)
        if conv not in touched:
            touched.append(conv)
    s.commit()
    return touched
