"""The request side: store what a webhook brought, durably, before answering.

No vendor call happens here, and as little as possible: one INSERT of all the
messages of a webhook, keyed by the platform's own ids (ON CONFLICT DO NOTHING,
so a webhook delivered twice stores nothing new), then a commit. Routing rows to
conversations happens in a worker (``routing.route``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from bridge import clock
from bridge.db import db_time, get_engine, insert_ignore
from bridge.domain import InboundMessage
from bridge.group_commit import GroupCommitter, Key, Row
from bridge.models import Conversation, HelpdeskEvent

# What the request knows; state, attempts and received_at are the columns' defaults.
_COLUMNS = ("channel", "account_id", "message_id", "thread_id", "payload", "sent_at")


def _insert_sql(paramstyle: str, count: int) -> str:
    mark = "%s" if paramstyle in ("format", "pyformat") else "?"
    one = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
    return (
        f"INSERT INTO inbox ({', '.join(_COLUMNS)}) VALUES {', '.join([one] * count)} "
        "ON CONFLICT (channel, account_id, message_id) DO NOTHING "
        "RETURNING id, channel, account_id, message_id"
    )


class _Connection:
    """A committer lane's own DBAPI connection: one flush runs at a time per lane, so
    one connection each suffices; PostgreSQL's is in autocommit (one statement, one
    round trip), SQLite's fsyncs every commit. Dropped on any error and on fork, reopened
    on next use."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._pid = 0
        self._engine: Any = None

    def get(self) -> Any:
        engine = get_engine()
        if self._conn is None or self._pid != os.getpid() or self._engine is not engine:
            self._conn = None  # a connection of another process or engine is not ours
            raw = engine.raw_connection()  # kept checked out for the process's life
            if engine.dialect.name == "postgresql":
                raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            else:
                # The engine's SQLite connections commit with synchronous=NORMAL, which a
                # power cut may roll back; an acknowledged webhook must survive it.
                cur = raw.cursor()
                cur.execute("PRAGMA synchronous=FULL")
                cur.close()
            self._conn, self._pid, self._engine = raw, os.getpid(), engine
        return self._conn

    def drop(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            try:
                self._conn.invalidate()
            except Exception:  # noqa: BLE001 - it is being thrown away
                pass
        self._conn = None


class _Writer:
    """A group committer with one connection per lane."""

    def __init__(self, lanes: int) -> None:
        self._connections = [_Connection() for _ in range(lanes)]
        self.committer = GroupCommitter(self._flush, key=lambda row: (row[0], row[1], row[2]),
                                        lanes=lanes, gather=GATHER_SECONDS)

    def _flush(self, lane: int, rows: list[Row]) -> dict[Key, int]:
        """One statement for every queued row, committed before it returns."""
        engine = get_engine()
        sql = _insert_sql(engine.dialect.paramstyle, len(rows))
        params = [value for row in rows for value in row]
        connection = self._connections[lane]
        conn = connection.get()
        try:
            cur = conn.cursor()
            cur.execute(sql, params)
            new = {(c, a, m): int(i) for i, c, a, m in cur.fetchall()}
            cur.close()
            if engine.dialect.name != "postgresql":
                conn.commit()
            return new
        except BaseException:
            connection.drop()
            raise


# Half a millisecond: invisible to a platform's timeout, enough for the requests a busy
# process is already parsing to share the statement (``bridge.group_commit``).
GATHER_SECONDS = 0.0005
# SQLite has one writer at a time: a second lane would only wait on its lock.
_writers = {"sqlite": _Writer(lanes=1), "server": _Writer(lanes=2)}


def store_messages(messages: Sequence[InboundMessage]) -> list[int]:
    """Store inbox rows durably (committed on return); return the ids of new rows.

    The hot path of every webhook: hand-written SQL on a pooled DBAPI connection
    (the ORM costs ten times the driver here), grouped with concurrent requests.
    """
    if not messages:
        return []
    sqlite_dialect = get_engine().dialect.name == "sqlite"
    return store_rows([
        (m.thread.channel, m.thread.account_id, m.message_id, m.thread.thread_id, m.to_json(),
         db_time(m.sent_at, sqlite_dialect))
        for m in messages
    ], sqlite_dialect)


def store_rows(rows: Sequence[Row], sqlite_dialect: bool) -> list[int]:
    """``store_messages`` for rows already in column order (``_COLUMNS``, ``sent_at`` as
    ``db_time`` gives it); the acknowledgement benchmark's floor handler calls it too."""
    if not rows:
        return []
    return _writers["sqlite" if sqlite_dialect else "server"].committer.store(rows)


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
    """Record "look at ticket N"; return the conversation to run, if the ticket is ours.

    A comment thread taken private (``bridge.private_reply``) shares its ticket with the DM
    conversation it moved to: the DM conversation is the one that answers for the ticket."""
    moved_to = aliased(Conversation)
    conv = s.scalar(
        select(Conversation.id)
        .outerjoin(moved_to, moved_to.id == Conversation.moved_to_id)
        .where(Conversation.helpdesk == helpdesk, Conversation.ticket_id == ticket_id)
        .where(or_(moved_to.id.is_(None),
                   moved_to.ticket_id.is_distinct_from(Conversation.ticket_id),
                   moved_to.helpdesk.is_distinct_from(Conversation.helpdesk)))
        .order_by(Conversation.id)
        .limit(1)
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
