"""A bridge wired to the Freshdesk and Graph emulators, run in-process (no Celery).

The Freshdesk twin of ``conftest.World``: the same Meta side (webhook bodies as Meta sends
them, parsed by the real Messenger adapter, stored with ``ingest.store_messages`` and
routed), the same worker (``pipeline.run_conversation`` under a fake clock that the Graph
emulator shares), and the real ``FreshdeskHelpdesk`` built by ``bridge.registry`` with
``BRIDGE_HELPDESK=freshdesk``. Only the vendors are emulated.

One more thing shares the fake clock: the Freshdesk client's rate pacer (its injectable
``monotonic``), so that "Retry-After 30 s, then 31 s pass" means the same to the pacer as
to the pipeline, as it does in production where both read the real time.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bridge import clock, db, ingest, pipeline, registry, routing
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.freshdesk.mapping import text_from_html
from bridge.models import Conversation, InboxMessage
from emulators.freshdesk import FreshdeskEmulator
from emulators.graph import GraphEmulator
from emulators.graph.state import utc_now
from tests.conftest import apply_env
from tests.fakes import FakeClock
from tests.integration.conftest import MAX_RUNS, PAGE, PAGE_TOKEN, T0, ms

FD_KEY = "fd-api-key"
FD_SECRET = "fd-rule-secret"
API_AGENT = FreshdeskEmulator.API_AGENT_ID
AGENT = FreshdeskEmulator.AGENT_ID


@dataclass
class FreshdeskWorld:
    """One test's bridge on Freshdesk: settings, emulators, fake clock, Meta-like helpers."""

    env: pytest.MonkeyPatch
    database_url: str
    freshdesk: FreshdeskEmulator
    graph: GraphEmulator
    clock: FakeClock
    _mids: Iterator[int] = field(default_factory=itertools.count)

    # ---- configuration ------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "BRIDGE_HELPDESK": "freshdesk",
            "FRESHDESK_BASE_URL": self.freshdesk.base_url,
            "FRESHDESK_API_KEY": FD_KEY,
            "FRESHDESK_WEBHOOK_SECRET": FD_SECRET,
            "META_APP_SECRET": "app-secret",
            "META_VERIFY_TOKEN": "verify-token",
            "META_PAGE_ID": PAGE,
            "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
            "META_GRAPH_BASE_URL": self.graph.url,
            "BRIDGE_HTTP_TIMEOUT": "5",
            "BRIDGE_MAX_ATTEMPTS": "8",
        }

    def configure(self, **overrides: str) -> None:
        apply_env(self.env, **{**self.settings(), **overrides})
        self.helpdesk().client.pacer.monotonic = lambda: self.clock.now.timestamp()

    def helpdesk(self) -> FreshdeskHelpdesk:
        """The adapter the pipeline uses (``registry.helpdesk()``), typed."""
        built = registry.helpdesk()
        assert isinstance(built, FreshdeskHelpdesk)
        return built

    # ---- the customer, as Meta delivers them ----------------------------------------------

    def item(self, psid: str, text: str | None = None, *,
             attachments: list[dict[str, Any]] | None = None, at: datetime | None = None,
             mid: str | None = None) -> dict[str, Any]:
        """One ``messaging`` item: a customer's message to the page."""
        when = at or self.clock.now
        message: dict[str, Any] = {"mid": mid or f"m_{psid}_{next(self._mids)}"}
        if text is not None:
            message["text"] = text
        if attachments:
            message["attachments"] = attachments
        return {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": ms(when),
                "message": message}

    def payload(self, *items: dict[str, Any]) -> dict[str, Any]:
        """A page webhook body: one entry per item, as Meta batches them."""
        return {"object": "page", "entry": [
            {"id": PAGE, "time": int(item["timestamp"]), "messaging": [item]} for item in items]}

    def deliver(self, payload: dict[str, Any]) -> list[int]:
        """What the webhook and then the route task do; the conversations touched."""
        parsed = registry.channel("messenger").parse(payload)
        for msg in parsed.messages:  # Messenger itself knows when the customer last wrote
            seen = self.graph.state.last_customer_message.get(msg.sender.external_id)
            if seen is None or msg.sent_at > seen:
                self.graph.state.last_customer_message[msg.sender.external_id] = msg.sent_at
        ids = ingest.store_messages(parsed.messages)
        with db.session() as s:
            return routing.route(s, ids) if ids else []

    def writes(self, psid: str, *texts: str, step: float = 1.0) -> int:
        """The customer sends ``texts`` (one webhook, one item each, ``step`` s apart)."""
        items = [self.item(psid, text, at=self.clock.now + timedelta(seconds=i * step))
                 for i, text in enumerate(texts)]
        (conv_id,) = self.deliver(self.payload(*items))
        return conv_id

    # ---- the worker ---------------------------------------------------------------------

    def run(self, conv_id: int) -> float | None:
        """Run the conversation until it is idle (None) or waits (seconds)."""
        for _ in range(MAX_RUNS):
            delay = pipeline.run_conversation(conv_id)
            if delay != 0.0:
                return delay
        raise AssertionError(f"conversation {conv_id} still due after {MAX_RUNS} runs")

    def run_until_idle(self, conv_id: int, max_waits: int = 10) -> int:
        """Run, advancing the fake clock past every wait; the number of waits."""
        for waits in range(max_waits + 1):
            delay = self.run(conv_id)
            if delay is None:
                return waits
            self.clock.advance(delay + 1)
        raise AssertionError(f"conversation {conv_id} still waiting after {max_waits} waits")

    def agent_webhook(self, ticket_id: int | str) -> int | None:
        """The automation rule's webhook, as ``/webhooks/freshdesk`` stores it (a fresh
        key each time: Freshdesk gives none, every webhook is a re-read)."""
        with db.session() as s:
            return ingest.store_helpdesk_event(s, "freshdesk", f"fd-{uuid.uuid4().hex}",
                                               str(ticket_id))

    # ---- what the bridge holds -------------------------------------------------------------

    def conversation(self, conv_id: int) -> Conversation:
        with db.session() as s:
            conv = s.get(Conversation, conv_id)
            assert conv is not None
            return conv

    def rows(self, conv_id: int) -> list[InboxMessage]:
        with db.session() as s:
            return list(s.scalars(select(InboxMessage)
                                  .where(InboxMessage.conversation_id == conv_id)
                                  .order_by(InboxMessage.id)))

    def ticket_id(self, conv_id: int) -> int:
        found = self.conversation(conv_id).ticket_id
        assert found is not None, "the conversation has no ticket"
        return int(found)

    # ---- what Freshdesk holds ----------------------------------------------------------------

    def tickets(self) -> dict[int, dict[str, Any]]:
        with self.freshdesk.state.lock:
            return {tid: dict(t) for tid, t in self.freshdesk.state.tickets.items()}

    def conversations(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.freshdesk.state.lock:
            return [dict(c) for c in self.freshdesk.state.conversations.get(ticket_id, [])]

    def contacts(self) -> list[dict[str, Any]]:
        with self.freshdesk.state.lock:
            return [dict(c) for c in self.freshdesk.state.contacts.values()]

    def customer_texts(self, ticket_id: int) -> list[str]:
        """What the customer wrote, as the bridge reads it back: the description, then
        the incoming public notes by the requester, decoded with ``text_from_html``."""
        ticket = self.tickets()[ticket_id]
        notes = [c for c in self.conversations(ticket_id)
                 if c["incoming"] and not c["private"] and c["user_id"] == ticket["requester_id"]]
        return [text_from_html(ticket["description"]),
                *(text_from_html(str(n["body"])) for n in notes)]

    def private_notes(self, ticket_id: int) -> list[dict[str, Any]]:
        return [c for c in self.conversations(ticket_id) if c["private"]]

    def note_texts(self, ticket_id: int, user_id: int = API_AGENT) -> list[str]:
        """Private notes by ``user_id`` (the API key's agent: the bridge), decoded."""
        return [text_from_html(str(c["body"])) for c in self.private_notes(ticket_id)
                if c["user_id"] == user_id]

    def mark(self) -> int:
        """A position in the Freshdesk request log (see ``calls``)."""
        return len(self.freshdesk.requests_log())

    def calls(self, since: int = 0) -> list[str]:
        """Freshdesk API calls since ``mark``, as ``METHOD /path``."""
        return [f"{r['method']} {r['path']}" for r in self.freshdesk.requests_log()[since:]]

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        return self.freshdesk.requests_log()[since:]

    def sent(self) -> list[dict[str, Any]]:
        """What the Graph Send API accepted."""
        with self.graph.state.lock:
            return [dict(r) for r in self.graph.state.sent]


def freshdesk_world(env: pytest.MonkeyPatch, url: str, freshdesk: FreshdeskEmulator,
                    graph: GraphEmulator) -> Iterator[FreshdeskWorld]:
    """Set up one test's world (for a fixture to ``yield from``) and tidy up after it."""
    freshdesk.reset()
    graph.state.reset()
    fake = FakeClock(T0)
    graph.state.clock = fake
    clock.set_clock(fake)
    world = FreshdeskWorld(env, url, freshdesk, graph, fake)
    world.configure()
    try:
        yield world
    finally:
        clock.set_clock(None)
        graph.state.clock = utc_now
        freshdesk.reset()
        graph.state.reset()
