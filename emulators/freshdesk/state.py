"""In-memory store of the Freshdesk emulator; every access goes through ``state.lock``."""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from emulators.common.faults import RequestFault, RequestFaultQueue

from .fields import GROUPS, seed_ticket_fields
from .text import html_to_text

JSON = dict[str, Any]

API_AGENT_ID = 43000000001
AGENT_ID = 43000000002
STATUSES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed", 6: "Waiting on Customer",
            7: "Waiting on Third Party"}
PRIORITIES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
SOURCES = {1: "Email", 2: "Portal", 3: "Phone", 7: "Chat", 9: "Feedback Widget",
           10: "Outbound Email"}
DEFAULT_LIMIT = 700  # what the headers say when no limit is set (never enforced)


def now_iso() -> str:
    """UTC time in Freshdesk's second-resolution format, e.g. ``2024-01-01T12:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Fault(RequestFault):
    """An injected failure or delay for the next ``count`` requests matching it.

    ``status`` 200 with a ``body`` answers that body instead of the real one (e.g. an
    empty search result).

    ``delay_after_commit``: the request is processed and its write committed (and
    logged) as usual, then the real response waits ``delay`` seconds: a client that
    times out, or dies, meanwhile never learns that the write happened. ``status`` and
    ``body`` are ignored then (as in the Zendesk emulator).
    """


@dataclass
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    cost: int = 1


@dataclass
class Automation:
    """One "ticket is updated" rule whose action triggers a webhook."""

    url: str
    secret: str = ""
    body: str = '{"ticket_id": "{{ticket.id}}"}'
    performer: str = "agent"  # "agent": fires for agents' changes only; "any": for all
    header: str = "X-Bridge-Secret"
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> JSON:
        return asdict(self)


def new_agent(uid: int, name: str, email: str) -> JSON:
    """An agent in the shape of GET /api/v2/agents/{id}."""
    ts = now_iso()
    return {
        "available": True, "occasional": False, "id": uid, "ticket_scope": 1,
        "signature": None, "group_ids": [], "role_ids": [43000000201], "skill_ids": [],
        "available_since": None, "type": "support_agent", "focus_mode": True,
        "contact": {
            "active": True, "email": email, "job_title": None, "language": "en",
            "last_login_at": ts, "mobile": None, "name": name, "phone": None,
            "time_zone": "Eastern Time (US & Canada)", "created_at": ts, "updated_at": ts,
        },
        "created_at": ts, "updated_at": ts,
    }


def new_contact(cid: int, data: JSON) -> JSON:
    """A contact in the shape of GET /api/v2/contacts/{id}."""
    ts = now_iso()
    return {
        "active": False, "address": data.get("address"), "company_id": data.get("company_id"),
        "description": data.get("description"), "email": data.get("email"), "id": cid,
        "job_title": data.get("job_title"), "language": data.get("language", "en"),
        "mobile": data.get("mobile"), "name": data["name"], "phone": data.get("phone"),
        "time_zone": data.get("time_zone", "Eastern Time (US & Canada)"),
        "twitter_id": data.get("twitter_id"), "facebook_id": data.get("facebook_id"),
        "unique_external_id": data.get("unique_external_id"),
        "other_emails": data.get("other_emails", []), "tags": data.get("tags", []),
        "custom_fields": data.get("custom_fields", {}), "other_companies": [],
        "view_all_tickets": False, "deleted": False, "created_at": ts, "updated_at": ts,
    }


class EmulatorState(RequestFaultQueue[Fault]):
    """Agents, contacts, tickets, conversations, fields, faults and the request log."""

    API_AGENT_ID = API_AGENT_ID
    AGENT_ID = AGENT_ID

    def __init__(self, api_key: str = "secret") -> None:
        self.api_key = api_key
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.agents: dict[int, JSON] = {
                API_AGENT_ID: new_agent(API_AGENT_ID, "Bridge API", "bridge@example.com"),
                AGENT_ID: new_agent(AGENT_ID, "Agent Smith", "agent.smith@example.com"),
            }
            self.contacts: dict[int, JSON] = {}
            self.tickets: dict[int, JSON] = {}
            self.conversations: dict[int, list[JSON]] = {}  # ticket id -> oldest first
            self.indexed_at: dict[int, float] = {}  # ticket id -> monotonic creation time
            self.blobs: dict[int, tuple[bytes, str, str]] = {}  # attachment id -> data
            self.ticket_fields: list[JSON] = seed_ticket_fields(self.agents)
            self.groups: dict[int, str] = dict(GROUPS)
            self.requests: list[JSON] = []
            self.faults: list[Fault] = []
            self.webhook_deliveries: list[JSON] = []
            self.automation: Automation | None = None
            self.rate_limit_per_minute: int | None = None
            self.search_lag: float = 0.0
            self._window_start: float | None = None
            self._window_used = 0
            self._contact_ids = itertools.count(43000001001)
            self._ticket_ids = itertools.count(1)
            self._ids = itertools.count(43000100001)

    # ids ----------------------------------------------------------------------------------
    def next_id(self) -> int:
        """Ids of conversations and attachments (global and increasing, like Freshdesk's)."""
        return next(self._ids)

    def next_contact_id(self) -> int:
        return next(self._contact_ids)

    def next_ticket_id(self) -> int:
        return next(self._ticket_ids)

    # people -------------------------------------------------------------------------------
    def is_agent(self, user_id: int | None) -> bool:
        return user_id in self.agents

    def user_name(self, user_id: int | None) -> tuple[str, str | None]:
        if user_id in self.agents:
            contact = self.agents[user_id]["contact"]
            return str(contact["name"]), contact["email"]
        person = self.contacts.get(user_id or 0, {})
        return str(person.get("name") or "Unknown"), person.get("email")

    def contact_by_external_id(self, external_id: str) -> JSON | None:
        for contact in self.contacts.values():
            ext = contact.get("unique_external_id")
            if ext is not None and ext.lower() == external_id.lower():
                return contact
        return None

    # tickets ------------------------------------------------------------------------------
    def conversation(self, ticket_id: int, body: str, user_id: int, *, source: int,
                     private: bool, incoming: bool, attachments: list[JSON] | None = None,
                     to_emails: list[str] | None = None) -> JSON:
        """Store a note (source 2) or reply (source 0) and touch the ticket."""
        ts = now_iso()
        name, email = self.user_name(user_id)
        item: JSON = {
            "body": body, "body_text": html_to_text(body), "id": self.next_id(),
            "incoming": incoming, "private": private, "user_id": user_id,
            "support_email": "support@emulated.freshdesk.com" if source == 0 else None,
            "source": source, "category": 2 if source == 2 else 3, "ticket_id": ticket_id,
            "to_emails": to_emails or [],
            "from_email": f"{name} <{email}>" if source == 0 and email else None,
            "cc_emails": [], "bcc_emails": None, "created_at": ts, "updated_at": ts,
            "attachments": attachments or [],
        }
        self.conversations.setdefault(ticket_id, []).append(item)
        self.tickets[ticket_id]["updated_at"] = ts
        return item

    def visible_in_search(self, ticket_id: int) -> bool:
        return time.monotonic() - self.indexed_at.get(ticket_id, 0.0) >= self.search_lag

    # faults and rate limit -------------------------------------------------------------------
    def take_rate_token(self, cost: int = 1) -> RateDecision:
        """Fixed one-minute windows starting at the first call after the previous one ended.

        With no limit set, the headers still count down from 700 but nothing is refused.
        """
        with self.lock:
            now = time.monotonic()
            if self._window_start is None or now - self._window_start >= 60:
                self._window_start, self._window_used = now, 0
            limit = self.rate_limit_per_minute
            shown = limit if limit is not None else DEFAULT_LIMIT
            retry_after = max(1, math.ceil(60 - (now - self._window_start)))
            if limit is not None and self._window_used + cost > limit:
                return RateDecision(False, shown, max(shown - self._window_used, 0),
                                    retry_after, cost)
            self._window_used += cost
            return RateDecision(True, shown, max(shown - self._window_used, 0), retry_after,
                                cost)

    def reset_rate_window(self) -> None:
        """Start a fresh minute now (tests: no waiting for the real minute to pass)."""
        with self.lock:
            self._window_start, self._window_used = None, 0
