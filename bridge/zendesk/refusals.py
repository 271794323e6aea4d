"""Ticket values Zendesk refuses at creation: a rule or mapping chose them, and the
account changed since (a group, agent or brand removed, a drop-down option deleted). A
``RecordInvalid`` answer names them: a rule's values by detail key (``group``,
``assignee``...), custom fields by the ``ticket_field_id`` of ``base`` entries. They cost
that value, never the customer's message: the ticket is created without them and a
private note names what was left out and why (``bridge.refusals``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bridge.domain import NewTicket
from bridge.errors import RefusedFields

# ``RecordInvalid`` detail keys of the values a rule chooses, and the ``NewTicket``
# attribute each one names (Zendesk says "assignee" for ``assignee_id``, and so on).
REFUSABLE = {"assignee": "assignee_id", "assignee_id": "assignee_id", "group": "group_id",
             "group_id": "group_id", "type": "ticket_type", "brand": "brand_id",
             "brand_id": "brand_id"}
# A refused custom field is named ``custom_field_<id>``, as Zendesk names it in searches
# and placeholders: ``details.base[]`` entries carry the ``ticket_field_id``.
CUSTOM_FIELD = "custom_field_"


def _base_fields(items: object) -> list[str] | None:
    """``custom_field_<id>`` for each ``base`` entry; None when one names no field (a
    blank description, say)."""
    listed = items if isinstance(items, list) else [items]
    ids = [item.get("ticket_field_id") if isinstance(item, dict) else None for item in listed]
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return [f"{CUSTOM_FIELD}{i}" for i in ids]


def refused_fields(body: str) -> tuple[str, ...]:
    """What a ``RecordInvalid`` answer refuses when it names only values a rule or mapping
    chose: detail keys of ``REFUSABLE``, and custom fields (``base`` entries) by id; ()
    when anything else is wrong (leaving values out could not help)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return ()
    details = data.get("details") if isinstance(data, dict) else None
    if data.get("error") != "RecordInvalid" or not isinstance(details, dict) or not details:
        return ()
    names: list[str] = []
    for key, items in details.items():
        fields = _base_fields(items) if key == "base" else [key] if key in REFUSABLE else None
        if fields is None:
            return ()
        names += fields
    return tuple(dict.fromkeys(names))


def _custom_name(key: str) -> str:
    return f"{CUSTOM_FIELD}{int(key) if key.strip().isdigit() else key}"


def leavable(ticket: NewTicket) -> frozenset[str]:
    """The names a refusal of ``ticket`` may leave out: the values it sets (in Zendesk's
    words) and its custom fields. A refusal naming anything else is not about them."""
    chosen = {key for key, attr in REFUSABLE.items() if getattr(ticket, attr)}
    return frozenset(chosen | {_custom_name(key) for key, _ in ticket.custom_fields})


def without(ticket: NewTicket, names: Iterable[str]) -> NewTicket:
    """``ticket`` without the values ``names`` (``refused_fields``' words) designate."""
    left = set(names)
    cleared: dict[str, Any] = {REFUSABLE[name]: None for name in left if name in REFUSABLE}
    kept = tuple((key, value) for key, value in ticket.custom_fields
                 if _custom_name(key) not in left)
    return replace(ticket, **cleared, custom_fields=kept)


def left_out_values(ticket: NewTicket, refusals: Iterable[RefusedFields]
                    ) -> list[tuple[str, object]]:
    """(name, value) of each value the refusals left out, as the ticket had it."""
    custom = {_custom_name(key): value for key, value in ticket.custom_fields}
    return [(name, getattr(ticket, REFUSABLE[name]) if name in REFUSABLE else custom.get(name))
            for refusal in refusals for name in refusal.fields]
