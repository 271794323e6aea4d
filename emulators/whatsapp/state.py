"""What the WhatsApp emulator remembers: sends, customer activity, templates, media,
faults, and the status webhooks it would have sent."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from emulators.common.faults import PathFaultQueue
from emulators.graph.state import Fault
from emulators.whatsapp.interactive import interactive_problem
from emulators.whatsapp.media import MEDIA_TYPES, media_problem
from emulators.whatsapp.schema import SCHEMAS, SEND_TYPES, message_problems, relaxed

JSON = dict[str, Any]

SERVICE_WINDOW = timedelta(hours=24)
MEDIA_URL_LIFETIME = timedelta(minutes=5)
TEXT_LIMIT = 4096
WINDOW_DETAILS = ("Message failed to send because more than 24 hours have passed since the "
                  "customer last replied to this number.")


def utc_now() -> datetime:
    return datetime.now(UTC)


def wa_error(message: str, code: int, details: str | None = None,
             subcode: int | None = None, transient: bool | None = None) -> JSON:
    """An error body as the Cloud API writes it (Graph shape plus ``error_data``)."""
    error: JSON = {"message": message, "type": "OAuthException", "code": code}
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error["fbtrace_id"] = secrets.token_urlsafe(9)
    return {"error": error}


def default_fault_body(status: int) -> JSON:
    """What the Cloud API says for a status when a fault gives no body of its own."""
    if status == 429:
        return wa_error("(#130429) Rate limit hit", 130429,
                        "Cloud API message throughput has been reached.")
    if status >= 500:
        return wa_error("(#2) Service temporarily unavailable", 2, transient=True)
    return wa_error("(#1) An unknown error occurred", 1)


def send_problem(body: Any, schemas: dict[str, JSON]) -> str | None:
    """Meta's parameter complaint about a send body, or ``None`` when it is valid:
    the spec's schema first, then the documented limits the schema does not carry."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if body.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required and must be 'whatsapp'."
    if body.get("type") not in SEND_TYPES:
        return f"Param type must be one of {{{', '.join(SEND_TYPES)}}}."
    found = message_problems(body, schemas)
    if found:
        return "; ".join(found)
    if body["type"] in MEDIA_TYPES:
        return media_problem(body["type"], body[body["type"]])
    if body["type"] == "text":
        text = body["text"].get("body")
        if not isinstance(text, str) or not text:
            return "The parameter text['body'] is required."
        if len(text) > TEXT_LIMIT:
            return f"Param text['body'] must be at most {TEXT_LIMIT} characters long."
    if body["type"] == "interactive":
        return interactive_problem(body["interactive"])
    return None


@dataclass
class MediaFile:
    mime_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class WhatsAppState(PathFaultQueue[Fault]):
    """One phone number, its token, and everything the emulator saw or was told.

    ``window_mode``: ``"sync"`` refuses free text outside the window at once (400,
    131047); ``"async"`` accepts it, as the live API mostly does, and records the
    ``failed`` status webhook (131047) in ``webhooks``. A recipient who never wrote has
    no open window.
    """

    phone_number_id: str
    access_token: str
    display_phone_number: str = "15550001111"
    clock: Callable[[], datetime] = utc_now  # tests may pin the emulator's "now"
    window_mode: Literal["sync", "async"] = "sync"
    schemas: dict[str, JSON] = field(default_factory=lambda: relaxed(SCHEMAS))
    templates: set[tuple[str, str]] = field(default_factory=lambda: {("hello_world", "en_US")})
    sent: list[JSON] = field(default_factory=list)
    webhooks: list[JSON] = field(default_factory=list)
    last_customer_message: dict[str, datetime] = field(default_factory=dict)
    media: dict[str, MediaFile] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # More phone numbers and their tokens, beyond ``phone_number_id``: a number only takes
    # sends with its own token, and each send records the number and token it came with.
    numbers: dict[str, str] = field(default_factory=dict)

    def token_of(self, phone_number_id: str) -> str | None:
        """The access token that may send from a number; None for a number we do not have."""
        if phone_number_id == self.phone_number_id:
            return self.access_token
        return self.numbers.get(phone_number_id)

    def known_token(self, token: str) -> bool:
        return token == self.access_token or token in self.numbers.values()

    def reset(self) -> None:
        """Forget what happened (sends, activity, media, faults); configuration stays
        (approved templates, window mode, schemas, numbers), as a sandbox started with them."""
        with self.lock:
            self.sent.clear()
            self.webhooks.clear()
            self.last_customer_message.clear()
            self.media.clear()
            self.faults.clear()

    def window_open(self, to: str) -> bool:
        last = self.last_customer_message.get(to)
        return last is not None and self.clock() - last <= SERVICE_WINDOW

    def template_problem(self, template: JSON) -> str | None:
        name, language = template.get("name"), (template.get("language") or {}).get("code")
        if (name, language) in self.templates:
            return None
        return f"template name ({name}) does not exist in {language}"

    def record_send(self, body: JSON, phone_number_id: str | None = None,
                    token: str | None = None) -> JSON:
        kind = body.get("type")
        content = body.get(kind) if isinstance(kind, str) else None
        content = content if isinstance(content, dict) else {}
        text = content.get("body") if kind == "text" else (content.get("body") or {}).get("text")
        record: JSON = {
            "phone_number_id": phone_number_id or self.phone_number_id,
            "access_token": self.access_token if token is None else token,
            "to": str(body.get("to")),
            "recipient_type": body.get("recipient_type", "individual"),
            "type": kind,
            "text": text if kind in ("text", "interactive") else None,
            "preview_url": content.get("preview_url") if kind == "text" else None,
            "template": content if kind == "template" else None,
            "interactive": content if kind == "interactive" else None,
            "media": content if kind in MEDIA_TYPES else None,  # link, filename, caption
            "body": body,
            "message_id": "wamid." + secrets.token_urlsafe(30),
            "at": self.clock(),
        }
        with self.lock:
            self.sent.append(record)
        return record

    def add_media(self, data: bytes, mime_type: str, media_id: str | None = None) -> str:
        media_id = media_id or str(secrets.randbelow(10**15) + 10**15)
        with self.lock:
            self.media[media_id] = MediaFile(mime_type, data)
        return media_id

    def customer_message(self, wa_id: str, text: str, name: str = "Customer",
                         at: datetime | None = None) -> JSON:
        """The webhook body WhatsApp would send for a customer's text; opens the window."""
        at = at or self.clock()
        self.last_customer_message[wa_id] = at
        message = {"from": wa_id, "id": "wamid." + secrets.token_urlsafe(30),
                   "timestamp": str(int(at.timestamp())), "type": "text", "text": {"body": text}}
        return self._webhook({"contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                              "messages": [message]})

    def status_webhook(self, message_id: str, to: str, status: str,
                       errors: list[JSON] | None = None) -> JSON:
        """The webhook body of a status of one of our sends."""
        item: JSON = {"id": message_id, "status": status, "recipient_id": to,
                      "timestamp": str(int(self.clock().timestamp()))}
        if errors:
            item["errors"] = errors
        return self._webhook({"statuses": [item]})

    def window_failure(self, record: JSON) -> None:
        """Async mode: the ``failed`` status the live API sends for a late free text."""
        error = {"code": 131047, "title": "Re-engagement message",
                 "message": "Re-engagement message", "error_data": {"details": WINDOW_DETAILS}}
        body = self.status_webhook(record["message_id"], record["to"], "failed", [error])
        with self.lock:
            self.webhooks.append(body)

    def _webhook(self, value: JSON) -> JSON:
        metadata = {"display_phone_number": self.display_phone_number,
                    "phone_number_id": self.phone_number_id}
        change = {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                  "field": "messages"}
        return {"object": "whatsapp_business_account",
                "entry": [{"id": "100000000000000", "changes": [change]}]}
