"""Typed WhatsApp events that are not customer messages: edits, deletions, delivery
statuses, system notices and account-level errors.

``from_message``/``from_status`` read them out of WhatsApp payloads; ``as_inbound`` turns
edits, deletions and failed deliveries into inbox rows (``InboundMessage.kind`` ``edit``,
``delete``, ``status``: the core writes each as an internal note on the ticket, so an edit
or deletion never silently changes it and a failure carries the platform's reason and
code); ``as_receipt`` turns ``sent``/``delivered``/``read`` into receipts, recorded and
never ticketed. System notices and account problems stay ignored (counted, logged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bridge.domain import Attachment, InboundMessage, Sender, ThreadKey
from bridge.receipts import Receipt
from bridge.social.whatsapp import mapping
from bridge.social.whatsapp.payloads import Contact, Message, PlatformError, Status

WINDOW_CLOSED_CODES = frozenset({131047})  # "Re-engagement message": outside the 24 h window


@dataclass(frozen=True)
class PlatformProblem:
    """One ``errors[]`` item as WhatsApp reported it."""

    code: int | None
    title: str
    details: str | None = None

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        details = f": {self.details}" if self.details and self.details != self.title else ""
        return f"{self.title}{code}{details}"


@dataclass(frozen=True)
class MessageEdited:
    """The customer edited ``original_id``; ``text``/``attachments`` are the new content."""

    thread: ThreadKey
    event_id: str  # the edit's own message id
    original_id: str
    sender: Sender
    at: datetime
    text: str = ""
    attachments: tuple[Attachment, ...] = ()

    @property
    def key(self) -> str:
        return f"edit:{self.event_id}"


@dataclass(frozen=True)
class MessageDeleted:
    """The customer deleted ("revoked") ``original_id`` for everyone."""

    thread: ThreadKey
    event_id: str
    original_id: str
    sender: Sender
    at: datetime

    @property
    def key(self) -> str:
        return f"revoke:{self.event_id}"


@dataclass(frozen=True)
class DeliveryStatus:
    """A status of one of our sends (``message_id`` is the wamid the send returned).

    ``sent``, ``delivered``, ``read`` are receipts; ``failed`` carries ``errors``. The
    Cloud API usually reports the 24 h window (131047) here, after it accepted the send.
    """

    thread: ThreadKey  # thread id = recipient wa_id, or "group:<id>" for a group
    message_id: str
    status: str
    at: datetime
    errors: tuple[PlatformProblem, ...] = ()

    @property
    def key(self) -> str:
        return f"status:{self.message_id}:{self.status}"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def window_closed(self) -> bool:
        return any(e.code in WINDOW_CLOSED_CODES for e in self.errors)

    @property
    def reason(self) -> str:
        return "; ".join(str(e) for e in self.errors) or "no reason given"


@dataclass(frozen=True)
class SystemNotice:
    """A system message: ``customer_identity_changed`` or ``user_changed_number``
    (``new_id`` is the customer's new wa_id; the thread keeps the old one)."""

    thread: ThreadKey
    event_id: str
    kind: str
    body: str
    at: datetime
    new_id: str | None = None

    @property
    def key(self) -> str:
        return f"system:{self.event_id}"


@dataclass(frozen=True)
class AccountProblem:
    """``value.errors[]`` outside any message: a problem of our number or app."""

    account_id: str
    errors: tuple[PlatformProblem, ...]
    at: datetime | None = None

    @property
    def key(self) -> str:
        return f"account:{self.account_id}:" + ",".join(str(e.code) for e in self.errors)


WhatsAppEvent = MessageEdited | MessageDeleted | DeliveryStatus | SystemNotice | AccountProblem


def from_message(account: str, contacts: list[Contact], item: Message) -> WhatsAppEvent | None:
    """The event an edit, revoke or system message stands for; ``None`` for the rest."""
    if item.type == "edit" and item.edit is not None:
        thread, sender, at = mapping.who(account, contacts, item)
        new = mapping.content(item.edit.message) if item.edit.message else mapping.Content()
        original = mapping.required(item.edit.original_message_id, "edit.original_message_id")
        return MessageEdited(thread, mapping.required(item.id, "id"), original, sender, at,
                             new.text, new.attachments)
    if item.type == "revoke" and item.revoke is not None:
        thread, sender, at = mapping.who(account, contacts, item)
        original = mapping.required(item.revoke.original_message_id,
                                    "revoke.original_message_id")
        return MessageDeleted(thread, mapping.required(item.id, "id"), original, sender, at)
    if item.type == "system" and item.system is not None:
        thread, _, at = mapping.who(account, contacts, item)
        return SystemNotice(thread, mapping.required(item.id, "id"),
                            item.system.type or "system", item.system.body or "", at,
                            item.system.wa_id)
    return None


def from_status(account: str, status: Status) -> DeliveryStatus:
    recipient = mapping.required(status.recipient_id, "status.recipient_id")
    if status.recipient_type == "group":
        recipient = mapping.GROUP_PREFIX + recipient
    return DeliveryStatus(ThreadKey("whatsapp", account, recipient),
                          mapping.required(status.id, "status.id"),
                          mapping.required(status.status, "status.status"),
                          mapping.epoch(status.timestamp), problems(status.errors))


def problems(errors: list[PlatformError]) -> tuple[PlatformProblem, ...]:
    return tuple(PlatformProblem(e.code, e.title or e.message or "error", e.detail())
                 for e in errors)


def as_inbound(event: WhatsAppEvent) -> InboundMessage | None:
    """The inbox row of an edit, a deletion or a failed delivery (the core notes it on the
    ticket); ``None`` for the rest (receipts, system notices, account problems)."""
    if isinstance(event, MessageEdited):
        return InboundMessage(event.thread, f"edit:{event.original_id}:{event.event_id}",
                              event.sender, event.at, event.text, event.attachments,
                              kind="edit", refers_to=event.original_id)
    if isinstance(event, MessageDeleted):
        return InboundMessage(event.thread, f"delete:{event.original_id}", event.sender,
                              event.at, kind="delete", refers_to=event.original_id)
    if isinstance(event, DeliveryStatus) and event.failed:
        recipient = Sender(event.thread.thread_id.removeprefix(mapping.GROUP_PREFIX))
        return InboundMessage(event.thread, f"status:{event.message_id}:failed", recipient,
                              event.at, event.reason, kind="status",
                              refers_to=event.message_id)
    return None


def as_receipt(event: WhatsAppEvent) -> Receipt | None:
    """``sent``, ``delivered`` and ``read`` statuses: recorded, never ticketed."""
    if not isinstance(event, DeliveryStatus) or event.failed:
        return None
    return Receipt(event.thread, event.status, event.at, (event.message_id,))


def window_failure(message: InboundMessage) -> bool:
    """Whether a failed-delivery row (``as_inbound``) carries a window error code."""
    return message.kind == "status" and any(
        f"(code {code})" in message.text for code in WINDOW_CLOSED_CODES)
