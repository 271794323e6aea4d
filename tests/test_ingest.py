"""The webhook's inbox write on both databases: durable settings, concurrent requests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bridge import db, ingest
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.models import InboxMessage
from tests.conftest import apply_env

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def message(mid: str) -> InboundMessage:
    return InboundMessage(thread=ThreadKey("messenger", "page1", "psid-" + mid[-1]),
                          message_id=mid, sender=Sender("psid"), sent_at=T0, text=f"text {mid}")


@pytest.fixture
def database(env: pytest.MonkeyPatch, database_url: str) -> str:
    apply_env(env, DATABASE_URL=database_url)
    return database_url


def test_the_sqlite_writer_fsyncs_every_commit(env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    """The engine's SQLite sessions use synchronous=NORMAL (a power cut may roll back their
    last commits); the connection that acknowledges webhooks must not."""
    apply_env(env, DATABASE_URL=sqlite_url)
    assert ingest.store_messages([message("m1")])
    writer = ingest._writers["sqlite"]._connections[0].get()
    cur = writer.cursor()
    cur.execute("PRAGMA synchronous")
    assert cur.fetchone()[0] == 2  # FULL
    with db.get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_concurrent_webhooks_each_get_their_own_rows(database: str) -> None:
    """Forty requests at once, each storing its own message plus one another request also
    sends (a platform's retry racing the original): every message stored once, every
    request handed the ids of the rows it was first to store."""
    results: dict[int, list[int]] = {}
    barrier = threading.Barrier(40)

    def request(i: int) -> None:
        barrier.wait()
        results[i] = ingest.store_messages([message(f"own-{i}"), message(f"shared-{i // 2}")])

    threads = [threading.Thread(target=request, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 40
    with db.session() as s:
        rows = dict(s.execute(select(InboxMessage.message_id, InboxMessage.id)).all())
        assert s.scalar(select(func.count()).select_from(InboxMessage)) == 60
    for i, ids in results.items():
        assert rows[f"own-{i}"] in ids
        assert set(ids) <= {rows[f"own-{i}"], rows[f"shared-{i // 2}"]}
    for pair in range(20):
        assert any(rows[f"shared-{pair}"] in results[i] for i in (2 * pair, 2 * pair + 1))
    # A repeat of everything stores nothing and hands out no id.
    assert ingest.store_messages([message("own-0"), message("shared-0")]) == []
