"""Field mappings kept in the database (see ``bridge.admin.store``, which re-exports
these): each change and its audit row in one transaction; TOML mappings read-only.

Listing order, which is also the order they apply in: the TOML file's mappings first,
then the database's by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.admin import audit, changes, items, rows, sources
from bridge.admin.errors import Invalid
from bridge.admin.models import AdminMapping
from bridge.admin.views import MappingItem, MappingList
from bridge.fields import check
from bridge.rules.model import Mapping

MAPPING_ORDER = "TOML mappings first (file order, read-only), then database mappings by id"


def list_mappings(s: Session) -> MappingList:
    toml = sources.toml_mappings()
    found = [items.toml_mapping_item(n, source, m) for n, (source, m) in enumerate(toml, 1)]
    found += [items.mapping_item(row)
              for row in s.scalars(select(AdminMapping).order_by(AdminMapping.id))]
    return MappingList(items=found, evaluation_order=MAPPING_ORDER)


def get_mapping(s: Session, ident: int | str) -> MappingItem:
    if isinstance(ident, str):
        index = items.toml_index(ident)
        toml = sources.toml_mappings()
        if index is not None and index <= len(toml):
            source, mapping = toml[index - 1]
            return items.toml_mapping_item(index, source, mapping)
    return items.mapping_item(_load(s, ident))


def active_mappings(s: Session) -> list[Mapping]:
    """The enabled mappings, TOML first, then the database's by id."""
    return [item.mapping for item in list_mappings(s).items if item.mapping.enabled]


def _load(s: Session, ident: int | str) -> AdminMapping:
    return rows.load(s, AdminMapping, ident, len(sources.toml_mappings()), "mapping")


def _check(s: Session, mapping: Mapping) -> None:
    errors = check.mapping_errors(s, mapping)
    if errors:
        raise Invalid("the mapping does not fit the helpdesk's fields",
                      [("field", error) for error in errors])


def _columns(mapping: Mapping) -> dict[str, object]:
    return {"name": mapping.name, "enabled": mapping.enabled, "source": mapping.source,
            "field": mapping.field, "definition": items.dump(mapping)}


KIND = changes.Kind("mapping", _load, items.mapping_snapshot, _columns, _check,
                    items.mapping_of)


def create_mapping(s: Session, mapping: Mapping, actor: str) -> MappingItem:
    _check(s, mapping)
    now = clock.now()
    row = AdminMapping(created_at=now, updated_at=now, version=1, **_columns(mapping))
    s.add(row)
    s.flush()
    audit.record(s, actor, "create", "mapping", row.id, None, items.mapping_snapshot(row))
    s.commit()
    return items.mapping_item(row)


def update_mapping(s: Session, ident: int | str, mapping: Mapping, version: int,
                   actor: str) -> MappingItem:
    """Replace a mapping; ``version`` is the one the client read (409 if stale)."""
    return items.mapping_item(changes.update(s, KIND, ident, mapping, version, actor))


def delete_mapping(s: Session, ident: int | str, actor: str, version: int | None = None) -> None:
    changes.delete(s, KIND, ident, actor, version)


def set_mapping_enabled(s: Session, ident: int | str, enabled: bool,
                        actor: str) -> MappingItem:
    """Enable or disable; enabling re-checks the mapping against the helpdesk's fields."""
    return items.mapping_item(changes.set_enabled(s, KIND, ident, enabled, actor))
