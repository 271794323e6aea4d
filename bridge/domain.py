"""Frozen dataclasses shared by every adapter: what crosses a module boundary."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ChannelKind = Literal[
    "messenger",
    "facebook_comment",
    "instagram",
    "instagram_comment",
    "whatsapp",
    "x",
    "telegram",
]

# What an inbound event is. ``message`` becomes a ticket or a requester comment; the others
# become an internal note on the conversation's ticket (never a silent change): ``edit``
# (``text`` is the new text), ``delete``, ``status`` (a failed delivery of one of our sends:
# ``text`` is the platform's reason). ``refers_to`` is the platform id of the message the
# event is about.
EventKind = Literal["message", "edit", "delete", "status"]

# ``json.dumps(..., ensure_ascii=False)`` builds an encoder on every call; the webhook hot
# path serialises every inbound message once.
_ENCODER = json.JSONEncoder(ensure_ascii=False)

AttachmentKind = Literal[
    "image", "file", "video", "audio", "sticker", "location", "link", "unsupported"
]


@dataclass(frozen=True)
class ThreadKey:
    """Identifies one social conversation: channel kind, our account on it, the thread."""

    channel: str
    account_id: str
    thread_id: str


@dataclass(frozen=True)
class Sender:
    """The customer as the platform names them."""

    external_id: str
    display_name: str | None = None
    handle: str | None = None
    # What the platform tells about the customer, for routing rules and field mappings.
    profile_url: str | None = None
    follower_count: int | None = None
    verified: bool | None = None


@dataclass(frozen=True)
class Attachment:
    """One attachment of an inbound message; ``url`` may be absent (location)."""

    kind: AttachmentKind
    url: str | None = None
    name: str | None = None
    mime_type: str | None = None
    title: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    platform_type: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message, as parsed from a webhook, before any helpdesk call."""

    thread: ThreadKey
    message_id: str
    sender: Sender
    sent_at: datetime
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    # The payload of a tapped quick reply (Messenger ``message.quick_reply.payload``): the
    # bridge's own buttons (CSAT) come back as this, with their title as ``text``.
    quick_reply: str | None = None
    kind: EventKind = "message"
    refers_to: str | None = None
    link: str | None = None  # permalink of the post or comment, where the platform gives one
    # The platform id of the message this one answers (X replies): routing puts it in the
    # conversation that holds that message, when the bridge knows it.
    in_reply_to: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "thread": self.thread.__dict__,
            "message_id": self.message_id,
            "sender": self.sender.__dict__,
            "sent_at": self.sent_at.isoformat(),
            "text": self.text,
            "attachments": [dataclasses.asdict(a) for a in self.attachments],
        }
        if self.quick_reply is not None:
            data["quick_reply"] = self.quick_reply
        if self.kind != "message":
            data["kind"] = self.kind
        if self.refers_to is not None:
            data["refers_to"] = self.refers_to
        if self.link is not None:
            data["link"] = self.link
        if self.in_reply_to is not None:
            data["in_reply_to"] = self.in_reply_to
        raw = _ENCODER.encode(data)
        # JSON may carry half a surrogate pair ("\ud83d"): no database stores that, so it
        # becomes U+FFFD; everything valid stays byte for byte.
        return raw.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    @classmethod
    def from_json(cls, raw: str) -> InboundMessage:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            thread=ThreadKey(**data["thread"]),
            message_id=data["message_id"],
            sender=Sender(**data["sender"]),
            sent_at=datetime.fromisoformat(data["sent_at"]),
            text=data["text"],
            attachments=tuple(Attachment(**a) for a in data["attachments"]),
            quick_reply=data.get("quick_reply"),
            kind=data.get("kind", "message"),
            refers_to=data.get("refers_to"),
            link=data.get("link"),
            in_reply_to=data.get("in_reply_to"),
        )


@dataclass(frozen=True)
class ParsedWebhook:
    """What one webhook body holds: messages to store, and what we chose to ignore."""

    messages: tuple[InboundMessage, ...] = ()
    ignored: tuple[str, ...] = ()  # one reason per ignored event, for logs and metrics


# ---- helpdesk side -------------------------------------------------------------------


@dataclass(frozen=True)
class Requester:
    """The helpdesk identity of one social sender (one per platform, account, sender)."""

    external_id: str
    name: str


@dataclass(frozen=True)
class Upload:
    """A file to attach to a helpdesk comment."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class NewComment:
    """A customer's message as a helpdesk comment, authored by the requester."""

    author_id: str
    body: str
    uploads: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class NewTicket:
    """A ticket to open. ``marker`` is our idempotency key, stored as its external id."""

    requester_id: str
    subject: str
    comment: NewComment
    marker: str
    tags: tuple[str, ...] = ()
    priority: str | None = None
    group_id: str | None = None
    custom_fields: tuple[tuple[str, Any], ...] = ()
    followup_of: str | None = None
    assignee_id: str | None = None
    ticket_type: str | None = None  # Zendesk problem/incident/question/task; Freshdesk's names
    brand_id: str | None = None  # Zendesk only


@dataclass(frozen=True)
class TicketActions:
    """What an escalation step (or a CSAT answer) does to a ticket, in one update where the
    helpdesk allows."""

    add_tags: tuple[str, ...] = ()
    priority: str | None = None  # low, normal, high, urgent
    group_id: str | None = None
    note: str | None = None  # an internal note
    remove_tags: tuple[str, ...] = ()
    custom_fields: tuple[tuple[str, Any], ...] = ()  # (field id, value)


@dataclass(frozen=True)
class TicketRef:
    ticket_id: str
    comment_id: str | None = None


@dataclass(frozen=True)
class AgentReply:
    """A public comment written by an agent, to be mirrored to the social thread."""

    comment_id: str
    body: str  # plain text
    author_name: str | None = None
    created_at: datetime | None = None
    attachment_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketView:
    """What the worker reads from the helpdesk about a ticket after a webhook."""

    ticket_id: str
    status: str  # normalised: new, open, pending, hold, solved, closed
    replies: tuple[AgentReply, ...] = field(default_factory=tuple)
    priority: str | None = None  # normalised: low, normal, high, urgent
    tags: tuple[str, ...] = ()


# ---- social side ---------------------------------------------------------------------


@dataclass(frozen=True)
class OutboundMessage:
    """Text to send on a thread; ``human`` says a person wrote it (HUMAN_AGENT tag).

    ``quick_replies`` are (title, payload) buttons under the message where the channel has
    them (Messenger ``quick_replies``); a tap comes back as ``InboundMessage.quick_reply``.
    A channel without them should send the titles as lines of text (Messenger has them).
    """

    thread: ThreadKey
    text: str
    human: bool = True
    reference: str | None = None  # our delivery id, echoed back where the platform allows
    quick_replies: tuple[tuple[str, str], ...] = ()
    # Files the agent attached; a channel that cannot send them says so in ``SendResult.note``.
    attachment_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendResult:
    platform_message_ids: tuple[str, ...]
    note: str | None = None  # e.g. "sent with the HUMAN_AGENT tag"
