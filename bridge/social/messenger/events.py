"""Messenger items that are not new messages: edits, unsends and receipts.

- ``message_edit`` (webhook field ``message_edits``): ``{mid, text, num_edit}``, the message
  as it reads now; an inbox row of kind ``edit`` keyed ``edit:<mid>:<num_edit>`` (a user may
  edit a message five times), the core notes it on the ticket with the original.
- ``message.is_deleted``: the customer unsent ``mid``; an inbox row of kind ``delete``.
- ``delivery`` (``mids`` and/or ``watermark``) and ``read`` (``watermark``: everything sent
  before it was read): receipts, recorded on our replies, never ticketed.
"""

from __future__ import annotations

from datetime import datetime

from bridge.clock import from_epoch_ms
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.receipts import Receipt
from bridge.social.messenger.payloads import MessageEdit, MessagingItem


def edited(thread: ThreadKey, item: MessagingItem, edit: MessageEdit) -> InboundMessage:
    if not edit.mid:
        raise PayloadError("message_edit without mid")
    at = at_of(item)
    version = edit.num_edit or str(item.timestamp)
    return InboundMessage(thread, f"edit:{edit.mid}:{version}", Sender(thread.thread_id), at,
                          edit.text or "", kind="edit", refers_to=edit.mid)


def deleted(thread: ThreadKey, item: MessagingItem, mid: str | None) -> InboundMessage:
    if not mid:
        raise PayloadError("deleted message without mid")
    return InboundMessage(thread, f"delete:{mid}", Sender(thread.thread_id), at_of(item),
                          kind="delete", refers_to=mid)


def receipt(page_id: str, item: MessagingItem) -> Receipt | None:
    """The receipt a messaging item carries, if any (a malformed one is none)."""
    psid = item.sender.id if item.sender else None
    if not psid or item.timestamp is None:
        return None
    thread = ThreadKey("messenger", page_id, psid)
    try:
        at = from_epoch_ms(item.timestamp)
        if item.delivery is not None:
            return Receipt(thread, "delivered", at, tuple(item.delivery.mids),
                           _watermark(item.delivery.watermark))
        if item.read is not None:
            return Receipt(thread, "read", at, (), _watermark(item.read.watermark))
    except (OverflowError, OSError, ValueError):
        return None
    return None


def at_of(item: MessagingItem) -> datetime:
    if item.timestamp is None:
        raise PayloadError("messaging item without timestamp")
    try:
        return from_epoch_ms(item.timestamp)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError("messaging item timestamp out of range") from exc


def _watermark(value: int | None) -> datetime | None:
    return from_epoch_ms(value) if value is not None else None
