"""Reading a ``whatsapp_business_account`` webhook body, item by item, for the adapter.

Each ``messages``-like change value holds customer messages, echoes of what the business
app sent, statuses of our sends and errors. What becomes an inbox row: customer messages,
edits and deletions (``kind`` ``edit``/``delete``) and failed deliveries (``kind``
``status``); everything else is one ignore reason (receipts are recorded separately, from
``parse_events``, by ``bridge.receipts``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import ValidationError

from bridge.domain import InboundMessage
from bridge.errors import PayloadError
from bridge.social.base import first_error
from bridge.social.whatsapp import mapping
from bridge.social.whatsapp.events import as_inbound, from_message, from_status
from bridge.social.whatsapp.payloads import Message, Status, Value, WhatsAppWebhook

OBJECT = "whatsapp_business_account"
MESSAGE_FIELDS = ("messages", "smb_message_echoes")
EVENT_TYPES = ("edit", "revoke")


def values(payload: Mapping[str, object], ignored: list[str]) -> Iterator[tuple[str, Value]]:
    """(phone_number_id, value) of every ``messages``-like change, in order."""
    try:
        body = WhatsAppWebhook.model_validate(payload)
    except ValidationError as exc:
        raise PayloadError(f"not a WhatsApp webhook: {first_error(exc)}") from exc
    for entry in body.entry:
        if not entry.changes:
            ignored.append("no_changes")
        for change in entry.changes or ():
            if change.field is not None and change.field not in MESSAGE_FIELDS:
                ignored.append(f"field:{change.field}")  # template/account updates
                continue
            try:
                value = Value.model_validate(change.value)
            except ValidationError as exc:
                raise PayloadError(f"not a WhatsApp change value: {first_error(exc)}") from exc
            account = value.metadata.phone_number_id
            yield mapping.required(account, "metadata.phone_number_id"), value


def read_message(account: str, value: Value, item: Message) -> InboundMessage | str:
    """An inbound message (or edit, or deletion), or the reason this item is not one."""
    kind = item.type or "unknown"
    if kind in EVENT_TYPES:
        event = from_message(account, value.contacts, item)
        found = as_inbound(event) if event is not None else None
        return found or mapping.IGNORED_TYPES[kind]
    if kind in mapping.IGNORED_TYPES:
        return mapping.IGNORED_TYPES[kind]
    if kind == "system":
        return (item.system.type if item.system and item.system.type else None) or "system"
    thread, sender, at = mapping.who(account, value.contacts, item)
    content = mapping.content(item)
    return InboundMessage(thread, mapping.required(item.id, "id"), sender, at, content.text,
                          content.attachments, content.quick_reply)


def read_status(account: str, status: Status) -> InboundMessage | str:
    """A failed delivery as an inbox row; a receipt (or unknown status) as its reason."""
    reason = f"status_{status.status or 'unknown'}"
    if status.status != "failed":
        return reason
    return as_inbound(from_status(account, status)) or reason


