"""A bridge wired to the Freshdesk and Graph emulators, run in-process (no Celery).

The Freshdesk twin of ``zendesk_world.World``: the same Meta side and worker
(``MetaWorld``), and the real ``FreshdeskHelpdesk`` built by ``bridge.registry`` with
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
from typing import Any

import pytest

from bridge import db, ingest, registry
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.freshdesk.mapping import text_from_html
from emulators.freshdesk import FreshdeskEmulator
from emulators.graph import GraphEmulator
from tests.fakes import FakeClock
from tests.integration.meta_world import MetaWorld
from tests.integration.world import Note, world_lifecycle

FD_KEY = "fd-api-key"
FD_SECRET = "fd-rule-secret"
API_AGENT = FreshdeskEmulator.API_AGENT_ID
AGENT = FreshdeskEmulator.AGENT_ID
TICKETS_PATH = r"^/api/v2/tickets$"


def view(ticket_id: int) -> str:
    return f"GET /api/v2/tickets/{ticket_id}"


def put(ticket_id: int) -> str:
    return f"PUT /api/v2/tickets/{ticket_id}"


def notes(ticket_id: int) -> str:
    return f"POST /api/v2/tickets/{ticket_id}/notes"


@dataclass
class FreshdeskWorld(MetaWorld):
    """One test's bridge on Freshdesk: settings, emulators, fake clock, Meta-like helpers."""

    env: pytest.MonkeyPatch
    database_url: str
    freshdesk: FreshdeskEmulator
    graph: GraphEmulator
    clock: FakeClock
    _mids: Iterator[int] = field(default_factory=itertools.count)

    CREATE_REQUESTER = "POST /api/v2/contacts"
    CREATE_TICKET = "POST /api/v2/tickets"
    CREDENTIAL = "FRESHDESK_API_KEY"
    API_USER = API_AGENT

    # ---- configuration ------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "BRIDGE_HELPDESK": "freshdesk",
            "FRESHDESK_BASE_URL": self.freshdesk.base_url,
            "FRESHDESK_API_KEY": FD_KEY,
            "FRESHDESK_WEBHOOK_SECRET": FD_SECRET,
            **self.meta_settings(),
        }

    def configure(self, **overrides: str) -> None:
        super().configure(**overrides)
        self.helpdesk().client.pacer.monotonic = lambda: self.clock.now.timestamp()

    def helpdesk(self) -> FreshdeskHelpdesk:
        """The adapter the pipeline uses (``registry.helpdesk()``), typed."""
        built = registry.helpdesk()
        assert isinstance(built, FreshdeskHelpdesk)
        return built

    # ---- the agent ------------------------------------------------------------------------

    def agent_webhook(self, ticket_id: int | str) -> int | None:
        """The automation rule's webhook, as ``/webhooks/freshdesk`` stores it (a fresh
        key each time: Freshdesk gives none, every webhook is a re-read)."""
        with db.session() as s:
            return ingest.store_helpdesk_event(s, "freshdesk", f"fd-{uuid.uuid4().hex}",
                                               str(ticket_id))

    def agent_replies(self, ticket_id: int, text: str) -> None:
        self.freshdesk.agent_reply(ticket_id, f"<p>{text}</p>")

    def close(self, ticket_id: int) -> None:
        self.freshdesk.set_status(ticket_id, "Resolved")
        self.freshdesk.set_status(ticket_id, "Closed")

    def create_fault(self, **fault: Any) -> None:
        self.freshdesk.add_fault(TICKETS_PATH, method="POST", **fault)

    def append_fault(self, ticket_id: int, **fault: Any) -> None:
        self.freshdesk.add_fault(rf"^/api/v2/tickets/{ticket_id}/notes$", method="POST",
                                 **fault)

    def append_calls(self, ticket_id: int) -> list[str]:
        return [view(ticket_id), notes(ticket_id)]  # open: no status change

    # ---- what Freshdesk holds ---------------------------------------------------------------

    def tickets(self) -> dict[int, dict[str, Any]]:
        with self.freshdesk.state.lock:
            return {tid: dict(t) for tid, t in self.freshdesk.state.tickets.items()}

    def conversations(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.freshdesk.state.lock:
            return [dict(c) for c in self.freshdesk.state.conversations.get(ticket_id, [])]

    def requesters(self) -> list[dict[str, Any]]:
        with self.freshdesk.state.lock:
            return [dict(c) for c in self.freshdesk.state.contacts.values()]

    def customer_texts(self, ticket_id: int) -> list[str]:
        """What the customer wrote, as the bridge reads it back: the description, then
        the incoming public notes by the requester, decoded with ``text_from_html``."""
        ticket = self.tickets()[ticket_id]
        notes = [c for c in self.conversations(ticket_id) if c["incoming"]
                 and not c["private"] and c["user_id"] == ticket["requester_id"]]
        return [text_from_html(ticket["description"]),
                *(text_from_html(str(n["body"])) for n in notes)]

    def private_notes(self, ticket_id: int) -> list[Note]:
        """The private notes (``source`` 2: a note), decoded."""
        return [Note(int(c["user_id"]), text_from_html(str(c["body"])))
                for c in self.conversations(ticket_id) if c["private"] and c["source"] == 2]

    def helpdesk_log(self) -> list[dict[str, Any]]:
        return self.freshdesk.requests_log()


def freshdesk_world(env: pytest.MonkeyPatch, url: str, freshdesk: FreshdeskEmulator,
                    graph: GraphEmulator) -> Iterator[FreshdeskWorld]:
    """Set up one test's world (for a fixture to ``yield from``) and tidy up after it."""
    yield from world_lifecycle(lambda fake: FreshdeskWorld(env, url, freshdesk, graph, fake),
                               freshdesk, graph)
