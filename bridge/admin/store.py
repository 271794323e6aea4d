"""Rules and mappings kept in the database, each change and its audit row committed in
one transaction; with the TOML file's read-only items in every listing.

Evaluation order: the TOML file's rules first, in file order, then the database rules
by position. The file is what a team reviews in git, so a rule added in the pages
cannot shadow it; the pages add to it. Mappings follow the same order. Callers pass a
session; every change commits before it returns, every refusal raises before writing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.admin import audit, changes, items, rows, sources
from bridge.admin.errors import Conflict, Invalid, NotFound, Problem
from bridge.admin.mappings import (
    active_mappings,
    create_mapping,
    delete_mapping,
    get_mapping,
    list_mappings,
    set_mapping_enabled,
    update_mapping,
)
from bridge.admin.models import AdminRule
from bridge.admin.views import RuleItem, RuleList
from bridge.fields import check
from bridge.rules.model import Rule

__all__ = [
    "RULE_ORDER", "active_mappings", "active_rules", "create_mapping", "create_rule",
    "delete_mapping", "delete_rule", "get_mapping", "get_rule", "list_mappings",
    "list_rules", "reorder_rules", "set_mapping_enabled", "set_rule_enabled",
    "update_mapping", "update_rule",
]

RULE_ORDER = ("TOML rules first (file order, read-only), then database rules by position; "
              "a matching rule with stop=true ends the evaluation")


def _db_rules(s: Session, lock: bool = False) -> list[AdminRule]:
    query = select(AdminRule).order_by(AdminRule.position, AdminRule.id)
    return list(s.scalars(query.with_for_update() if lock else query))


def list_rules(s: Session) -> RuleList:
    toml = sources.toml_rules()
    found = [items.toml_rule_item(n, source, rule) for n, (source, rule) in enumerate(toml, 1)]
    found += [items.rule_item(row, len(toml) + n) for n, row in enumerate(_db_rules(s), 1)]
    return RuleList(items=found, evaluation_order=RULE_ORDER)


def get_rule(s: Session, ident: int | str) -> RuleItem:
    """One rule as listed (its position is its place in the whole evaluation order)."""
    for item in list_rules(s).items:
        if item.id == ident:
            return item
    raise NotFound(f"no rule {ident}")


def active_rules(s: Session) -> list[Rule]:
    """The enabled rules in evaluation order (TOML first, then the database's)."""
    return [item.rule for item in list_rules(s).items if item.rule.enabled]


def _check_fields(s: Session, rule: Rule) -> None:
    if not rule.then.fields:
        return
    errors = check.field_value_errors(s, dict(rule.then.fields))
    if errors:
        raise Invalid("the field values do not fit the helpdesk's fields",
                      [("then.fields", error) for error in errors])


def _columns(rule: Rule) -> dict[str, object]:
    return {"name": rule.name, "enabled": rule.enabled, "stop": rule.stop,
            "definition": items.dump(rule)}


def _load(s: Session, ident: int | str) -> AdminRule:
    return rows.load(s, AdminRule, ident, len(sources.toml_rules()), "rule")


KIND = changes.Kind("rule", _load, items.rule_snapshot, _columns, _check_fields,
                    items.rule_of)


def create_rule(s: Session, rule: Rule, actor: str) -> RuleItem:
    """A new rule, last in the order."""
    _check_fields(s, rule)
    # Two creates at once may share a position; the order breaks the tie by id.
    last = s.scalar(select(func.max(AdminRule.position))) or 0
    now = clock.now()
    row = AdminRule(position=last + 1, created_at=now, updated_at=now, version=1,
                    **_columns(rule))
    s.add(row)
    s.flush()
    audit.record(s, actor, "create", "rule", row.id, None, items.rule_snapshot(row))
    s.commit()
    return get_rule(s, row.id)


def update_rule(s: Session, ident: int | str, rule: Rule, version: int, actor: str) -> RuleItem:
    """Replace a rule's definition; ``version`` is the one the client read (409 if stale)."""
    return get_rule(s, changes.update(s, KIND, ident, rule, version, actor).id)


def delete_rule(s: Session, ident: int | str, actor: str, version: int | None = None) -> None:
    changes.delete(s, KIND, ident, actor, version)


def set_rule_enabled(s: Session, ident: int | str, enabled: bool, actor: str) -> RuleItem:
    """Enable or disable; enabling re-checks the field values."""
    return get_rule(s, changes.set_enabled(s, KIND, ident, enabled, actor).id)


def reorder_rules(s: Session, order: list[int | str], actor: str) -> RuleList:
    """Give the database rules the order of ``order``: every one of them exactly once.
    TOML rules keep the file's order (409); a list that names other rules than the
    current ones is a 409 too (someone added or deleted one meanwhile: reload)."""
    _check_order(order)
    current = _db_rules(s, lock=True)
    ids = [row.id for row in current]
    wanted = [ident for ident in order if isinstance(ident, int)]
    if sorted(wanted) != sorted(ids):
        raise Conflict("the order must name every database rule exactly once; reload and retry",
                       _mismatch(ids, wanted))
    if wanted != ids:
        by_id = {row.id: row for row in current}
        for position, ident in enumerate(wanted, 1):
            by_id[ident].position = position
        audit.record(s, actor, "reorder", "rule", None, {"order": ids}, {"order": wanted})
        s.commit()
    return list_rules(s)


def _mismatch(ids: list[int], wanted: list[int]) -> list[Problem]:
    problems: list[Problem] = []
    if missing := sorted(set(ids) - set(wanted)):
        problems.append(("", f"missing rule ids: {missing}"))
    if unknown := sorted(set(wanted) - set(ids)):
        problems.append(("", f"unknown rule ids: {unknown}"))
    return problems


def _check_order(order: list[int | str]) -> None:
    toml = [ident for ident in order if isinstance(ident, str)]
    if toml:
        raise Conflict("TOML rules are read-only and keep the file's order; "
                       "list database rule ids only", [("", f"TOML ids: {toml}")])
    seen: set[int | str] = set()
    for n, ident in enumerate(order):
        if ident in seen:
            raise Invalid("each rule id may appear once", [(f"[{n}]", f"{ident} is repeated")])
        seen.add(ident)
