"""Routing rules, in order: which match one message, and what they decide together.

Rules run top to bottom; disabled rules are skipped. A matching rule with ``stop = true``
(the default) ends the evaluation; with ``stop = false`` the next rules are tried too.
When several rules match, their actions merge:

- ``tags`` and ``categories`` accumulate, in rule order, without duplicates; a category
  is added as the tag of the same name;
- single values (``priority``, ``severity``, ``group_id``, ``assignee_id``,
  ``ticket_type``, ``brand_id``): the first matching rule that sets one wins, so put the
  specific rules first. The winning severity is also written as the tag
  ``severity_<value>`` (lower case, spaces as ``_``);
- ``fields``: the first rule that writes a field wins, per field;
- ``take_private`` and ``suppress``: any matching rule that asks for it.

``explain`` gives the same decision plus one ``Trace`` per rule for the dry run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bridge.rules.conditions import Failure, Subject, failures
from bridge.rules.model import Actions, Decision, Facts, Rule

Outcome = Literal["matched", "failed", "disabled", "not_reached"]


@dataclass(frozen=True)
class Trace:
    """What one rule did for one message: ``failures`` lists every condition that did not
    hold; ``not_reached`` means an earlier matching rule stopped the evaluation."""

    rule: str
    outcome: Outcome
    failures: tuple[Failure, ...] = ()
    stopped: bool = False  # matched with stop = true: no later rule was tried

    @property
    def matched(self) -> bool:
        return self.outcome == "matched"


_SINGLE = ("priority", "severity", "group_id", "assignee_id", "ticket_type", "brand_id")


@dataclass
class _Merge:
    fired: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    single: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    take_private: bool = False
    suppress: bool = False

    def add(self, name: str, then: Actions) -> None:
        self.fired.append(name)
        self._tags([*then.tags, *then.categories])
        for key in _SINGLE:
            value = getattr(then, key)
            if value is not None and key not in self.single:
                self.single[key] = value
                if key == "severity" and severity_tag(value):
                    self._tags([severity_tag(value)])
        for key, value in then.fields.items():
            self.fields.setdefault(key, value)
        self.take_private = self.take_private or then.take_private
        self.suppress = self.suppress or then.suppress

    def _tags(self, tags: Sequence[str]) -> None:
        self.tags.extend(t for t in tags if t not in self.tags)

    def decision(self) -> Decision:
        one = self.single.get
        return Decision(
            fired=tuple(self.fired), tags=tuple(self.tags), priority=one("priority"),
            severity=one("severity"), group_id=one("group_id"),
            assignee_id=one("assignee_id"), ticket_type=one("ticket_type"),
            brand_id=one("brand_id"), fields=tuple(self.fields.items()),
            take_private=self.take_private, suppress=self.suppress)


def severity_tag(severity: str) -> str:
    """``severity_<value>``: lower case, spaces as ``_``, no commas, at most 80 characters
    like every tag ("" when empty)."""
    slug = re.sub(r"\s+", "_", severity.strip().lower().replace(",", ""))
    return f"severity_{slug}"[:80] if slug else ""


def evaluate(rules: Sequence[Rule], facts: Facts) -> Decision:
    """The rules' decision for one message (no mappings, no language tag)."""
    return explain(rules, facts)[0]


def explain(rules: Sequence[Rule], facts: Facts) -> tuple[Decision, tuple[Trace, ...]]:
    """The decision and, per rule, whether it matched and which conditions failed."""
    subject = Subject.of(facts)
    merge, traces, stopped_by = _Merge(), [], None
    for rule in rules:
        if not rule.enabled:
            traces.append(Trace(rule.name, "disabled"))
        elif stopped_by is not None:
            traces.append(Trace(rule.name, "not_reached"))
        elif failed := failures(rule.when, subject):
            traces.append(Trace(rule.name, "failed", failed))
        else:
            merge.add(rule.name, rule.then)
            traces.append(Trace(rule.name, "matched", stopped=rule.stop))
            stopped_by = rule.name if rule.stop else None
    return merge.decision(), tuple(traces)
