"""What the Graph emulator remembers: sends, customer activity, profiles, files, faults,
and which recipients are Instagram users (their DMs follow Instagram's limits)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from emulators.common.faults import PathFault, PathFaultQueue, path_fault_fields
from emulators.graph.comments import INSTAGRAM_TEXT_BYTES, CommentBook
from emulators.graph.errors import JSON as JSON
from emulators.graph.errors import graph_error as graph_error

RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
MESSAGING_TYPES = ("RESPONSE", "UPDATE", "MESSAGE_TAG")
TAGS = ("HUMAN_AGENT", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE")
TEXT_LIMIT = 2000  # characters of message.text
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE = 20


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_fault_body(status: int) -> JSON:
    """What Graph says for a status when a fault gives no body of its own."""
    if status == 429:
        return graph_error("(#4) Application request limit reached", 4)
    if status >= 500:
        body = graph_error(
            "An unexpected error has occurred. Please retry your request later.", 2
        )
        body["error"]["is_transient"] = True
        return body
    return graph_error("An unknown error has occurred.", 1)


class Fault(PathFault):
    """The next ``count`` requests whose path matches ``path`` (a regex) misbehave.

    ``delay`` seconds pass first; then, with a ``status``, the answer is that status with
    ``body`` (default: a Graph error that fits the status) and ``Retry-After``.
    """


def fault_from_json(data: JSON) -> Fault:
    """``{"path": regex, "status", "count", "retry_after", "delay", "body"}``; path required."""
    return Fault(**path_fault_fields(data))


ATTACHMENT_TYPES = ("image", "video", "audio", "file", "template")


def _attachment_problem(attachment: object) -> str | None:
    """Send API ``message.attachment``: a known type and a payload naming the file by
    ``url`` (Meta fetches it) or by a saved ``attachment_id``."""
    if attachment is None:
        return None
    if not isinstance(attachment, dict) or attachment.get("type") not in ATTACHMENT_TYPES:
        return "Param message[attachment][type] must be one of {" + ", ".join(
            ATTACHMENT_TYPES) + "}"
    payload = attachment.get("payload")
    if attachment["type"] != "template" and not (
            isinstance(payload, dict)
            and ((isinstance(payload.get("url"), str) and payload["url"].startswith("http"))
                 or payload.get("attachment_id"))):
        return "Param message[attachment][payload][url] must be a valid URL"
    return None


def send_problem(body: JSON) -> str | None:
    """Meta's parameter complaint about a Send API body, or ``None`` when it is valid."""
    recipient, message = body.get("recipient"), body.get("message")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        return "The parameter recipient is required"
    if body.get("messaging_type") not in MESSAGING_TYPES:
        return "Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}"
    if body["messaging_type"] == "MESSAGE_TAG" and body.get("tag") not in TAGS:
        return "Param tag must be one of {" + ", ".join(TAGS) + "}"
    if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
        return "Must send either message or sender action"
    attachment_problem = _attachment_problem(message.get("attachment"))
    if attachment_problem:
        return attachment_problem
    text = message.get("text")
    if text is not None and not isinstance(text, str):
        return "Param message[text] must be a string"
    if text is not None and len(text) > TEXT_LIMIT:
        return f"Length of param message[text] must be less than or equal to {TEXT_LIMIT}"
    return _quick_replies_problem(message.get("quick_replies"))


def _quick_replies_problem(items: Any) -> str | None:
    """Meta's complaint about ``message.quick_replies`` (at most 13; text ones need a title
    of at most 20 characters and a payload)."""
    if items is None:
        return None
    if not isinstance(items, list) or not 0 < len(items) <= QUICK_REPLY_LIMIT:
        return f"param message[quick_replies] must be a list of 1 to {QUICK_REPLY_LIMIT} items"
    for item in items:
        if not isinstance(item, dict) or item.get("content_type") != "text":
            continue  # user_phone_number / user_email carry no title
        title, payload = item.get("title"), item.get("payload")
        if not isinstance(title, str) or not title or len(title) > QUICK_REPLY_TITLE:
            return f"param title must be a non-empty string of at most {QUICK_REPLY_TITLE} chars"
        if not isinstance(payload, str | int) or payload == "":
            return "param payload is required for a text quick reply"
    return None


@dataclass
class GraphState(PathFaultQueue[Fault]):
    """One page, its token, and everything the emulator saw or was told."""

    page_id: str
    access_token: str
    clock: Callable[[], datetime] = utc_now  # tests may pin the emulator's "now"
    sent: list[JSON] = field(default_factory=list)
    last_customer_message: dict[str, datetime] = field(default_factory=dict)
    profiles: dict[str, JSON] = field(default_factory=dict)
    strict_profiles: bool = False
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    instagram_users: set[str] = field(default_factory=set)  # IGSIDs among the recipients
    unreachable_urls: set[str] = field(default_factory=set)  # attachment URLs Meta cannot fetch
    # More pages (or Instagram accounts) and their tokens, beyond ``page_id``: each send is
    # recorded with the page its token belongs to and the token itself.
    pages: dict[str, str] = field(default_factory=dict)
    lookups: list[JSON] = field(default_factory=list)  # profile reads: psid, page, token
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    comments: CommentBook = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.comments = CommentBook(lambda: self.clock())  # follows a replaced clock

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.lookups.clear()
            self.last_customer_message.clear()
            self.profiles.clear()
            self.files.clear()
            self.faults.clear()
            self.instagram_users.clear()
            self.unreachable_urls.clear()
            self.strict_profiles = False
        self.comments.clear()

    def instagram_customer(self, igsid: str, at: datetime | None = None) -> None:
        """An Instagram user wrote to the account (``at``): DMs to them are Instagram's."""
        with self.lock:
            self.instagram_users.add(igsid)
            if at is not None:
                self.last_customer_message[igsid] = at

    def page_of(self, token: str) -> str | None:
        """The page (or Instagram account) a token belongs to; None for an unknown token."""
        if token == self.access_token:
            return self.page_id
        return next((page for page, known in self.pages.items() if known == token), None)

    def record(self, surface: str, token: str | None = None, **values: Any) -> JSON:
        """Remember one accepted send (``surface``: messenger, instagram, facebook_comment,
        instagram_comment, private_reply) with a new ``message_id`` unless given, and the
        ``access_token`` it was sent with and that token's ``page_id``."""
        token = self.access_token if token is None else token
        record: JSON = {"surface": surface, "page_id": self.page_of(token) or self.page_id,
                        "access_token": token,
                        "message_id": "m_" + secrets.token_urlsafe(24), **values,
                        "at": self.clock()}
        with self.lock:
            self.sent.append(record)
        return record

    def outside_window(self, psid: str, messaging_type: str, tag: str | None) -> bool:
        """Whether Messenger would refuse this send; unknown customers are always allowed."""
        last = self.last_customer_message.get(psid)
        if last is None:
            return False
        age = self.clock() - last
        if messaging_type == "MESSAGE_TAG":
            return tag == "HUMAN_AGENT" and age > HUMAN_AGENT_WINDOW
        return age > RESPONSE_WINDOW

    def record_send(self, psid: str, body: JSON, token: str | None = None) -> JSON:
        message = body.get("message") or {}
        surface = "instagram" if psid in self.instagram_users else "messenger"
        return self.record(
            surface,
            token,
            recipient=psid,
            messaging_type=body.get("messaging_type"),
            tag=body.get("tag"),
            text=message.get("text"),
            metadata=message.get("metadata"),
            quick_replies=message.get("quick_replies"),
            attachment=message.get("attachment"),
        )

    def dm_problem(self, psid: str, body: JSON) -> str | None:
        """Instagram's own limit on top of Messenger's: text of at most 1000 UTF-8 bytes;
        and an attachment whose URL Meta could not fetch."""
        attachment = (body.get("message") or {}).get("attachment") or {}
        if (attachment.get("payload") or {}).get("url") in self.unreachable_urls:
            return "Failed to fetch the file from the url"
        text = (body.get("message") or {}).get("text")
        if psid in self.instagram_users and isinstance(text, str) and len(
                text.encode("utf-8")) > INSTAGRAM_TEXT_BYTES:
            return f"Message text must be {INSTAGRAM_TEXT_BYTES} bytes or less"
        return None

    def profile(self, psid: str) -> JSON | None:
        """The stored profile, or one made from the PSID unless profiles are strict."""
        if psid in self.profiles:
            return {"id": psid, **self.profiles[psid]}
        if self.strict_profiles:
            return None
        return {"id": psid, "first_name": "User", "last_name": psid, "name": f"User {psid}"}

    def set_profile(self, psid: str, first_name: str, last_name: str, **more: Any) -> None:
        """A Messenger profile; ``more`` adds fields (Instagram: ``username``,
        ``follower_count``, ``is_verified_user``, or ``name`` on its own)."""
        name = " ".join(part for part in (first_name, last_name) if part)
        self.profiles[psid] = {"first_name": first_name, "last_name": last_name, "name": name,
                               **more}
