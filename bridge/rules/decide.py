"""Rules, mappings and the language tag together: what one message's ticket gets.

``decide`` is what the pipeline calls; ``dry_run`` is the same with the per-rule traces
the admin pages show. The detected language (``Facts.language``) adds ``lang_xx`` first
among the tags, whether or not a rule routes on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bridge.rules.engine import Trace, explain
from bridge.rules.language import language_tag
from bridge.rules.mappings import apply_mappings
from bridge.rules.model import Decision, Facts, Mapping, Rule


def decide(rules: Sequence[Rule], mappings: Sequence[Mapping], facts: Facts) -> Decision:
    return dry_run(rules, mappings, facts)[0]


def dry_run(rules: Sequence[Rule], mappings: Sequence[Mapping],
            facts: Facts) -> tuple[Decision, tuple[Trace, ...]]:
    decision, traces = explain(rules, facts)
    if facts.language:
        tag = language_tag(facts.language)
        decision = replace(decision, tags=(tag, *(t for t in decision.tags if t != tag)))
    decision = replace(decision, fields=apply_mappings(mappings, facts, decision))
    return decision, traces
