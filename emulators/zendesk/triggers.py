"""Trigger evaluation after each ticket change, and event-subscription payloads."""

from __future__ import annotations

import json
import re
from typing import Any

from .delivery import Delivery, dispatch
from .events import EVENT_PREFIX, event_payload
from .records import normalize_tags
from .state import JSON, EmulatorState
from .tickets import STATUSES, Change

VIA_IDS = {"web": 0, "web_form": 0, "mail": 4, "email": 4, "api": 5, "web_service": 5, "rule": 8}


def _status_rank(value: Any) -> int:
    return STATUSES.index(value) if value in STATUSES else -1


def _condition(cond: JSON, change: Change, state: EmulatorState) -> bool:
    field, op, value = cond.get("field"), cond.get("operator", "is"), cond.get("value")
    ticket = change.ticket
    if field == "update_type":
        actual = "Create" if change.created else "Change"
        same_type = bool(actual == value)
        return same_type if op == "is" else (not same_type if op == "is_not" else False)
    if field == "status":
        current = ticket["status"]
        previous = change.previous["status"] if change.previous else None
        checks = {
            "is": current == value,
            "is_not": current != value,
            "less_than": _status_rank(current) < _status_rank(value),
            "greater_than": _status_rank(current) > _status_rank(value),
            "changed": change.status_changed,
            "not_changed": not change.status_changed,
            "value": change.status_changed and current == value,
            "value_previous": change.status_changed and previous == value,
            "not_value": change.status_changed and current != value,
            "not_value_previous": change.status_changed and previous != value,
        }
        return bool(checks.get(str(op), False))
    if field == "comment_is_public":
        wanted = str(value).lower()
        if wanted == "not_relevant":
            return True
        if change.comment is None or wanted not in ("true", "false"):
            return False
        return bool(change.comment["public"]) == (wanted == "true")
    if field == "current_tags":
        wanted_tags = normalize_tags(value)
        hit = any(tag in ticket["tags"] for tag in wanted_tags)
        return hit if op == "includes" else (not hit if op == "not_includes" else False)
    if field == "role":
        user = state.users.get(change.author_id, {})
        role = "end_user" if user.get("role", "end-user") == "end-user" else "agent"
        matches = value == role or (value == "admin" and user.get("role") == "admin")
        return matches if op == "is" else (not matches if op == "is_not" else False)
    if field == "via_id":
        actual_via = VIA_IDS.get(change.channel, -1)
        try:
            same = actual_via == int(str(value))
        except (TypeError, ValueError):
            return False
        return same if op == "is" else (not same if op == "is_not" else False)
    return False


def matches(trigger: JSON, change: Change, state: EmulatorState) -> bool:
    conditions = trigger.get("conditions") or {}
    all_of = conditions.get("all") or trigger.get("all") or []
    any_of = conditions.get("any") or trigger.get("any") or []
    if not all(_condition(c, change, state) for c in all_of):
        return False
    return not any_of or any(_condition(c, change, state) for c in any_of)


def placeholders(change: Change, state: EmulatorState, base: str) -> dict[str, str]:
    ticket = change.ticket
    requester = state.users.get(ticket["requester_id"], {})
    assignee = state.users.get(ticket["assignee_id"] or 0, {})
    actor = state.users.get(change.author_id, {})
    public = [c for c in state.comments.get(ticket["id"], []) if c["public"]]
    latest = state.comments.get(ticket["id"], [])
    values: dict[str, Any] = {
        "ticket.id": ticket["id"],
        "ticket.status": str(ticket["status"]).capitalize(),
        "ticket.title": ticket["subject"],
        "ticket.tags": " ".join(ticket["tags"]),
        "ticket.latest_public_comment": public[-1]["body"] if public else "",
        "ticket.latest_comment": latest[-1]["body"] if latest else "",
        "ticket.description": ticket["description"],
        "ticket.external_id": ticket["external_id"],
        "ticket.priority": str(ticket["priority"] or "").capitalize(),
        "ticket.via": change.channel,
        "ticket.url": f"{base}/agent/tickets/{ticket['id']}",
        "ticket.requester.id": requester.get("id"),
        "ticket.requester.name": requester.get("name"),
        "ticket.requester.email": requester.get("email"),
        "ticket.requester.external_id": requester.get("external_id"),
        "ticket.assignee.name": assignee.get("name"),
        "current_user.id": actor.get("id"),
        "current_user.name": actor.get("name"),
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def render(template: str, values: dict[str, str], json_escape: bool) -> str:
    def sub(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        return json.dumps(value)[1:-1] if json_escape else value

    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", sub, template)


def _delivery(state: EmulatorState, webhook: JSON, body: str, kind: str) -> Delivery:
    return Delivery(
        webhook["id"],
        webhook["endpoint"],
        webhook.get("http_method", "POST"),
        body,
        state.webhook_secrets[webhook["id"]],
        kind,
        webhook.get("authentication"),
        webhook.get("custom_headers"),
    )


def evaluate(state: EmulatorState, change: Change, base: str) -> list[Delivery]:
    """Deliveries due for ``change``; call with ``state.lock`` held."""
    out: list[Delivery] = []
    active_hooks = {k: w for k, w in state.webhooks.items() if w.get("status") == "active"}
    values = placeholders(change, state, base)
    for trigger in sorted(state.triggers.values(), key=lambda t: (t["position"], t["id"])):
        if not trigger.get("active") or not matches(trigger, change, state):
            continue
        for action in trigger.get("actions") or []:
            value = action.get("value")
            if action.get("field") != "notification_webhook" or not isinstance(value, list):
                continue
            hook = active_hooks.get(str(value[0]))
            if hook is not None:
                template = str(value[1]) if len(value) > 1 else ""
                body = render(template, values, hook.get("request_format", "json") == "json")
                out.append(_delivery(state, hook, body, "trigger"))
    kinds = ["created"] if change.created else []
    if not change.created and change.comment is not None:
        kinds.append("comment_added")
    if not change.created and change.status_changed:
        kinds.append("status_changed")
    for hook in active_hooks.values():
        for kind in kinds:
            if EVENT_PREFIX + kind in (hook.get("subscriptions") or []):
                body = json.dumps(event_payload(kind, change, state))
                out.append(_delivery(state, hook, body, EVENT_PREFIX + kind))
    return out


def fire(state: EmulatorState, change: Change, base: str) -> None:
    with state.lock:
        deliveries = evaluate(state, change, base)
    dispatch(state, deliveries)
