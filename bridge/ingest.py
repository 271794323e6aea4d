"""The request side: store what a webhook brought, durably, before answering.

No vendor call happens here, and as little as possible: one INSERT of all the
messages of a webhook, keyed by the platform's own ids (ON CONFLICT DO NOTHING,
so a webhook delivered twice stores nothing new), then a commit. Routing rows to
conversations happens in a worker (``routing.route``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.db import db_time, get_engine, insert_ignore
from bridge.domain import InboundMessage
from bridge.group_commit import GroupCommitter, Key, Row
from bridge.models import Conversation, HelpdeskEvent

_COLUMNS = ("channel", "account_id", "message_id", "thread_id", "routed", "payload",
            "sent_at", "received_at", "state", "attempts")


def _insert_sql(paramstyle: str, count: int) -> str:
    mark = "%s" if paramstyle in ("format", "pyformat") else "?"
    one = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
    return (
        f"INSERT INTO inbox ({', '.join(_COLUMNS)}) VALUES {', '.join([one] * count)} "
        "ON CONFLICT (channel, account_id, message_id) DO NOTHING "
        "RETURNING id, channel, account_id, message_id"
    )


def _flush(rows: list[Row]) -> dict[Key, int]:
    """One statement for every queued row, committed by itself (autocommit)."""
    engine = get_engine()
    sql = _insert_sql(engine.dialect.paramstyle, len(rows))
    params = [value for row in rows for value in row]
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if engine.dialect.name == "postgresql":
            driver.autocommit = True  # type: ignore[union-attr]
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            new = {(c, a, m): int(i) for i, c, a, m in cur.fetchall()}
            cur.close()
            if engine.dialect.name != "postgresql":
                raw.commit()
            return new
        finally:
            if engine.dialect.name == "postgresql":
                driver.autocommit = False  # type: ignore[union-attr]
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


_committer = GroupCommitter(_flush, key=lambda row: (row[0], row[1], row[2]))


def store_messages(messages: Sequence[InboundMessage]) -> list[int]:
    """Store inbox rows durably (committed on return); return the ids of new rows.

    The hot path of every webhook: hand-written SQL on a pooled DBAPI connection
    (the ORM costs ten times the driver here), grouped with concurrent requests.
    """
    if not messages:
        return []
    sqlite_dialect = get_engine().dialect.name == "sqlite"
    now = db_time(clock.now(), sqlite_dialect)
    rows = [
        (m.thread.channel, m.thread.account_id, m.message_id, m.thread.thread_id, False,
         m.to_json(), db_time(m.sent_at, sqlite_dialect), now, "pending", 0)
        for m in messages
    ]
    return _committer.store(rows)


def mark_due(s: Session, conv_id: int) -> None:
    """Tell the sweep this conversation has work now (keeps an earlier due time)."""
    now = clock.now()
    s.execute(
        update(Conversation)
        .where(Conversation.id == conv_id)
        .where(or_(Conversation.work_due_at.is_(None), Conversation.work_due_at > now))
        .values(work_due_at=now)
    )


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
