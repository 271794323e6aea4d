"""Delivery and read receipts: recorded on the replies they are about, never ticketed.

Receipts are the most frequent webhooks there are (a WhatsApp reply brings ``sent``,
``delivered`` and ``read``), so they cost the request one UPDATE each and nothing else:
``deliveries.delivered_at`` / ``read_at`` of the replies they name (through
``sent_messages``, the platform ids of each sent reply), or, for Messenger's watermarks,
of every reply of the thread sent up to that instant. An UPDATE never creates anything: a
receipt for a message the bridge did not send (or a thread it does not know) changes no row,
opens no conversation and no ticket; every receipt is counted
(``bridge_receipts_total{channel,status}``). ``sent`` is only counted: ``sent_at`` is ours.

A channel offers ``parse_receipts(payload)``; ``collect`` calls it only when ``parse`` reported
a receipt among its ignore reasons, so other webhooks are not parsed twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from bridge import db
from bridge.domain import ParsedWebhook, ThreadKey
from bridge.metrics import RECEIPTS
from bridge.models import Conversation, Delivery, SentMessage

# Ignore reasons ``parse`` gives receipts: Messenger ``delivery``/``read``, WhatsApp statuses.
REASONS = frozenset({"delivery", "read", "status_sent", "status_delivered", "status_read"})
RECORDED = ("delivered", "read")


@dataclass(frozen=True)
class Receipt:
    """The platform saw one or more of our messages: ``message_ids`` names them, or (Messenger
    ``read`` and id-less ``delivery``) ``watermark`` covers everything sent up to it."""

    thread: ThreadKey
    status: str  # sent, delivered, read
    at: datetime
    message_ids: tuple[str, ...] = ()
    watermark: datetime | None = None


def collect(channel: object, payload: Mapping[str, object],
            parsed: ParsedWebhook) -> tuple[Receipt, ...]:
    """The receipts of a webhook body the channel has already parsed."""
    reader = getattr(channel, "parse_receipts", None)
    if reader is None or not REASONS.intersection(parsed.ignored):
        return ()
    found: tuple[Receipt, ...] = reader(payload)
    return found


def record(receipts: Sequence[Receipt]) -> int:
    """Write what the receipts say onto their replies, committed; the rows changed."""
    if not receipts:
        return 0
    changed = 0
    with db.session() as s:
        for receipt in receipts:
            changed += _apply(s, receipt)
        s.commit()
    for receipt in receipts:
        RECEIPTS.labels(receipt.thread.channel, receipt.status).inc()
    return changed


def _apply(s: Session, receipt: Receipt) -> int:
    if receipt.status not in RECORDED:
        return 0
    changed = _set(s, receipt, "delivered_at")
    if receipt.status == "read":  # read implies delivered
        changed = max(changed, _set(s, receipt, "read_at"))
    return changed


def _set(s: Session, receipt: Receipt, column: str) -> int:
    """``column`` of the receipt's sent replies, where not yet set."""
    key = receipt.thread
    which: ColumnElement[bool] = Delivery.id.in_(select(SentMessage.delivery_id).where(
        SentMessage.channel == key.channel, SentMessage.account_id == key.account_id,
        SentMessage.message_id.in_(receipt.message_ids)))
    if not receipt.message_ids:
        if receipt.watermark is None:
            return 0
        which = Delivery.conversation_id.in_(select(Conversation.id).where(
            Conversation.channel == key.channel, Conversation.account_id == key.account_id,
            Conversation.thread_id == key.thread_id)) & (Delivery.sent_at <= receipt.watermark)
    stmt = (update(Delivery).where(which, Delivery.state == "sent")
            .where(getattr(Delivery, column).is_(None))
            .values({column: receipt.at}).execution_options(synchronize_session=False))
    return int(getattr(s.execute(stmt), "rowcount", 0) or 0)
