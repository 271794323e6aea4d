"""In-memory implementations of the Helpdesk and SocialChannel protocols for pipeline tests."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bridge.domain import (
    AgentReply,
    InboundMessage,
    NewComment,
    NewTicket,
    OutboundMessage,
    ParsedWebhook,
    Requester,
    Sender,
    SendResult,
    TicketActions,
    TicketRef,
    TicketView,
)
from bridge.errors import PermanentError, TicketClosed, TransientError, WindowClosed
from bridge.fields.model import TicketField


@dataclass
class FakeTicket:
    id: str
    requester_id: str
    subject: str
    tags: tuple[str, ...]
    marker: str
    status: str = "new"
    followup_of: str | None = None
    priority: str | None = None
    group_id: str | None = None
    fields: dict[str, object] = field(default_factory=dict)
    # (id, author, body, public)
    comments: list[tuple[str, str, str, bool]] = field(default_factory=list)
    custom_fields: dict[str, object] = field(default_factory=dict)
    status_set_by_api: list[str] = field(default_factory=list)


class FakeClock:
    """A controllable ``bridge.clock`` (install with ``clock.set_clock``)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class FakeHelpdesk:
    name = "fake"

    def __init__(self) -> None:
        self.users: dict[str, str] = {}
        self.tickets: dict[str, FakeTicket] = {}
        self.calls: list[str] = []
        self.failures: list[Exception] = []  # raised by the next calls, in order
        self.agent_replies: dict[str, list[AgentReply]] = {}
        self.custom_fields: tuple[TicketField, ...] = ()  # what ``ticket_fields`` answers
        self._ids = itertools.count(100)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.failures:
            raise self.failures.pop(0)

    def ensure_requester(self, requester: Requester) -> str:
        self._call("ensure_requester")
        return self.users.setdefault(requester.external_id, f"u{len(self.users) + 1}")

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        self._call("create_ticket")
        tid = str(next(self._ids))
        t = FakeTicket(tid, ticket.requester_id, ticket.subject, ticket.tags, ticket.marker,
                       followup_of=ticket.followup_of)
        cid = str(next(self._ids))
        t.comments.append((cid, ticket.comment.author_id, ticket.comment.body, True))
        self.tickets[tid] = t
        return TicketRef(tid, cid)

    def find_ticket(self, marker: str) -> TicketRef | None:
        self._call("find_ticket")
        for t in self.tickets.values():
            if t.marker == marker:
                return TicketRef(t.id, t.comments[0][0])
        return None

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        self._call("add_customer_comment")
        t = self.tickets[ticket_id]
        if t.status == "closed":
            raise TicketClosed("closed prevents ticket update")
        cid = str(next(self._ids))
        t.comments.append((cid, comment.author_id, comment.body, True))
        t.status = "open"
        return TicketRef(ticket_id, cid)

    def find_customer_comment(self, ticket_id: str, comment: NewComment,
                              after_comment_id: str | None) -> TicketRef | None:
        self._call("find_customer_comment")
        for cid, author, body, _ in self.tickets[ticket_id].comments:
            if after_comment_id and int(cid) <= int(after_comment_id):
                continue
            if author == comment.author_id and body == comment.body:
                return TicketRef(ticket_id, cid)
        return None

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        self._call("add_internal_note")
        self.tickets[ticket_id].comments.append((str(next(self._ids)), "api", body, False))

    def apply_actions(self, ticket_id: str, actions: TicketActions) -> None:
        self._call("apply_actions")
        t = self.tickets[ticket_id]
        t.tags = tuple(tag for tag in dict.fromkeys((*t.tags, *actions.add_tags))
                       if tag not in actions.remove_tags)
        t.custom_fields.update(actions.custom_fields)
        t.priority = actions.priority or t.priority
        t.group_id = actions.group_id or t.group_id
        t.fields.update(dict(actions.custom_fields))
        if actions.note:
            t.comments.append((str(next(self._ids)), "api", actions.note, False))

    def set_status(self, ticket_id: str, status: str) -> None:
        self._call("set_status")
        t = self.tickets[ticket_id]
        if t.status == "closed":
            raise TicketClosed("closed prevents ticket update")
        t.status = status
        t.status_set_by_api.append(status)

    def read_ticket(self, ticket_id: str) -> TicketView:
        self._call("read_ticket")
        t = self.tickets[ticket_id]
        return TicketView(ticket_id, t.status, tuple(self.agent_replies.get(ticket_id, [])),
                          priority=t.priority, tags=t.tags)

    def ticket_fields(self) -> tuple[TicketField, ...]:
        self._call("ticket_fields")
        return self.custom_fields

    def reply(self, ticket_id: str, body: str, at: datetime,
              attachments: tuple[str, ...] = ()) -> None:
        """An agent writes a public comment (with attachment URLs)."""
        cid = str(next(self._ids))
        self.tickets[ticket_id].comments.append((cid, "agent", body, True))
        self.agent_replies.setdefault(ticket_id, []).append(
            AgentReply(cid, body, "Agent", at + timedelta(seconds=1), attachments))

    def public_bodies(self, ticket_id: str) -> list[str]:
        return [c[2] for c in self.tickets[ticket_id].comments if c[3] and c[1] != "agent"]

    def notes(self, ticket_id: str) -> list[str]:
        """Internal notes, oldest first."""
        return [c[2] for c in self.tickets[ticket_id].comments if not c[3]]


class FakeChannel:
    kind = "messenger"

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.failures: list[Exception] = []
        self.window = timedelta(hours=24)

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        return ParsedWebhook()

    def profile(self, message: InboundMessage) -> Sender:
        return Sender(message.sender.external_id, display_name="Ada Lovelace")

    def send(self, message: OutboundMessage, last_customer_at: datetime | None,
             now: datetime) -> SendResult:
        if self.failures:
            raise self.failures.pop(0)
        if last_customer_at is None or now - last_customer_at > self.window:
            raise WindowClosed("the customer last wrote too long ago")
        self.sent.append(message)
        return SendResult((f"m{len(self.sent)}",))


__all__ = ["FakeChannel", "FakeClock", "FakeHelpdesk", "PermanentError", "TransientError"]
