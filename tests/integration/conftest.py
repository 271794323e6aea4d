"""A bridge wired to the Zendesk and Graph emulators, run in-process (no Celery).

The adapters are the real ones, built by ``bridge.registry`` from settings; only the
vendors are emulated. Webhook bodies are built the way Meta sends them and parsed by
the Messenger adapter, stored with ``ingest.store_messages`` and routed, and then the
conversation is run with ``pipeline.run_conversation`` under a fake clock that the
Graph emulator shares (its messaging window is judged on the same "now").
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import pytest
from sqlalchemy import select

from bridge import clock, db, ingest, pipeline, registry, routing
from bridge.models import Conversation, InboxMessage
from emulators.graph import GraphEmulator
from emulators.graph.state import utc_now
from emulators.zendesk import ZendeskEmulator
from tests.conftest import apply_env
from tests.fakes import FakeClock

PAGE = "1234567890"
PAGE_TOKEN = "page-token"
ZD_EMAIL = "bridge@example.com"
ZD_TOKEN = "zd-token"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
API_USER, AGENT = 1, 2
MAX_RUNS = 50  # a conversation that keeps asking to run again now is a bug, not a wait


@pytest.fixture(scope="module")
def zendesk_server() -> Iterator[ZendeskEmulator]:
    emu = ZendeskEmulator(email=ZD_EMAIL, token=ZD_TOKEN)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def graph_server() -> Iterator[GraphEmulator]:
    emu = GraphEmulator(page_id=PAGE, access_token=PAGE_TOKEN)
    emu.start()
    yield emu
    emu.stop()


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class MetaWorld:
    """What both worlds share: the Meta side (webhook bodies as Meta sends them), the worker
    under the fake clock, the bridge's rows and the helpdesk's request log. A subclass is a
    dataclass with these attributes and says which helpdesk it runs on."""

    env: pytest.MonkeyPatch
    database_url: str
    graph: GraphEmulator
    clock: FakeClock
    _mids: Iterator[int]

    def meta_settings(self) -> dict[str, str]:
        """The settings of the Meta side and the worker."""
        return {
            "META_APP_SECRET": "app-secret",
            "META_VERIFY_TOKEN": "verify-token",
            "META_PAGE_ID": PAGE,
            "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
            "META_GRAPH_BASE_URL": self.graph.url,
            "BRIDGE_HTTP_TIMEOUT": "5",
            "BRIDGE_MAX_ATTEMPTS": "8",
        }

    def settings(self) -> dict[str, str]:
        raise NotImplementedError

    def configure(self, **overrides: str) -> None:
        apply_env(self.env, **{**self.settings(), **overrides})

    def helpdesk_log(self) -> list[dict[str, Any]]:
        """The helpdesk emulator's request log."""
        raise NotImplementedError

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

    def mark(self) -> int:
        """A position in the helpdesk's request log (see ``calls``)."""
        return len(self.helpdesk_log())

    def calls(self, since: int = 0) -> list[str]:
        """Helpdesk API calls since ``mark``, as ``METHOD /path``."""
        return [f"{r['method']} {r['path']}" for r in self.helpdesk_log()[since:]]

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        return self.helpdesk_log()[since:]

    def sent(self) -> list[dict[str, Any]]:
        """What the Graph Send API accepted."""
        with self.graph.state.lock:
            return [dict(r) for r in self.graph.state.sent]


class _Resettable(Protocol):
    def reset(self) -> None: ...


W = TypeVar("W", bound=MetaWorld)


def world_lifecycle(make: Callable[[FakeClock], W], helpdesk: _Resettable,
                    graph: GraphEmulator) -> Iterator[W]:
    """Set up one test's world (``make`` it on the fake clock), for a fixture to ``yield
    from``, and tidy up after it."""
    helpdesk.reset()
    graph.state.reset()
    fake = FakeClock(T0)
    graph.state.clock = fake
    clock.set_clock(fake)
    world = make(fake)
    world.configure()
    try:
        yield world
    finally:
        clock.set_clock(None)
        graph.state.clock = utc_now
        helpdesk.reset()
        graph.state.reset()


@dataclass
class World(MetaWorld):
    """One test's bridge: settings, emulators, fake clock, and helpers that act like Meta."""

    env: pytest.MonkeyPatch
    database_url: str
    zendesk: ZendeskEmulator
    graph: GraphEmulator
    clock: FakeClock
    _mids: Iterator[int] = field(default_factory=itertools.count)

    # ---- configuration ------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "BRIDGE_HELPDESK": "zendesk",
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_BASE_URL": self.zendesk.base_url,
            "ZENDESK_EMAIL": ZD_EMAIL,
            "ZENDESK_API_TOKEN": ZD_TOKEN,
            **self.meta_settings(),
        }

    # ---- the agent, and what Zendesk holds ------------------------------------------------

    def agent_webhook(self, ticket_id: int | str, key: str | None = None) -> int | None:
        """Zendesk's webhook: "look at ticket N", as ``/webhooks/zendesk`` stores it."""
        with db.session() as s:
            return ingest.store_helpdesk_event(s, "zendesk", key or f"evt-{uuid.uuid4().hex}",
                                               str(ticket_id))

    def tickets(self) -> dict[int, dict[str, Any]]:
        with self.zendesk.state.lock:
            return {tid: dict(t) for tid, t in self.zendesk.state.tickets.items()}

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.zendesk.state.lock:
            return [dict(c) for c in self.zendesk.state.comments.get(ticket_id, [])]

    def public_bodies(self, ticket_id: int) -> list[str]:
        return [str(c["body"]) for c in self.comments(ticket_id) if c["public"]]

    def user(self, user_id: int) -> dict[str, Any]:
        with self.zendesk.state.lock:
            return dict(self.zendesk.state.users[user_id])

    def helpdesk_log(self) -> list[dict[str, Any]]:
        return self.zendesk.requests_log()



def _world(env: pytest.MonkeyPatch, url: str, zendesk: ZendeskEmulator,
           graph: GraphEmulator) -> Iterator[World]:
    yield from world_lifecycle(lambda fake: World(env, url, zendesk, graph, fake),
                               zendesk, graph)


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, zendesk_server: ZendeskEmulator,
          graph_server: GraphEmulator) -> Iterator[World]:
    """The core cases: on SQLite and on PostgreSQL."""
    yield from _world(env, database_url, zendesk_server, graph_server)


@pytest.fixture
def sqlite_world(env: pytest.MonkeyPatch, sqlite_url: str, zendesk_server: ZendeskEmulator,
                 graph_server: GraphEmulator) -> Iterator[World]:
    yield from _world(env, sqlite_url, zendesk_server, graph_server)
