"""The core issue's reliability tests with BRIDGE_HELPDESK=freshdesk: gunicorn, a Celery
worker and beat on Redis and PostgreSQL, against the Freshdesk and Graph emulators.

The same cases as ``test_round_trip.py``: a worker SIGKILLed while Freshdesk holds the
answer to a ticket create it has already committed, and thirty messages of one thread
taken by two worker processes at once. The customer's texts are read back as the bridge
writes them: the ticket's description, then its incoming notes.
"""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from emulators.freshdesk import FreshdeskEmulator
from tests.e2e.conftest import Bridge
from tests.e2e.harness import wait_for
from tests.e2e.test_freshdesk_round_trip import (  # noqa: F401 - a fixture, used by name
    customer_texts,
    freshdesk_bridge,
)

pytestmark = pytest.mark.e2e
FdBridge = tuple[Bridge, FreshdeskEmulator]


def tickets(fd: FreshdeskEmulator) -> list[dict[str, Any]]:
    with fd.state.lock:
        return [dict(t) for t in fd.state.tickets.values()]


def calls(fd: FreshdeskEmulator, call: str) -> list[dict[str, Any]]:
    """Logged requests that are ``METHOD /path``."""
    return [r for r in fd.requests_log() if f"{r['method']} {r['path']}" == call]


def test_worker_killed_mid_ticket_create_loses_nothing_and_doubles_nothing(
        freshdesk_bridge: FdBridge) -> None:  # noqa: F811
    bridge, fd = freshdesk_bridge
    # Freshdesk creates the ticket, then the answer hangs: the worker dies holding it.
    fd.add_fault(r"^/api/v2/tickets$", method="POST", delay=60, delay_after_commit=True,
                 count=1)
    assert bridge.customer_writes("psid-9", "mid-a", "first message").status_code == 200
    wait_for(lambda: tickets(fd), 30, "the ticket write to reach Freshdesk")
    bridge.procs.kill("worker", signal.SIGKILL)
    assert bridge.customer_writes("psid-9", "mid-b", "second message").status_code == 200
    bridge.procs.worker("worker2")
    (ticket,) = tickets(fd)
    wait_for(lambda: customer_texts(fd, ticket) == ["first message", "second message"],
             60, "both messages, once each, in order")
    assert len(tickets(fd)) == 1
    assert len(calls(fd, "POST /api/v2/tickets")) == 1
    assert calls(fd, "GET /api/v2/search/tickets"), (
        "the new worker looked the ticket up by its marker instead of creating it again")
    with fd.state.lock:
        assert len(fd.state.contacts) == 1


def test_messages_of_one_conversation_never_race(
        freshdesk_bridge: FdBridge) -> None:  # noqa: F811
    """Thirty messages of one thread arrive together, two worker processes take them:
    one ticket, every message once, in the customer's order."""
    bridge, fd = freshdesk_bridge
    bridge.procs.worker("worker-b")
    base = int(time.time() * 1000)
    texts = [f"part {i} of my question" for i in range(30)]

    def send(i: int) -> int:
        return bridge.customer_writes("psid-7", f"race-{i}", texts[i], base + i).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(send, range(30))) == {200}
    (ticket,) = wait_for(lambda: tickets(fd), 30, "the ticket")
    wait_for(lambda: len(customer_texts(fd, ticket)) >= 30, 60, "thirty messages")
    assert customer_texts(fd, ticket) == texts
    assert len(tickets(fd)) == 1
    assert len(calls(fd, "POST /api/v2/tickets")) == 1
