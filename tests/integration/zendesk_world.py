"""The Zendesk side of a world (the emulator, the agent, what Zendesk holds), and the world
of a Messenger customer on Zendesk."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bridge import db, ingest
from emulators.graph import GraphEmulator
from emulators.zendesk import ZendeskEmulator
from tests.fakes import FakeClock
from tests.integration.meta_world import MetaWorld
from tests.integration.world import BridgeWorld, Note, world_lifecycle

ZD_EMAIL = "bridge@example.com"
ZD_TOKEN = "zd-token"
AGENT = 2  # the emulator seeds the API user (1) and this agent
TICKETS_PATH = r"^/api/v2/tickets\.json$"


def put(ticket_id: int) -> str:
    return f"PUT /api/v2/tickets/{ticket_id}.json"


class ZendeskSide(BridgeWorld):
    """A world on Zendesk, whichever platform the customer is on."""

    zendesk: ZendeskEmulator

    CREATE_REQUESTER = "POST /api/v2/users/create_or_update.json"
    CREATE_TICKET = "POST /api/v2/tickets.json"
    CREDENTIAL = "ZENDESK_API_TOKEN"
    API_USER = 1

    def zendesk_settings(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "BRIDGE_HELPDESK": "zendesk",
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_BASE_URL": self.zendesk.base_url,
            "ZENDESK_EMAIL": ZD_EMAIL,
            "ZENDESK_API_TOKEN": ZD_TOKEN,
        }

    # ---- the agent ------------------------------------------------------------------------

    def agent_webhook(self, ticket_id: int | str, key: str | None = None) -> int | None:
        """Zendesk's webhook: "look at ticket N", as ``/webhooks/zendesk`` stores it."""
        with db.session() as s:
            return ingest.store_helpdesk_event(s, "zendesk", key or f"evt-{uuid.uuid4().hex}",
                                               str(ticket_id))

    def agent_replies(self, ticket_id: int, text: str) -> None:
        self.zendesk.agent_comment(ticket_id, text)

    def close(self, ticket_id: int) -> None:
        self.zendesk.set_status(ticket_id, "solved")
        self.zendesk.set_status(ticket_id, "closed")

    def create_fault(self, **fault: Any) -> None:
        self.zendesk.add_fault(TICKETS_PATH, method="POST", **fault)

    def append_fault(self, ticket_id: int, **fault: Any) -> None:
        self.zendesk.add_fault(rf"^/api/v2/tickets/{ticket_id}\.json$", method="PUT", **fault)

    def append_calls(self, ticket_id: int) -> list[str]:
        return [put(ticket_id)]

    # ---- what Zendesk holds -----------------------------------------------------------------

    def tickets(self) -> dict[int, dict[str, Any]]:
        with self.zendesk.state.lock:
            return {tid: dict(t) for tid, t in self.zendesk.state.tickets.items()}

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.zendesk.state.lock:
            return [dict(c) for c in self.zendesk.state.comments.get(ticket_id, [])]

    def public_bodies(self, ticket_id: int) -> list[str]:
        return [str(c["body"]) for c in self.comments(ticket_id) if c["public"]]

    def customer_texts(self, ticket_id: int) -> list[str]:
        """Every public comment: the customer's, and an agent's public reply if there is
        one (a public comment the bridge wrote by mistake would show here)."""
        return self.public_bodies(ticket_id)

    def private_notes(self, ticket_id: int) -> list[Note]:
        return [Note(int(c["author_id"]), str(c["body"])) for c in self.comments(ticket_id)
                if not c["public"]]

    def user(self, user_id: int) -> dict[str, Any]:
        with self.zendesk.state.lock:
            return dict(self.zendesk.state.users[user_id])

    def requesters(self) -> list[dict[str, Any]]:
        with self.zendesk.state.lock:
            return [dict(u) for u in self.zendesk.state.users.values()
                    if u["role"] == "end-user"]

    def helpdesk_log(self) -> list[dict[str, Any]]:
        return self.zendesk.requests_log()


@dataclass
class World(ZendeskSide, MetaWorld):
    """One test's bridge: settings, emulators, fake clock, and helpers that act like Meta."""

    env: pytest.MonkeyPatch
    database_url: str
    zendesk: ZendeskEmulator
    graph: GraphEmulator
    clock: FakeClock
    _mids: Iterator[int] = field(default_factory=itertools.count)

    def settings(self) -> dict[str, str]:
        return {**self.zendesk_settings(), **self.meta_settings()}


def zendesk_world(env: pytest.MonkeyPatch, url: str, zendesk: ZendeskEmulator,
                  graph: GraphEmulator) -> Iterator[World]:
    """Set up one test's world (for a fixture to ``yield from``) and tidy up after it."""
    yield from world_lifecycle(lambda fake: World(env, url, zendesk, graph, fake),
                               zendesk, graph)
