"""Rules and mappings at work: what the saved rulebook makes of one message, with the
field values checked against the helpdesk's current ticket fields.

``decide`` is the whole answer (``explain`` adds the per-rule traces, for the dry run). The
rulebook is the active rules and mappings, TOML file first, then the database's (the admin
store's order). Field values (rules' ``then.fields`` and mappings) are written only when
they fit the helpdesk's cached fields (``bridge.fields.validate.filter_fields``); the others
are left out with their reason in ``Decision.skipped_fields``, so a field an admin broke in
the helpdesk costs that value, never the ticket. The fields are only looked at when the
decision has values to write, so a rulebook without them costs no helpdesk call at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from bridge.errors import BridgeError
from bridge.fields import cache
from bridge.fields.validate import filter_fields
from bridge.helpdesk import Helpdesk
from bridge.rules import decide as rules_decide
from bridge.rules.engine import Trace
from bridge.rules.model import Decision, Facts, Mapping, Rule

FieldsSource = Callable[[], cache.CachedFields | str]  # the fields, or why they are unknown
COMMENT_CHANNELS = ("facebook_comment", "instagram_comment")


@dataclass(frozen=True)
class Rulebook:
    """The active rules and mappings, in evaluation order."""

    rules: tuple[Rule, ...]
    mappings: tuple[Mapping, ...]


def rulebook(session: Session) -> Rulebook:
    """The saved, enabled rules and mappings (TOML first). Raises ``ConfigError`` when the
    TOML file cannot be read."""
    from bridge.admin import store  # the admin package imports the rules: import late

    return Rulebook(tuple(store.active_rules(session)), tuple(store.active_mappings(session)))


def cached_fields(session: Session, helpdesk: Helpdesk | None = None) -> FieldsSource:
    """The helpdesk's fields from the cache, read again when older than its TTL (the beat
    job keeps it fresh, so this is rarely a call); the reason when they cannot be known."""

    def load() -> cache.CachedFields | str:
        try:
            return cache.load(session, helpdesk)
        except BridgeError as exc:
            return f"the helpdesk's ticket fields are unknown: {exc}"

    return load


def decide(session: Session, facts: Facts, *, book: Rulebook | None = None,
           fields: FieldsSource | None = None) -> Decision:
    """What the rulebook (default: the saved one) makes of ``facts``, field values checked
    against ``fields`` (default: the configured helpdesk's cached fields)."""
    return explain(session, facts, book=book, fields=fields)[0]


def explain(session: Session, facts: Facts, *, book: Rulebook | None = None,
            fields: FieldsSource | None = None) -> tuple[Decision, tuple[Trace, ...]]:
    """``decide`` and, per rule, whether it matched and why not."""
    book = book if book is not None else rulebook(session)
    decision, traces = rules_decide.dry_run(book.rules, book.mappings, facts)
    if decision.fields:
        decision = checked(decision, (fields or cached_fields(session))())
    return decision, traces


def checked(decision: Decision, known: cache.CachedFields | str) -> Decision:
    """The decision with only the field values the helpdesk takes, the others named in
    ``skipped_fields``; every value is left out when the fields are unknown."""
    if isinstance(known, str):
        skipped = tuple(f"left out: field {key}: {known}" for key, _ in decision.fields)
        return replace(decision, fields=(), skipped_fields=decision.skipped_fields + skipped)
    kept, skipped = filter_fields(decision.fields, known.fields, known.helpdesk)
    return replace(decision, fields=kept, skipped_fields=decision.skipped_fields + skipped)


def skipped_keys(wanted: Sequence[tuple[str, Any]], decision: Decision) -> list[str]:
    """The field keys that ``wanted`` had and the checked decision left out."""
    kept = {key for key, _ in decision.fields}
    return list(dict.fromkeys(str(key) for key, _ in wanted if str(key) not in kept))


def ticket_tags(decision: Decision, channel: str, private_tag: str) -> tuple[str, ...]:
    """``social``, the channel kind, the decision's tags (``lang_xx`` first, categories and
    severity among them), and the public-to-private tag when a rule asked for it on a
    comment channel (``bridge.private_reply`` acts on it)."""
    tags = ["social", channel, *decision.tags]
    if decision.take_private and channel in COMMENT_CHANNELS and private_tag:
        tags.append(private_tag)
    return tuple(dict.fromkeys(tags))
