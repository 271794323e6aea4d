"""Freshdesk ticket fields (``GET /api/v2/ticket_fields``) as the bridge's ``TicketField``.

Custom fields are the ones named ``cf_*`` (``default: false``); they are written as
``custom_fields: {cf_x: value}``, so the name is the key. A dropdown's ``choices`` is a
list of strings and a choice is written as itself. A dependent field (``nested_field``)
takes one of its top-level choices; its lower levels (``nested_ticket_fields``, e.g.
``cf_country``, ``cf_city``) are fields of their own whose choices depend on the level
above, listed as ``other``. Single-line text takes at most 255 characters. Freshdesk has
no inactive fields (a field is deleted), so every listed field is active.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from bridge.errors import PermanentError
from bridge.fields.model import FieldKind, TicketField
from bridge.freshdesk.payloads import ApiTicketField

KINDS: dict[str, FieldKind] = {
    "custom_text": "text", "custom_paragraph": "textarea", "custom_dropdown": "dropdown",
    "nested_field": "dropdown", "custom_checkbox": "checkbox", "custom_date": "date",
    "custom_number": "integer", "custom_decimal": "decimal",
}
TEXT_LIMIT = 255


def _choices(raw: Any) -> tuple[tuple[str, str], ...]:
    """A list of choices, or a nested field's ``{top: {...}}`` (its top-level keys)."""
    items = list(raw) if isinstance(raw, list | dict) else []
    return tuple((str(item), str(item)) for item in items if not isinstance(item, dict | list))


def ticket_fields_of(raw: ApiTicketField) -> list[TicketField]:
    """The bridge's view of one field (and its nested levels); none for a system field."""
    if raw.default or not raw.name.startswith("cf_"):
        return []
    kind = KINDS.get(raw.type, "other")
    main = TicketField(
        key=raw.name,
        title=raw.label or raw.name,
        kind=kind,
        options=_choices(raw.choices) if kind == "dropdown" else (),
        required=raw.required_for_agents,
        max_length=TEXT_LIMIT if raw.type == "custom_text" else None,
        vendor_type=raw.type,
    )
    nested = [TicketField(key=level.name, title=level.label or level.name, kind="other",
                          vendor_type=f"{raw.type} level {level.level or '?'}")
              for level in raw.nested_ticket_fields]
    return [main, *nested]


def custom_ticket_fields(items: Iterable[Any]) -> tuple[TicketField, ...]:
    """The custom fields among the raw items of ``GET /ticket_fields``, in order."""
    found: list[TicketField] = []
    for item in items:
        try:
            raw = ApiTicketField.model_validate(item)
        except ValidationError as exc:
            raise PermanentError(f"unexpected Freshdesk ticket field: {exc}") from exc
        found += ticket_fields_of(raw)
    return tuple(found)
