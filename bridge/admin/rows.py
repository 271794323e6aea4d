"""Row operations shared by rules and mappings: find by id (TOML ids are read-only),
check the version a client started from, and write only if nobody wrote meanwhile."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.admin import items
from bridge.admin.errors import Conflict, NotFound
from bridge.admin.models import AdminMapping, AdminRule

R = TypeVar("R", AdminRule, AdminMapping)


def load(s: Session, table: type[R], ident: int | str, toml_count: int, entity: str) -> R:
    """The database row behind ``ident``; a TOML item is a 409 (read-only), else 404."""
    if isinstance(ident, str):
        index = items.toml_index(ident)
        if index is not None and index <= toml_count:
            raise Conflict(f"{entity} {ident} comes from the TOML file and is read-only: "
                           "change it in the file")
        raise NotFound(f"no {entity} {ident}")
    row = s.get(table, ident)
    if row is None:
        raise NotFound(f"no {entity} {ident}")
    return row


def check_version(row: AdminRule | AdminMapping, version: int | None, entity: str) -> None:
    """``version`` is what the client last read; None skips the check (DELETE without it)."""
    if version is not None and version != row.version:
        raise Conflict(
            f"{entity} {row.id} changed since you read it: it is at version {row.version}, "
            f"you sent {version}; reload and retry",
            [("version", f"current version is {row.version}")])


def save(s: Session, row: R, values: dict[str, Any], entity: str) -> None:
    """UPDATE ... WHERE version = the one read, bumping it: a change that slipped in
    between our read and this write makes it a 409 instead of a lost update."""
    table = type(row)
    result = cast(CursorResult[Any], s.execute(
        update(table)
        .where(table.id == row.id, table.version == row.version)
        .values(**values, version=row.version + 1, updated_at=clock.now())
    ))
    if result.rowcount != 1:
        raise _raced(entity, row.id)
    s.refresh(row)


def remove(s: Session, row: R, entity: str) -> None:
    """DELETE ... WHERE version = the one read (same reason as ``save``)."""
    table = type(row)
    s.expunge(row)
    result = cast(CursorResult[Any], s.execute(
        delete(table).where(table.id == row.id, table.version == row.version)))
    if result.rowcount != 1:
        raise _raced(entity, row.id)


def _raced(entity: str, ident: int) -> Conflict:
    return Conflict(f"{entity} {ident} was changed or deleted at the same moment; "
                    "reload and retry")
