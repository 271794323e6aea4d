"""The changes rules and mappings share (replace, delete, enable/disable), each with its
audit row in one transaction. A ``Kind`` names what differs: the table, the snapshot the
audit keeps, the columns a definition fills and the check it must pass first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from bridge.admin import audit, items, rows
from bridge.admin.models import AdminMapping, AdminRule
from bridge.admin.views import Entity
from bridge.rules.model import Mapping, Rule

R = TypeVar("R", AdminRule, AdminMapping)
D = TypeVar("D", Rule, Mapping)


@dataclass(frozen=True)
class Kind(Generic[R, D]):
    entity: Entity
    load: Callable[[Session, int | str], R]  # the row; 409 for a TOML item, else 404
    snapshot: Callable[[R], dict[str, Any]]  # what the audit keeps of a row
    columns: Callable[[D], dict[str, object]]  # the row's columns for a definition
    check: Callable[[Session, D], None]  # ``Invalid`` when the helpdesk cannot take it
    definition: Callable[[R], D]  # the row's definition


def update(s: Session, kind: Kind[R, D], ident: int | str, definition: D, version: int,
           actor: str) -> R:
    """Replace a definition; ``version`` is the one the client read (409 if stale).
    Saving the same definition again changes nothing and logs nothing."""
    row = kind.load(s, ident)
    rows.check_version(row, version, kind.entity)
    kind.check(s, definition)
    if items.dump(definition) != row.definition:
        before = kind.snapshot(row)
        rows.save(s, row, kind.columns(definition), kind.entity)
        audit.record(s, actor, "update", kind.entity, row.id, before, kind.snapshot(row))
        s.commit()
    return row


def delete(s: Session, kind: Kind[R, D], ident: int | str, actor: str,
           version: int | None) -> None:
    row = kind.load(s, ident)
    rows.check_version(row, version, kind.entity)
    before = kind.snapshot(row)
    rows.remove(s, row, kind.entity)
    audit.record(s, actor, "delete", kind.entity, row.id, before, None)
    s.commit()


def set_enabled(s: Session, kind: Kind[R, D], ident: int | str, enabled: bool,
                actor: str) -> R:
    """Enable or disable; already so is a no-op. Enabling checks the definition again
    (the helpdesk's fields may have changed since it was saved)."""
    row = kind.load(s, ident)
    if row.enabled != enabled:
        definition = kind.definition(row).model_copy(update={"enabled": enabled})
        if enabled:
            kind.check(s, definition)
        before = kind.snapshot(row)
        rows.save(s, row, kind.columns(definition), kind.entity)
        audit.record(s, actor, "enable" if enabled else "disable", kind.entity, row.id,
                     before, kind.snapshot(row))
        s.commit()
    return row
