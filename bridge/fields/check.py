"""What the admin API asks before saving: errors of a mapping or of rule field values
against the helpdesk's ticket fields (cached). An empty list means it may be saved.

When the fields cannot be known (the helpdesk never answered, or none is configured) the
answer is one error saying so: saving unchecked would let a broken mapping through, and
the admin can simply try again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.errors import BridgeError
from bridge.fields import cache
from bridge.fields.validate import mapping_errors as _mapping_errors
from bridge.fields.validate import value_errors
from bridge.helpdesk import Helpdesk
from bridge.rules.model import Mapping


def _cached(session: Session, helpdesk: Helpdesk | None) -> cache.CachedFields | str:
    try:
        return cache.load(session, helpdesk)
    except BridgeError as exc:
        return f"cannot check ticket fields now: {exc}"


def mapping_errors(session: Session, mapping: Mapping,
                   helpdesk: Helpdesk | None = None) -> list[str]:
    """Why this mapping cannot be saved (unknown field, type mismatch...)."""
    cached = _cached(session, helpdesk)
    if isinstance(cached, str):
        return [cached]
    return _mapping_errors(cached.fields, mapping, cached.helpdesk)


def field_value_errors(session: Session, fields: dict[str, Any],
                       helpdesk: Helpdesk | None = None) -> list[str]:
    """Why these field values (a rule's ``then.fields``) cannot be saved."""
    if not fields:
        return []
    cached = _cached(session, helpdesk)
    if isinstance(cached, str):
        return [cached]
    return value_errors(cached.fields, fields, cached.helpdesk)


def broken_mappings(session: Session, mappings: list[Mapping],
                    helpdesk: Helpdesk | None = None) -> dict[int, list[str]]:
    """Saved mappings the helpdesk's current fields break, by position in ``mappings``
    (for the admin page and ``bridge doctor``); read from the cache, refreshed when old.
    Nothing is flagged when the fields cannot be read at all (``cache.read`` shows why)."""
    cached = _cached(session, helpdesk)
    if isinstance(cached, str):
        return {}
    found = {index: _mapping_errors(cached.fields, mapping, cached.helpdesk)
             for index, mapping in enumerate(mappings) if mapping.enabled}
    return {index: errors for index, errors in found.items() if errors}
