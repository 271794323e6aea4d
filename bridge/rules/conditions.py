"""Does a rule's condition hold for one message? Every part that fails, with the reason.

Every part that is set must hold (AND); within a list, any item is enough (OR). Facts the
platform did not give (follower count, verified, business hours, language) never satisfy
a condition on them: ``verified = false`` means "the platform says not verified", not
"unknown". A language condition ``pt`` also matches a detected ``pt-br``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bridge.rules.model import Condition, Facts
from bridge.rules.patterns import regex_matches
from bridge.rules.text import contains_keyword, normalise, normalise_keyword


@dataclass(frozen=True)
class Subject:
    """One message's facts with its normalised text, computed once for every rule."""

    facts: Facts
    normalised: str

    @classmethod
    def of(cls, facts: Facts) -> Subject:
        return cls(facts, normalise(facts.text))


@dataclass(frozen=True)
class Failure:
    """One part of a condition that does not hold: its field name and why."""

    condition: str
    reason: str


Check = Callable[[Condition, Subject], str | None]  # the reason it fails, or None


def failures(condition: Condition, subject: Subject) -> tuple[Failure, ...]:
    """The parts of ``condition`` that fail for ``subject``; empty when it matches."""
    found = []
    for name, check in CHECKS:
        reason = check(condition, subject)
        if reason is not None:
            found.append(Failure(name, reason))
    return tuple(found)


def _channels(c: Condition, s: Subject) -> str | None:
    if not c.channels or s.facts.channel in c.channels:
        return None
    return f"channel {s.facts.channel} is not one of {', '.join(c.channels)}"


def _accounts(c: Condition, s: Subject) -> str | None:
    if not c.accounts or s.facts.account_id in c.accounts:
        return None
    return f"account {s.facts.account_id} is not one of {', '.join(c.accounts)}"


def _languages(c: Condition, s: Subject) -> str | None:
    if not c.languages:
        return None
    found = (s.facts.language or "").strip().lower().replace("_", "-")
    if not found:
        return "the language is unknown"
    for wanted in (w.strip().lower().replace("_", "-") for w in c.languages):
        if found == wanted or found.startswith(wanted + "-"):
            return None
    return f"language {found} is not one of {', '.join(c.languages)}"


def _keywords(c: Condition, s: Subject) -> str | None:
    if not c.keywords:
        return None
    if any(contains_keyword(s.normalised, normalise_keyword(k)) for k in c.keywords):
        return None
    return "none of the keywords is in the text"


def _regex(c: Condition, s: Subject) -> str | None:
    if c.regex is None or regex_matches(c.regex, s.normalised, s.facts.text):
        return None
    return "the regular expression finds nothing"


def _min_followers(c: Condition, s: Subject) -> str | None:
    count = s.facts.follower_count
    if c.min_followers is None or (count is not None and count >= c.min_followers):
        return None
    if count is None:
        return "the follower count is unknown"
    return f"{count} followers, fewer than {c.min_followers}"


def _flag(name: str, yes: str, no: str) -> Check:
    """A check that a boolean fact equals the condition's value; unknown never does."""

    def check(c: Condition, s: Subject) -> str | None:
        wanted, actual = getattr(c, name), getattr(s.facts, name)
        if wanted is None or actual == wanted:
            return None
        if actual is None:
            return f"{name.replace('_', ' ')}: unknown"
        return f"wanted {yes if wanted else no}, got {yes if actual else no}"

    return check


CHECKS: tuple[tuple[str, Check], ...] = (
    ("channels", _channels),
    ("accounts", _accounts),
    ("languages", _languages),
    ("keywords", _keywords),
    ("regex", _regex),
    ("min_followers", _min_followers),
    ("verified", _flag("verified", "verified", "not verified")),
    ("returning_customer", _flag("returning_customer", "a returning customer",
                                 "a new customer")),
    ("business_hours", _flag("business_hours", "within business hours",
                             "outside business hours")),
)
