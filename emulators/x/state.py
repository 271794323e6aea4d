"""What the X emulator remembers: the account and its keys, posts and DMs sent, posts
known to be deleted, customers who refuse DMs, and injected faults."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulators.common.faults import PathFault, PathFaultQueue, path_fault_fields
from emulators.x.spec import DEFAULT_SPEC, load_spec

JSON = dict[str, Any]

POST_LIMIT = 280  # weighted characters (twitter-text)
DM_LIMIT = 10_000
WINDOW = timedelta(minutes=15)
FIRST_ID = 1_900_000_000_000_000_000  # 19 digits, like today's snowflakes
_TITLES = {400: "Invalid Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


def utc_now() -> datetime:
    return datetime.now(UTC)


def problem(status: int, detail: str | None = None, kind: str = "about:blank") -> JSON:
    """A problem body as the v2 API writes it."""
    title = _TITLES.get(status, "Error")
    return {"title": title, "detail": detail or title, "type": kind, "status": status}


def invalid_request(message: str) -> JSON:
    """400 ``invalid-request``, with the parameter complaint in ``errors``."""
    return {"errors": [{"message": message}], "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"}


@dataclass
class Fault(PathFault):
    """A ``PathFault``; a 429 with ``daily`` is the 24-hour posting cap
    (``x-user-limit-24hour-remaining: 0``) rather than the 15-minute window."""

    daily: bool = False


def fault_from_json(data: JSON) -> Fault:
    """``{"path": regex, "status", "count", "retry_after", "delay", "body", "daily",
    "skip"}``."""
    return Fault(**path_fault_fields(data), daily=bool(data.get("daily")))


@dataclass
class XState(PathFaultQueue[Fault]):
    """One account, the app's and the account's keys, and everything the emulator saw."""

    consumer_key: str = "consumer-key"
    consumer_secret: str = "consumer-secret"
    access_token: str = "2975699229-access-token"
    access_token_secret: str = "access-token-secret"
    account_id: str = "2975699229"
    spec_path: Path | None = DEFAULT_SPEC  # None: no schema validation
    clock: Callable[[], datetime] = utc_now
    sent: list[JSON] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)
    dm_refusing: set[str] = field(default_factory=set)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # DM media by path
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(FIRST_ID), repr=False)
    # More accounts of the same app: access token -> (access token secret, account id).
    # Each post and DM records the ``access_token`` it was signed with and its account.
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def keys_of(self, token: str) -> tuple[str, str, str]:
        """(access token, secret, account id) of the account a request's ``oauth_token``
        names; the first account's for a token we do not know (its check then fails)."""
        if token in self.accounts:
            secret, account = self.accounts[token]
            return token, secret, account
        return self.access_token, self.access_token_secret, self.account_id

    @property
    def validating(self) -> bool:
        return self.spec_path is not None and load_spec(self.spec_path) is not None

    def reset(self) -> None:
        """Forget what happened; the keys and the account stay."""
        with self.lock:
            self.sent.clear()
            self.deleted.clear()
            self.dm_refusing.clear()
            self.media.clear()
            self.faults.clear()

    def posts(self) -> list[JSON]:
        with self.lock:
            return [dict(r) for r in self.sent if r["kind"] == "post"]

    def dms(self) -> list[JSON]:
        with self.lock:
            return [dict(r) for r in self.sent if r["kind"] == "dm"]

    def is_duplicate(self, text: str) -> bool:
        """X refuses a post whose text equals one of the account's recent posts."""
        with self.lock:
            return any(r["kind"] == "post" and r["text"] == text for r in self.sent)

    def record_post(self, body: JSON, token: str | None = None) -> JSON:
        reply = body.get("reply") or {}
        token, _, account = self.keys_of(token or self.access_token)
        with self.lock:
            record = {"kind": "post", "id": str(next(self._ids)), "text": body.get("text", ""),
                      "in_reply_to": reply.get("in_reply_to_tweet_id"), "body": body,
                      "at": self.clock(), "access_token": token, "account_id": account}
            self.sent.append(record)
        return record

    def record_dm(self, participant_id: str, body: JSON, token: str | None = None) -> JSON:
        token, _, account = self.keys_of(token or self.access_token)
        ends = sorted((int(account), int(participant_id)))
        with self.lock:
            record = {"kind": "dm", "id": str(next(self._ids)), "text": body.get("text"),
                      "participant_id": participant_id, "body": body, "at": self.clock(),
                      "access_token": token, "account_id": account,
                      "dm_conversation_id": f"{ends[0]}-{ends[1]}"}
            self.sent.append(record)
        return record

    def limit_headers(self, fault: Fault) -> dict[str, str]:
        """The rate-limit headers of a 429: the window's, and the 24-hour cap's if daily."""
        wait = fault.retry_after if fault.retry_after is not None else WINDOW.total_seconds()
        reset = str(int(self.clock().timestamp() + wait))
        window_reset = str(int(self.clock().timestamp() + min(wait, WINDOW.total_seconds())))
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                   "x-rate-limit-reset": reset}
        if fault.daily:
            headers.update({"x-rate-limit-remaining": "99", "x-rate-limit-reset": window_reset,
                            "x-user-limit-24hour-limit": "100",
                            "x-user-limit-24hour-remaining": "0",
                            "x-user-limit-24hour-reset": reset})
        return headers
