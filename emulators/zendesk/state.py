"""In-memory store of the Zendesk emulator; every access goes through ``state.lock``."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from emulators.common.faults import RequestFault, RequestFaultQueue

JSON = dict[str, Any]

ACCOUNT_ID = 22129848
BRAND_ID = 360000000001
TICKET_FORM_ID = 360000000002
CUSTOM_STATUS_IDS = {
    "new": 360000000011,
    "open": 360000000012,
    "pending": 360000000013,
    "hold": 360000000014,
    "solved": 360000000015,
    "closed": 360000000015,
}


def now_iso() -> str:
    """UTC time in Zendesk's second-resolution format, e.g. ``2024-01-01T12:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Fault(RequestFault):
    """An injected failure or delay for the next ``count`` requests matching it."""


@dataclass
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int


def new_user(
    uid: int, name: str, email: str | None, role: str = "end-user", external_id: str | None = None
) -> JSON:
    """A user in the shape of GET /api/v2/users/{id} (``url`` is made absolute on output)."""
    ts = now_iso()
    staff = role != "end-user"
    return {
        "id": uid,
        "url": f"/api/v2/users/{uid}.json",
        "name": name,
        "email": email,
        "created_at": ts,
        "updated_at": ts,
        "time_zone": "America/New_York",
        "iana_time_zone": "America/New_York",
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": None,
        "role": role,
        "verified": staff,
        "external_id": external_id,
        "tags": [],
        "alias": None,
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": ts if staff else None,
        "two_factor_auth_enabled": None if staff else False,
        "signature": None,
        "details": None,
        "notes": None,
        "role_type": 4 if role == "admin" else None,
        "custom_role_id": None,
        "moderator": role == "admin",
        "ticket_restriction": None if staff else "requested",
        "only_private_comments": False,
        "restricted_agent": not staff,
        "suspended": False,
        "default_group_id": None,
        "report_csv": role == "admin",
        "user_fields": {},
    }


class EmulatorState(RequestFaultQueue[Fault]):
    """Users, tickets, comments, uploads, webhooks, triggers, faults and the request log."""

    API_USER_ID = 1
    AGENT_ID = 2

    def __init__(self, email: str = "agent@example.com", token: str = "secret") -> None:
        self.email = email
        self.token = token
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        from .fields import seed_ticket_fields  # fields.py builds on this module

        with self.lock:
            self.users: dict[int, JSON] = {}
            self.tickets: dict[int, JSON] = {}
            self.comments: dict[int, list[JSON]] = {}  # ticket id -> comments, oldest first
            self.uploads: dict[str, list[JSON]] = {}  # upload token -> attachments
            self.attachments: dict[int, JSON] = {}
            self.blobs: dict[str, tuple[bytes, str, str]] = {}  # content token -> data
            self.webhooks: dict[str, JSON] = {}
            self.webhook_secrets: dict[str, str] = {}
            self.triggers: dict[int, JSON] = {}
            self.requests: list[JSON] = []
            self.faults: list[Fault] = []
            # The account's groups; None: any group id is taken (most tests name groups
            # they never create). Once set, a ticket naming another group is refused.
            self.groups: dict[int, str] | None = None
            # False: a drop-down value that is no option's is dropped silently, as Zendesk
            # does; True: refused with a 422 naming the field (``fields.py``).
            self.refuse_unknown_options = False
            self.webhook_deliveries: list[JSON] = []
            self.rate_limit_per_minute: int | None = None
            self._rate_window: deque[float] = deque()
            self._user_ids = itertools.count(3)
            self._ticket_ids = itertools.count(1)
            self._trigger_ids = itertools.count(360000100001)
            self._ids = itertools.count(10000000001)
            self.ticket_fields: dict[int, JSON] = seed_ticket_fields()
            self._field_ids = itertools.count(360000000101)
            self.users[1] = new_user(1, "API Admin", self.email, "admin")
            self.users[2] = new_user(2, "Agent Smith", "agent.smith@example.com", "agent")

    # ids ---------------------------------------------------------------
    def next_id(self) -> int:
        """Ids of comments, audits, events and attachments (large, like Zendesk's)."""
        return next(self._ids)

    def next_user_id(self) -> int:
        return next(self._user_ids)

    def next_ticket_id(self) -> int:
        return next(self._ticket_ids)

    def next_trigger_id(self) -> int:
        return next(self._trigger_ids)

    def next_field_id(self) -> int:
        return next(self._field_ids)

    # users ---------------------------------------------------------------
    def find_user(self, external_id: str | None = None, email: str | None = None) -> JSON | None:
        for user in self.users.values():
            ext = user.get("external_id")
            if external_id is not None and ext is not None and ext.lower() == external_id.lower():
                return user
        for user in self.users.values():
            mail = user.get("email")
            if email is not None and mail is not None and mail.lower() == email.lower():
                return user
        return None

    def is_staff(self, user_id: int | None) -> bool:
        user = self.users.get(user_id) if user_id is not None else None
        return user is not None and user.get("role") in ("agent", "admin")

    # faults and rate limit --------------------------------------------------
    def take_rate_token(self) -> RateDecision:
        """Sliding one-minute window; with no limit set it reports 700 and never refuses."""
        with self.lock:
            now = time.monotonic()
            while self._rate_window and now - self._rate_window[0] >= 60:
                self._rate_window.popleft()
            limit = self.rate_limit_per_minute
            shown = limit if limit is not None else 700
            reset = int(60 - (now - self._rate_window[0])) + 1 if self._rate_window else 60
            if limit is not None and len(self._rate_window) >= limit:
                return RateDecision(False, shown, 0, max(reset, 1))
            self._rate_window.append(now)
            return RateDecision(True, shown, max(shown - len(self._rate_window), 0), reset)
