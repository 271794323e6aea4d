"""One test's bridge, whatever the platform and the helpdesk: its settings, the worker
under a fake clock, the bridge's rows, and the helpdesk as the tests read it.

A helpdesk side (``ZendeskSide``, ``FreshdeskWorld``) fills in the abstract part, so that
a scenario both helpdesks share is written once against this class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

import pytest
from sqlalchemy import select

from bridge import clock, db, pipeline
from bridge.models import Conversation, InboxMessage
from emulators.graph import GraphEmulator
from emulators.x import XEmulator
from tests.conftest import apply_env
from tests.fakes import FakeClock

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MAX_RUNS = 50  # a conversation that keeps asking to run again now is a bug, not a wait


class Note(NamedTuple):
    """A private note on a ticket: who wrote it, and its text."""

    author: int
    text: str


class BridgeWorld(ABC):
    """The worker, the bridge's rows and the helpdesk's request log. A subclass is a
    dataclass with these attributes, and says which helpdesk and platform it runs on."""

    env: pytest.MonkeyPatch
    database_url: str
    clock: FakeClock

    CREATE_REQUESTER: ClassVar[str]  # the calls that open a ticket, as ``calls`` shows them
    CREATE_TICKET: ClassVar[str]
    CREDENTIAL: ClassVar[str]  # the setting that holds the helpdesk's secret
    API_USER: ClassVar[int]  # the helpdesk user the bridge writes as

    # ---- configuration ------------------------------------------------------------------

    @abstractmethod
    def settings(self) -> dict[str, str]:
        """Every setting of this world."""

    def configure(self, **overrides: str) -> None:
        apply_env(self.env, **{**self.settings(), **overrides})

    # ---- the helpdesk ---------------------------------------------------------------------

    @abstractmethod
    def helpdesk_log(self) -> list[dict[str, Any]]:
        """The helpdesk emulator's request log."""

    @abstractmethod
    def agent_webhook(self, ticket_id: int | str) -> int | None:
        """The helpdesk's webhook about the ticket, as the bridge stores it."""

    @abstractmethod
    def agent_replies(self, ticket_id: int, text: str) -> None:
        """An agent answers the customer publicly."""

    @abstractmethod
    def close(self, ticket_id: int) -> None:
        """An agent solves the ticket, then it is closed for good."""

    @abstractmethod
    def create_fault(self, **fault: Any) -> None:
        """A fault on the next ticket creation (the emulator's keywords)."""

    @abstractmethod
    def append_fault(self, ticket_id: int, **fault: Any) -> None:
        """A fault on the next customer message added to the ticket."""

    @abstractmethod
    def append_calls(self, ticket_id: int) -> list[str]:
        """The calls that add one customer message to an open ticket."""

    @abstractmethod
    def tickets(self) -> dict[int, dict[str, Any]]:
        """Every ticket, by id."""

    @abstractmethod
    def requesters(self) -> list[dict[str, Any]]:
        """The customers the bridge made in the helpdesk."""

    @abstractmethod
    def customer_texts(self, ticket_id: int) -> list[str]:
        """What the customer wrote on the ticket, in order (on Zendesk: every public
        comment, agents' public replies included)."""

    @abstractmethod
    def private_notes(self, ticket_id: int) -> list[Note]:
        """The ticket's private notes, in order."""

    def note_texts(self, ticket_id: int) -> list[str]:
        """The private notes the bridge wrote."""
        return [n.text for n in self.private_notes(ticket_id) if n.author == self.API_USER]

    def mark(self) -> int:
        """A position in the helpdesk's request log (see ``calls``)."""
        return len(self.helpdesk_log())

    def calls(self, since: int = 0) -> list[str]:
        """Helpdesk API calls since ``mark``, as ``METHOD /path``."""
        return [f"{r['method']} {r['path']}" for r in self.helpdesk_log()[since:]]

    def log(self, since: int = 0) -> list[dict[str, Any]]:
        return self.helpdesk_log()[since:]

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

    def reply_round(self, conv_id: int, ticket_id: int) -> float | None:
        """The helpdesk's webhook about the ticket, then the worker."""
        assert self.agent_webhook(ticket_id) == conv_id
        return self.run(conv_id)

    def agent_says(self, conv_id: int, ticket_id: int, text: str) -> float | None:
        """An agent's public reply, the webhook about it, then the worker."""
        self.agent_replies(ticket_id, text)
        return self.reply_round(conv_id, ticket_id)

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


class _Resettable(Protocol):
    def reset(self) -> None: ...


W = TypeVar("W", bound=BridgeWorld)


def world_lifecycle(make: Callable[[FakeClock], W], helpdesk: _Resettable,
                    platform: GraphEmulator | XEmulator, start: datetime = T0) -> Iterator[W]:
    """Set up one test's world (``make`` it on a fake clock from ``start``, which the
    platform's emulator shares), for a fixture to ``yield from``, and tidy up after it."""
    helpdesk.reset()
    platform.state.reset()
    real_clock = platform.state.clock
    fake = FakeClock(start)
    platform.state.clock = fake
    clock.set_clock(fake)
    world = make(fake)
    world.configure()
    try:
        yield world
    finally:
        clock.set_clock(None)
        platform.state.clock = real_clock
        helpdesk.reset()
        platform.state.reset()
