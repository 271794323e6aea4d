"""The failed state: list what gave up, and replay it (``bridge failed ...``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge import ingest
from bridge.models import Automation, Delivery, InboxMessage, SlaAction, TicketNote

Model = (type[InboxMessage] | type[Delivery] | type[TicketNote] | type[SlaAction]
         | type[Automation])
Row = InboxMessage | Delivery | TicketNote | SlaAction | Automation
KINDS: dict[str, Model] = {
    "in": InboxMessage,
    "out": Delivery,
    "note": TicketNote,
    "sla": SlaAction,
    "auto": Automation,
}


@dataclass(frozen=True)
class FailedItem:
    ref: str  # "in-12", "out-3", "note-7"
    conversation_id: int
    attempts: int
    error: str
    since: datetime | None


def list_failed(s: Session) -> list[FailedItem]:
    items: list[FailedItem] = []
    for prefix, model in KINDS.items():
        rows: list[Row] = list(
            s.scalars(select(model).where(model.state == "failed").order_by(model.id)))
        for row in rows:
            if row.conversation_id is None:
                continue
            when = getattr(row, "received_at", None) or getattr(row, "created_at", None)
            items.append(FailedItem(f"{prefix}-{row.id}", row.conversation_id, row.attempts,
                                    row.last_error or "", when))
    return items


def replay(s: Session, refs: list[str]) -> list[int]:
    """Set failed items back to pending; return the conversations to enqueue."""
    touched: list[int] = []
    for ref in refs:
        prefix, _, raw_id = ref.partition("-")
        model = KINDS.get(prefix)
        if model is None or not raw_id.isdigit():
            raise ValueError(f"{ref!r} is not an id from `bridge failed list` (e.g. in-12)")
        row: Row | None = s.get(  # type: ignore[assignment]
            model, int(raw_id))
        if row is None or row.state != "failed" or row.conversation_id is None:
            raise ValueError(f"{ref} is not a failed item")
        s.execute(update(model).where(model.id == row.id).values(
            state="pending", attempts=0, next_attempt_at=None))
        ingest.mark_due(s, row.conversation_id)
        if row.conversation_id not in touched:
            touched.append(row.conversation_id)
    s.commit()
    return touched
