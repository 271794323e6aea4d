"""Field values and mappings against the helpdesk's current ticket fields.

Three questions, one set of answers:

- ``value_errors``: may a rule's ``then.fields`` be saved? (unknown or inactive field,
  a value the field does not take);
- ``mapping_errors``: may a mapping be saved? (the same for its field, and whether what the
  source gives, after its transforms, can fit the field: ``bridge.fields.sources``);
- ``filter_fields``: at ticket creation, which values to write and which to leave out,
  each with its reason. The ticket is created either way: a field the admin broke in the
  helpdesk later costs that value, never the customer's message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bridge.fields.model import TicketField, by_key, helpdesk_title
from bridge.fields.sources import source_errors
from bridge.fields.values import check_value
from bridge.rules.model import Mapping as FieldMapping

MAX_FIELDS_SHOWN = 12


def _fields_text(fields: Sequence[TicketField]) -> str:
    active = [f for f in fields if f.active]
    shown = ", ".join(f.describe() for f in active[:MAX_FIELDS_SHOWN])
    more = len(active) - MAX_FIELDS_SHOWN
    return (shown + (f" and {more} more" if more > 0 else "")) or "(no custom fields)"


def field_error(key: str, fields: Sequence[TicketField], helpdesk: str) -> str | None:
    """Why ``key`` names no usable field: it does not exist, or it is inactive."""
    found = by_key(fields).get(key)
    title = helpdesk_title(helpdesk)
    if found is None:
        return f"field {key} does not exist in {title}; fields: {_fields_text(fields)}"
    if not found.active:
        return f"field {found.describe()} is inactive in {title}"
    return None


def value_errors(fields: Sequence[TicketField], values: Mapping[str, Any],
                 helpdesk: str = "") -> list[str]:
    """Every reason these field values cannot be saved (empty: they can)."""
    errors: list[str] = []
    known = by_key(fields)
    for key, value in values.items():
        problem = field_error(str(key), fields, helpdesk)
        if problem is None:
            problem = check_value(known[str(key)], value)[1]
        if problem is not None:
            errors.append(problem)
    return errors


def mapping_errors(fields: Sequence[TicketField], mapping: FieldMapping,
                   helpdesk: str = "") -> list[str]:
    """Every reason this mapping cannot be saved (empty: it can)."""
    problem = field_error(mapping.field, fields, helpdesk)
    if problem is not None:
        return [problem]
    return source_errors(mapping, by_key(fields)[mapping.field])


def filter_fields(
    values: Iterable[tuple[str, Any]] | Mapping[str, Any],
    cached: Sequence[TicketField],
    helpdesk: str = "",
) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """``(kept, skipped)``: the values that fit the current fields, converted to what the
    helpdesk takes (``"12"`` → 12 for an integer field...), and one reason per value left
    out. Later values of the same field win, as when a dict is built from the pairs."""
    pairs = values.items() if isinstance(values, Mapping) else values
    merged = dict((str(key), value) for key, value in pairs)
    known = by_key(cached)
    kept: list[tuple[str, Any]] = []
    skipped: list[str] = []
    for key, value in merged.items():
        problem = field_error(key, cached, helpdesk)
        converted: Any = None
        if problem is None:
            converted, problem = check_value(known[key], value)
        if problem is None:
            kept.append((key, converted))
        else:
            skipped.append(f"left out: {problem}")
    return tuple(kept), tuple(skipped)
