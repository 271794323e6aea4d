"""Message → ticket → agent reply → Messenger send, through gunicorn, Celery and beat."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.conftest import VERIFY_TOKEN, Bridge
from tests.e2e.harness import wait_for

pytestmark = pytest.mark.e2e
TEXTS = ["Hello, my order is late 📦", "مرحبا، طلبي متأخر", "Բարև ձեզ", "สวัสดีครับ",
         "سلام، سفارش من", "שלום, ההזמנה שלי"]


def customer_bodies(bridge: Bridge, ticket_id: int) -> list[str]:
    ticket = next(t for t in bridge.tickets() if t["id"] == ticket_id)
    return [c["body"] for c in bridge.comments(ticket_id)
            if c["public"] and c["author_id"] == ticket["requester_id"]]


def round_trip(bridge: Bridge) -> None:
    url = bridge.procs.url
    hs = requests.get(f"{url}/webhooks/meta", timeout=5, params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8472"})
    assert (hs.status_code, hs.text) == (200, "8472")
    installed = bridge.procs.cli("zendesk", "install", "--url", url)
    assert installed.returncode == 0, installed.stderr
    assert bridge.procs.cli("zendesk", "install", "--url", url).returncode == 0  # safe twice

    for i, text in enumerate(TEXTS):
        assert bridge.customer_writes("psid-1", f"mid-{i}", text).status_code == 200
    ticket = wait_for(lambda: bridge.tickets()[0], 30, "a ticket")
    assert set(ticket["tags"]) >= {"social", "messenger"}
    wait_for(lambda: customer_bodies(bridge, ticket["id"]) == TEXTS, 30, "all comments")
    requester = bridge.zendesk.state.users[ticket["requester_id"]]
    assert requester["external_id"] == "messenger:1234567890:psid-1"

    bridge.zendesk.agent_comment(ticket["id"], "Internal: check the warehouse", public=False)
    bridge.zendesk.agent_comment(ticket["id"], "We are on it — نحن نعمل على ذلك")
    wait_for(lambda: bridge.sent_texts() == ["We are on it — نحن نعمل على ذلك"], 30, "reply")
    bridge.zendesk.agent_comment(ticket["id"], "It ships today.")
    wait_for(lambda: len(bridge.sent_texts()) == 2, 30, "second reply")
    assert bridge.sent_texts() == ["We are on it — نحن نعمل على ذلك", "It ships today."]
    assert len(bridge.tickets()) == 1


def test_round_trip_on_postgres_and_redis(production_bridge: Bridge) -> None:
    round_trip(production_bridge)


def test_round_trip_with_no_configuration_but_the_vendors(default_bridge: Bridge) -> None:
    round_trip(default_bridge)


def test_worker_killed_mid_task_loses_nothing_and_doubles_nothing(
        production_bridge: Bridge) -> None:
    bridge = production_bridge
    # Zendesk creates the ticket, then the answer hangs: the worker dies holding it.
    bridge.zendesk.add_fault(path=r"^/api/v2/tickets(\.json)?$", method="POST", delay=60,
                             delay_after_commit=True, count=1)
    assert bridge.customer_writes("psid-9", "mid-a", "first message").status_code == 200
    wait_for(lambda: bridge.tickets(), 30, "the ticket write to reach Zendesk")
    bridge.procs.kill("worker", signal.SIGKILL)
    assert bridge.customer_writes("psid-9", "mid-b", "second message").status_code == 200
    bridge.procs.worker("worker2")
    ticket = bridge.tickets()[0]
    wait_for(lambda: customer_bodies(bridge, ticket["id"]) == ["first message", "second message"],
             60, "both messages, once each, in order")
    assert len(bridge.tickets()) == 1
    lookups = [r for r in bridge.zendesk.requests_log()
               if r["method"] == "GET" and "external_id" in (r.get("query") or {})]
    assert lookups, "the new worker looked the ticket up instead of creating it again"


def test_messages_of_one_conversation_never_race(production_bridge: Bridge) -> None:
    """Thirty messages of one thread arrive together, two worker processes take them:
    one ticket, every message once, in the customer's order."""
    bridge = production_bridge
    bridge.procs.worker("worker-b")
    base = int(time.time() * 1000)
    texts = [f"part {i} of my question" for i in range(30)]

    def send(i: int) -> int:
        return bridge.customer_writes("psid-7", f"race-{i}", texts[i], base + i).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(send, range(30))) == {200}
    ticket = wait_for(lambda: bridge.tickets()[0], 30, "the ticket")
    wait_for(lambda: len(customer_bodies(bridge, ticket["id"])) >= 30, 60, "thirty comments")
    assert customer_bodies(bridge, ticket["id"]) == texts
    assert len(bridge.tickets()) == 1
