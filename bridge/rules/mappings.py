"""Field mappings: message and customer facts written into helpdesk fields.

Each enabled mapping reads its ``source`` from the message's ``Facts`` (``account`` is
the account id, ``categories`` the decided categories), runs its transforms in order,
and writes the result into its ``field``. Precedence, per field:

1. a rule's ``then.fields`` value wins over every mapping: a rule is the specific
   exception, mappings the general wiring;
2. among mappings, the first one with a non-empty result wins; an empty result (nothing
   to say, e.g. no profile URL on WhatsApp) is skipped, so a later mapping to the same
   field acts as a fallback.

Source ``categories``: every category a rule gave is a tag on the ticket anyway; the field
gets the *first* one (the earliest matching rule's), which suits the usual drop-down
"Category" field. Chain ``default`` to fill it when no rule gave one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.rules.model import CATEGORIES, Decision, Facts, Mapping, Source
from bridge.rules.transforms import apply_transforms, is_empty

_FACT = {"channel": "channel", "account": "account_id", "handle": "handle",
         "display_name": "display_name", "external_id": "external_id",
         "profile_url": "profile_url", "language": "language", "link": "link",
         "follower_count": "follower_count", "verified": "verified",
         "returning_customer": "returning_customer", "text": "text"}


def source_value(source: Source, facts: Facts, decision: Decision) -> Any:
    """The raw value a mapping starts from."""
    if source == "categories":
        return next((tag for tag in decision.tags if tag in CATEGORIES), None)
    return getattr(facts, _FACT[source])


def mapped_value(mapping: Mapping, facts: Facts, decision: Decision) -> Any:
    """The value one mapping writes (``None`` or empty: it writes nothing)."""
    return apply_transforms(source_value(mapping.source, facts, decision), mapping.transforms)


def apply_mappings(mappings: Sequence[Mapping], facts: Facts,
                   decision: Decision) -> tuple[tuple[str, Any], ...]:
    """Every field value for the ticket: the rules' ``decision.fields`` first, then each
    mapped field no rule wrote (see the module docstring for the precedence)."""
    values: dict[str, Any] = dict(decision.fields)
    for mapping in mappings:
        if not mapping.enabled or mapping.field in values:
            continue
        value = mapped_value(mapping, facts, decision)
        if not is_empty(value):
            values[mapping.field] = value
    return tuple(values.items())
