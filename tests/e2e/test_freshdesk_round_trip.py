"""The core round trip with BRIDGE_HELPDESK=freshdesk, through gunicorn, Celery and beat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from bridge.freshdesk.mapping import text_from_html
from emulators.freshdesk import FreshdeskEmulator
from emulators.graph import GraphEmulator
from tests.conftest import drop_postgres_database, migrate, postgres_database
from tests.e2e.conftest import APP_SECRET, PAGE, VERIFY_TOKEN, Bridge
from tests.e2e.harness import Processes, wait_for

pytestmark = pytest.mark.e2e
SECRET = "fd-rule-secret"
TEXTS = ["Bonjour, ma commande 📦", "مرحبا، طلبي متأخر", "שלום", "สวัสดีครับ"]


@pytest.fixture
def freshdesk_bridge(tmp_path: Path, redis_url: str) -> Iterator[tuple[Bridge, FreshdeskEmulator]]:
    redis.Redis.from_url(redis_url).flushdb()
    url = postgres_database()
    migrate(url)
    freshdesk, graph = FreshdeskEmulator(api_key="fd-key"), GraphEmulator(page_id=PAGE,
                                                                          access_token="page-token")
    env = {
        "BRIDGE_HELPDESK": "freshdesk", "FRESHDESK_BASE_URL": freshdesk.start(),
        "FRESHDESK_API_KEY": "fd-key", "FRESHDESK_WEBHOOK_SECRET": SECRET,
        "META_APP_SECRET": APP_SECRET, "META_VERIFY_TOKEN": VERIFY_TOKEN, "META_PAGE_ID": PAGE,
        "META_PAGE_ACCESS_TOKEN": "page-token", "META_GRAPH_BASE_URL": graph.start(),
        "BRIDGE_SWEEP_SECONDS": "1", "BRIDGE_LEASE_SECONDS": "4", "DATABASE_URL": url,
        "REDIS_URL": redis_url, "BRIDGE_VAR_DIR": str(tmp_path / "var"),
    }
    procs = Processes(env, tmp_path)
    try:
        procs.web()
        procs.worker()
        procs.beat()
        freshdesk.configure_automation(f"{procs.url}/webhooks/freshdesk", SECRET)
        yield Bridge(procs, None, graph), freshdesk  # type: ignore[arg-type]
    except BaseException:
        print(procs.logs())
        raise
    finally:
        procs.stop()
        freshdesk.stop()
        graph.stop()
        drop_postgres_database(url)


def customer_texts(fd: FreshdeskEmulator, ticket: dict[str, Any]) -> list[str]:
    with fd.state.lock:
        notes = [c for c in fd.state.conversations.get(ticket["id"], []) if c.get("incoming")]
        first = text_from_html(ticket["description"])
        return [first, *(text_from_html(n["body"]) for n in notes)]


def test_round_trip_with_freshdesk(freshdesk_bridge: tuple[Bridge, FreshdeskEmulator]) -> None:
    bridge, fd = freshdesk_bridge
    for i, text in enumerate(TEXTS):
        assert bridge.customer_writes("psid-fd", f"fd-{i}", text).status_code == 200

    def ticket() -> dict[str, Any]:
        with fd.state.lock:
            return dict(next(iter(fd.state.tickets.values()), {}))

    found = wait_for(ticket, 30, "a Freshdesk ticket")
    assert {"social", "messenger"} <= set(found["tags"])
    wait_for(lambda: customer_texts(fd, ticket()) == TEXTS, 30, "every message, in order")
    with fd.state.lock:
        (contact,) = fd.state.contacts.values()
    assert contact["unique_external_id"] == "messenger:1234567890:psid-fd"

    fd.private_note(found["id"], "<p>Internal: check stock</p>")
    fd.agent_reply(found["id"], "<p>We are on it!</p>")
    wait_for(lambda: bridge.sent_texts() == ["We are on it!"], 30, "the agent's reply")
    fd.agent_reply(found["id"], "<p>Shipped today.</p>")
    wait_for(lambda: len(bridge.sent_texts()) == 2, 30, "the second reply")
    assert bridge.sent_texts() == ["We are on it!", "Shipped today."]
    with fd.state.lock:
        assert len(fd.state.tickets) == 1 and len(fd.state.contacts) == 1
