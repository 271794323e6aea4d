"""A helpdesk's custom ticket field, helpdesk-neutral: what validation and the cache use.

Each adapter maps its vendor's shape to ``TicketField`` (``bridge/zendesk/fields.py``,
``bridge/freshdesk/fields.py``); nothing here knows a vendor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

FieldKind = Literal[
    "text", "textarea", "dropdown", "multiselect", "checkbox", "date", "integer", "decimal",
    "regexp", "other",
]
KINDS: tuple[str, ...] = get_args(FieldKind)
CHOICE_KINDS = ("dropdown", "multiselect")
HELPDESK_TITLES = {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}


def helpdesk_title(name: str) -> str:
    """``Zendesk`` for ``zendesk``: how messages name a helpdesk."""
    return HELPDESK_TITLES.get(name, name or "the helpdesk")


@dataclass(frozen=True)
class TicketField:
    """One custom ticket field.

    ``key`` is what a ticket write uses: the Zendesk field id as a string, or the Freshdesk
    ``cf_*`` name. ``options`` are ``(value, label)`` pairs of a drop-down or multi-select:
    the value is what is written (a Zendesk option's tag; a Freshdesk choice, which is its
    own label). ``pattern`` is a Zendesk regexp field's ``regexp_for_validation``;
    ``max_length`` a text limit the helpdesk enforces; ``vendor_type`` the helpdesk's own
    type name, shown in messages (``tagger``, ``custom_dropdown``...).
    """

    key: str
    title: str
    kind: FieldKind
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    active: bool = True
    pattern: str | None = None
    max_length: int | None = None
    vendor_type: str = ""

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)

    def describe(self) -> str:
        """``360001 'Order type'`` or ``cf_tier 'Tier'``: how messages name the field."""
        return f"{self.key} {self.title!r}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title": self.title, "kind": self.kind}
        if self.options:
            data["options"] = [list(pair) for pair in self.options]
        if self.required:
            data["required"] = True
        if not self.active:
            data["active"] = False
        for name in ("pattern", "max_length"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        if self.vendor_type:
            data["vendor_type"] = self.vendor_type
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketField:
        kind = data.get("kind")
        return cls(
            key=str(data["key"]),
            title=str(data.get("title") or data["key"]),
            kind=kind if kind in KINDS else "other",
            options=tuple((str(value), str(label)) for value, label in data.get("options", [])),
            required=bool(data.get("required", False)),
            active=bool(data.get("active", True)),
            pattern=data.get("pattern"),
            max_length=data.get("max_length"),
            vendor_type=str(data.get("vendor_type", "")),
        )


def by_key(fields: Iterable[TicketField]) -> dict[str, TicketField]:
    return {field.key: field for field in fields}
