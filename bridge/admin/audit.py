"""The audit log: one row per change, written in the change's own transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.admin.models import AuditEntry
from bridge.admin.views import AuditAction, AuditItem, AuditPage, Entity


def record(s: Session, actor: str, action: AuditAction, entity: Entity,
           entity_id: int | None, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    """Add the audit row to the caller's transaction (the caller commits both)."""
    s.add(AuditEntry(at=clock.now(), actor=actor, action=action, entity=entity,
                     entity_id=entity_id, before=_text(before), after=_text(after)))


def page(s: Session, limit: int, before: int | None = None, entity: Entity | None = None,
         entity_id: int | None = None) -> AuditPage:
    """Newest first; ``before`` is the id the previous page ended at (exclusive)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    rows = list(s.scalars(query))
    items = [_item(row) for row in rows[:limit]]
    more = len(rows) > limit
    return AuditPage(items=items, next_before=items[-1].id if more else None)


def _text(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=True, sort_keys=True)


def _item(row: AuditEntry) -> AuditItem:
    return AuditItem.model_validate({
        "id": row.id, "at": row.at, "actor": row.actor, "action": row.action,
        "entity": row.entity, "entity_id": row.entity_id,
        "before": None if row.before is None else json.loads(row.before),
        "after": None if row.after is None else json.loads(row.after),
    })
