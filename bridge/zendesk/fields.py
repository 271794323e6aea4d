"""Zendesk ticket fields (``GET /api/v2/ticket_fields``) as the bridge's ``TicketField``.

Zendesk lists system fields (subject, status, priority, group, ...) beside custom ones;
only custom fields can be mapped, so system fields (``removable: false``, or a system
type) are left out. A custom field is written as ``custom_fields: [{id, value}]``, so its
key is its id. Drop-downs are ``tagger``: an option is written by its ``value`` (a tag),
not its ``name``; Zendesk silently ignores any other value. ``partialcreditcard``,
``lookup`` and types Zendesk adds later are ``other``: listed, never judged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from bridge.errors import PermanentError
from bridge.fields.model import FieldKind, TicketField
from bridge.zendesk.payloads import ApiTicketField

KINDS: dict[str, FieldKind] = {
    "text": "text", "textarea": "textarea", "tagger": "dropdown",
    "multiselect": "multiselect", "checkbox": "checkbox", "date": "date",
    "integer": "integer", "decimal": "decimal", "regexp": "regexp",
    "partialcreditcard": "other", "lookup": "other", "multi_lookup": "other",
}
SYSTEM_TYPES = ("subject", "description", "status", "custom_status", "tickettype",
                "priority", "group", "assignee", "brand", "ticket_form")


def ticket_field(raw: ApiTicketField) -> TicketField | None:
    """The bridge's view of one field; ``None`` for a system field."""
    if not raw.removable or raw.type in SYSTEM_TYPES:
        return None
    options = tuple((o.value, o.name) for o in raw.custom_field_options or ())
    return TicketField(
        key=str(raw.id),
        title=raw.title or str(raw.id),
        kind=KINDS.get(raw.type, "other"),
        options=options,
        required=raw.required,
        active=raw.active,
        pattern=raw.regexp_for_validation if raw.type == "regexp" else None,
        vendor_type=raw.type,
    )


def custom_ticket_fields(items: Iterable[dict[str, Any]]) -> tuple[TicketField, ...]:
    """The custom fields among raw ``ticket_fields`` items, in Zendesk's order."""
    found: list[TicketField] = []
    for item in items:
        try:
            raw = ApiTicketField.model_validate(item)
        except ValidationError as exc:
            raise PermanentError(f"unexpected Zendesk ticket field: {exc}") from exc
        field = ticket_field(raw)
        if field is not None:
            found.append(field)
    return tuple(found)
