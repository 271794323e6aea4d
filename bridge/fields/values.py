"""One value against one ticket field: the value as the helpdesk takes it, or why not.

Both helpdesks are stricter than they look, and differently: Zendesk silently drops an
unknown drop-down value and answers 422 for a bad date or number; Freshdesk answers 400
for any of them (``datatype_mismatch``, ``invalid_date``, ``invalid_value``). So values
are checked here against the field's normalised kind, and converted where the meaning is
unambiguous (``"true"`` for a checkbox, ``"12"`` for an integer, a TOML date, a number for
a text field): what passes is safe to write to either helpdesk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from bridge.fields.model import TicketField

MAX_OPTIONS_SHOWN = 20
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")

Checked = tuple[Any, str | None]  # (value to write, None) or (None, reason)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def options_text(field: TicketField) -> str:
    """``bronze, silver`` (``value (Label)`` where they differ), at most 20 of them."""
    shown = [value if value == label else f"{value} ({label})"
             for value, label in field.options[:MAX_OPTIONS_SHOWN]]
    more = len(field.options) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "") or "(no options)"


def _text(field: TicketField, value: Any) -> Checked:
    if _is_number(value):
        value = str(value)
    if not isinstance(value, str):
        return None, f"field {field.describe()} takes text, not {_shown(value)}"
    if field.max_length is not None and len(value) > field.max_length:
        return None, (f"field {field.describe()} takes at most {field.max_length} characters "
                      f"(the value has {len(value)})")
    if field.kind == "regexp" and field.pattern and not _matches(field.pattern, value):
        return None, f"{value!r} does not match the pattern {field.pattern} of field " \
                     f"{field.describe()}"
    return value, None


def _matches(pattern: str, value: str) -> bool:
    """Zendesk patterns are Ruby regexes; one Python cannot compile is not held against
    the value (Zendesk itself will judge it)."""
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True


def _checkbox(field: TicketField, value: Any) -> Checked:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", None
    if isinstance(value, bool):
        return value, None
    return None, f"field {field.describe()} is a checkbox: it takes true or false, " \
                 f"not {_shown(value)}"


def _date(field: TicketField, value: Any) -> Checked:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat(), None
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat(), None
        except ValueError:
            return None, f"{value!r} is not a real date (field {field.describe()})"
    return None, f"field {field.describe()} is a date: it takes YYYY-MM-DD, not {_shown(value)}"


def _integer(field: TicketField, value: Any) -> Checked:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value), None
    return None, f"field {field.describe()} takes a whole number, not {_shown(value)}"


def _decimal(field: TicketField, value: Any) -> Checked:
    if _is_number(value) and math.isfinite(value):
        return value, None
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return float(value), None
    return None, f"field {field.describe()} takes a number, not {_shown(value)}"


def _not_an_option(field: TicketField, value: str) -> str:
    kind = "drop-down" if field.kind == "dropdown" else "multi-select"
    hint = next((f" (did you mean its value {v!r}?)" for v, label in field.options
                 if label.casefold() == value.casefold() and v != value), "")
    return (f"{value!r} is not an option of {kind} {field.title!r} ({field.key}): "
            f"{options_text(field)}{hint}")


def _dropdown(field: TicketField, value: Any) -> Checked:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, f"drop-down {field.title!r} ({field.key}) takes one option, " \
                     f"not {_shown(value)}"
    if value not in field.option_values:
        return None, _not_an_option(field, value)
    return value, None


def _multiselect(field: TicketField, value: Any) -> Checked:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        return None, f"multi-select {field.title!r} ({field.key}) takes a list of options, " \
                     f"not {_shown(value)}"
    wrong = [item for item in items if item not in field.option_values]
    if wrong:
        return None, _not_an_option(field, wrong[0])
    return list(dict.fromkeys(items)), None


_CHECKS: dict[str, Callable[[TicketField, Any], Checked]] = {
    "text": _text, "textarea": _text, "regexp": _text, "checkbox": _checkbox, "date": _date,
    "integer": _integer, "decimal": _decimal, "dropdown": _dropdown,
    "multiselect": _multiselect,
}


def check_value(field: TicketField, value: Any) -> Checked:
    """``(value to write, None)`` or ``(None, reason)``. ``None`` clears any field; a kind
    the bridge does not know (``other``) takes anything and leaves it to the helpdesk."""
    if value is None:
        return None, None
    check = _CHECKS.get(field.kind)
    return (value, None) if check is None else check(field, value)
