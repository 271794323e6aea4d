"""Can what a mapping's source gives, after its transforms, fit the field it writes?

A mapping is followed for every new ticket, so it is judged by every value it can give:
the values known in advance (channel kinds, categories, true/false, a lookup table's
values, a fallback or default) are each checked against the field like a rule's value;
values not known in advance (free text, a follower count) must at least be of a type the
field takes. Drop-downs take free values only through a ``lookup`` transform (the admin
chose which ones match) or from ``language`` (ISO codes, commonly the option values);
a value that is no option at ticket time is left out by ``filter_fields``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from bridge.fields.model import CHOICE_KINDS, TicketField
from bridge.fields.values import check_value, options_text
from bridge.rules.model import CATEGORIES, ChannelName, Mapping, Transform

SOURCE_TYPES = {"follower_count": "integer", "verified": "boolean",
                "returning_customer": "boolean", "categories": "list"}  # others: string
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "channel": get_args(ChannelName), "categories": CATEGORIES,
    "verified": ("true", "false"), "returning_customer": ("true", "false"),
}
OPEN_TO_OPTIONS = ("language",)
TYPE_WORDS = {"string": "free text", "integer": "a number", "boolean": "true or false",
              "list": "a list of categories"}
# What a value of each type can be written to, when its exact values are not known.
TAKES = {
    "string": ("text", "textarea", "regexp"),
    "integer": ("text", "textarea", "regexp", "integer", "decimal"),
    "boolean": ("checkbox", "text", "textarea"),
    "list": ("multiselect",),
}


@dataclass
class Output:
    """What a mapping can give: its type, the values known in advance (each with where it
    comes from), whether other values are possible (``open``), and whether a lookup ran."""

    type: str
    values: dict[str, str] = field(default_factory=dict)
    open: bool = True
    lookup: bool = False


def _start(source: str) -> Output:
    known = KNOWN_VALUES.get(source, ())
    return Output(SOURCE_TYPES.get(source, "string"),
                  {value: f"source {source!r}" for value in known}, open=not known)


def _apply(out: Output, step: Transform) -> Output:
    kind = out.type if out.type == "list" else "string"
    if step.kind in ("lower", "upper"):
        change = str.lower if step.kind == "lower" else str.upper
        return Output(kind, {change(v): o for v, o in out.values.items()}, out.open, out.lookup)
    if step.kind == "truncate":
        size = step.length
        values = {v[:size] if size else v: o for v, o in out.values.items()}
        return Output(kind, values, out.open, out.lookup)
    if step.kind == "lookup":
        table = step.table or {}
        values = {v: "the lookup table" for v in table.values()}
        if step.value is not None:
            values[step.value] = "the lookup fallback"
        else:  # unmatched values pass through
            values.update({v: o for v, o in out.values.items() if v not in table})
        return Output(kind, values, out.open and step.value is None, lookup=True)
    if step.kind == "default" and step.value is not None:
        return Output(kind, {**out.values, step.value: "the default"}, out.open, out.lookup)
    return out


def output_of(mapping: Mapping) -> Output:
    out = _start(mapping.source)
    for step in mapping.transforms:
        out = _apply(out, step)
    return out


def _open_error(mapping: Mapping, out: Output, target: TicketField) -> str | None:
    """Values not known in advance: is their type one the field takes?"""
    if target.kind == "other":
        return None
    if target.kind in CHOICE_KINDS and out.type == "string":
        if out.lookup or mapping.source in OPEN_TO_OPTIONS:
            return None
        return (f"source {mapping.source!r} gives free text, which is rarely an option of "
                f"{target.title!r} ({target.key}): add a lookup transform whose values are "
                "its options")
    if target.kind in TAKES[out.type]:
        return None
    after = " after its transforms" if mapping.transforms else ""
    return (f"source {mapping.source!r} gives {TYPE_WORDS[out.type]}{after}, which field "
            f"{target.describe()} ({target.kind}) cannot take")


def _value_errors(out: Output, target: TicketField) -> list[str]:
    """Each value known in advance, checked like a rule's value; the ones that are no
    option of a drop-down are named together, by where they come from."""
    errors: list[str] = []
    not_options: dict[str, list[str]] = {}
    for value, origin in out.values.items():
        reason = check_value(target, [value] if out.type == "list" else value)[1]
        if reason is None:
            continue
        if target.kind in CHOICE_KINDS:
            not_options.setdefault(origin, []).append(value)
        else:
            errors.append(f"{origin} can give {value!r}: {reason}")
    kind = "drop-down" if target.kind == "dropdown" else "multi-select"
    for origin, values in not_options.items():
        which = "which is not an option" if len(values) == 1 else "which are not options"
        errors.append(f"{origin} can give {', '.join(map(repr, values))}, {which} of {kind} "
                      f"{target.title!r} ({target.key}): {options_text(target)}")
    return errors


def source_errors(mapping: Mapping, target: TicketField) -> list[str]:
    """Every reason this mapping's values cannot fit ``target`` (empty: they can)."""
    out = output_of(mapping)
    if out.type in ("integer", "boolean") or (
            out.type == "list" and target.kind not in ("multiselect", "other")):
        problem = _open_error(mapping, out, target)  # a typed value: its type decides
        return [problem] if problem else []
    errors: list[str] = []
    if out.open:
        problem = _open_error(mapping, out, target)
        if problem:
            errors.append(problem)
    return errors + _value_errors(out, target)
