"""Ticket values Freshdesk refuses at creation: a rule or mapping chose them, and the
account changed since (a group or agent deleted, a ticket type or a custom field's
choice removed). They cost that value, never the customer's message: the ticket is
created without them and a private note names what was left out and why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bridge.errors import RefusedFields

# Freshdesk's names for what ``_assignment`` may write; custom fields are ``cf_*``.
OPTIONAL = frozenset({"group_id", "responder_id", "type"})


def refused_fields(body: str) -> tuple[str, ...]:
    """The optional fields a 400 body names; () when any error concerns something else
    (then leaving fields out could not help)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return ()
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list) or not errors:
        return ()
    names = [item.get("field") if isinstance(item, dict) else None for item in errors]
    if not all(isinstance(n, str) and (n in OPTIONAL or n.startswith("cf_")) for n in names):
        return ()
    return tuple(dict.fromkeys(str(n) for n in names))


def without(fields: Mapping[str, Any], refused: tuple[str, ...]) -> dict[str, Any]:
    """The ticket body without the refused values (custom fields one by one)."""
    kept = {k: v for k, v in fields.items() if k not in refused}
    custom = {k: v for k, v in (fields.get("custom_fields") or {}).items() if k not in refused}
    if custom:
        kept["custom_fields"] = custom
    else:
        kept.pop("custom_fields", None)
    return kept


def left_out_values(fields: Mapping[str, Any], refusals: Sequence[RefusedFields]
                    ) -> list[tuple[str, object]]:
    """(name, value) of each refused value, as the ticket body had it."""
    custom = fields.get("custom_fields") or {}
    names = [name for refusal in refusals for name in refusal.fields]
    return [(name, fields.get(name, custom.get(name))) for name in names]
