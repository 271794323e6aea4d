"""/api/v1/rules: list, create, read, replace, delete, enable, disable, reorder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from bridge import db
from bridge.admin import items, store
from bridge.admin.errors import Problem
from bridge.rules.model import Rule
from bridge.web import api_auth, api_items
from bridge.web.api_io import RequestError, item_id, json_body, model_response

bp = Blueprint("api_rules", __name__)


@bp.get("/rules")
def list_rules() -> Response:
    with db.session() as s:
        return model_response(store.list_rules(s))


@bp.post("/rules")
def create_rule() -> Response:
    return api_items.create(Rule, store.create_rule, "rules")


@bp.get("/rules/<item:ident>")
def get_rule(ident: str) -> Response:
    with db.session() as s:
        return model_response(store.get_rule(s, item_id(ident, "rule")))


@bp.put("/rules/<item:ident>")
def update_rule(ident: str) -> Response:
    return api_items.replace(ident, "rule", Rule, store.update_rule)


@bp.delete("/rules/<item:ident>")
def delete_rule(ident: str) -> Response:
    return api_items.delete(ident, "rule", store.delete_rule)


@bp.post("/rules/<item:ident>/enable")
def enable_rule(ident: str) -> Response:
    return api_items.set_enabled(ident, "rule", True, store.set_rule_enabled)


@bp.post("/rules/<item:ident>/disable")
def disable_rule(ident: str) -> Response:
    return api_items.set_enabled(ident, "rule", False, store.set_rule_enabled)


@bp.post("/rules/order")
def reorder_rules() -> Response:
    order = rule_ids(json_body())
    with db.session() as s:
        return model_response(store.reorder_rules(s, order, api_auth.actor()))


def rule_ids(data: Any) -> list[int | str]:
    """The reorder body: a JSON array of rule ids, first to last (``toml-<n>`` ids pass
    here and are refused by the store with their reason)."""
    if not isinstance(data, list):
        raise RequestError(422, "send a JSON array of rule ids, first to last",
                           [("", f"got {type(data).__name__}")])
    ids: list[int | str] = []
    problems: list[Problem] = []
    for n, value in enumerate(data):
        ident = _rule_id(value)
        if ident is None:
            problems.append((f"[{n}]", "a rule id is a positive integer or toml-<n>"))
        else:
            ids.append(ident)
    if problems:
        raise RequestError(422, "the order is not a list of rule ids", problems)
    return ids


def _rule_id(value: Any) -> int | str | None:
    """An integral float (3.0) is the integer JSON Schema says it is; a bool is not."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 1 else None
    if isinstance(value, str) and items.toml_index(value) is not None:
        return value
    return None
