"""What the admin store reads from outside the database: rules and mappings defined in
the TOML file (read-only, each with its source ``toml:<path>``, ``bridge.rules.toml``) and
the helpdesk's ticket fields (``bridge.fields.cache``).

A TOML file that cannot be read or does not validate raises ``ConfigError`` (the API
answers 503 with its text, ``bridge doctor`` reports it); unreadable helpdesk fields raise
``FieldsUnavailable`` (503 too: the admin can retry).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.config import get_settings
from bridge.fields import cache
from bridge.rules import toml
from bridge.rules.model import Mapping, Rule


def toml_rules() -> list[tuple[str, Rule]]:
    """``(source, rule)`` pairs in file order; source is ``toml:<path>``."""
    return toml.toml_rules()


def toml_mappings() -> list[tuple[str, Mapping]]:
    """``(source, mapping)`` pairs in file order; source is ``toml:<path>``."""
    return toml.toml_mappings()


def helpdesk_fields(session: Session) -> list[dict[str, Any]]:
    """The helpdesk's ticket fields (key, title, kind, options...) for the pages' pickers,
    from the cache (read again when old). No helpdesk configured: no fields."""
    if not get_settings().BRIDGE_HELPDESK:
        return []
    return [field.to_json() for field in cache.load(session).fields]
