"""``/api/v2/triggers``: CRUD, the ``active`` filter and ``/triggers/active``."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from .app import body, get_state, reply
from .errors import invalid, not_found
from .state import JSON, EmulatorState, now_iso

bp = Blueprint("zendesk_triggers", __name__)
API = "/api/v2"
DEFAULT_CATEGORY_ID = "360000200001"


def _apply_trigger(state: EmulatorState, trigger: JSON, data: JSON) -> None:
    for name in ("title", "active", "description", "position", "category_id"):
        if name in data:
            trigger[name] = data[name]
    if "conditions" in data or "all" in data or "any" in data:
        conditions = data.get("conditions") or {}
        trigger["conditions"] = {
            "all": conditions.get("all") or data.get("all") or [],
            "any": conditions.get("any") or data.get("any") or [],
        }
    if "actions" in data:
        trigger["actions"] = data["actions"]
    if not trigger.get("title"):
        raise invalid("title", "Title: cannot be blank", "BlankValue")
    if not isinstance(trigger.get("actions"), list) or not trigger["actions"]:
        raise invalid("actions", "Actions: cannot be blank", "BlankValue")
    for action in trigger["actions"]:
        value = action.get("value")
        if action.get("field") == "notification_webhook":
            if not isinstance(value, list) or not value or str(value[0]) not in state.webhooks:
                raise invalid(
                    "actions", "Actions: notification_webhook needs an existing webhook id"
                )
    trigger["raw_title"] = trigger["title"]
    trigger["updated_at"] = now_iso()


def _trigger(state: EmulatorState, trigger_id: int) -> JSON:
    if trigger_id not in state.triggers:
        raise not_found()
    return state.triggers[trigger_id]


@bp.post(f"{API}/triggers")
def create_trigger() -> Response:
    state = get_state()
    data = body("trigger")
    with state.lock:
        tid = state.next_trigger_id()
        position = max((t["position"] for t in state.triggers.values()), default=0) + 1
        trigger: JSON = {
            "url": f"{API}/triggers/{tid}.json",
            "id": tid,
            "title": None,
            "raw_title": None,
            "active": True,
            "position": position,
            "conditions": {"all": [], "any": []},
            "actions": [],
            "description": None,
            "created_at": now_iso(),
            "updated_at": now_iso(),
            "default": False,
            "category_id": DEFAULT_CATEGORY_ID,
            "restriction": None,
        }
        _apply_trigger(state, trigger, data)
        state.triggers[tid] = trigger
        return reply({"trigger": copy.deepcopy(trigger)}, 201)


@bp.get(f"{API}/triggers")
@bp.get(f"{API}/triggers/active", defaults={"only_active": True})
def list_triggers(only_active: bool = False) -> Response:
    state = get_state()
    active = "true" if only_active else request.args.get("active")
    with state.lock:
        found = [
            copy.deepcopy(t)
            for t in sorted(state.triggers.values(), key=lambda t: t["position"])
            if active is None or str(t["active"]).lower() == active.lower()
        ]
    return reply({"triggers": found, "count": len(found), "next_page": None, "previous_page": None})


@bp.get(f"{API}/triggers/<int:trigger_id>")
def show_trigger(trigger_id: int) -> Response:
    state = get_state()
    with state.lock:
        return reply({"trigger": copy.deepcopy(_trigger(state, trigger_id))})


@bp.put(f"{API}/triggers/<int:trigger_id>")
def update_trigger(trigger_id: int) -> Response:
    state = get_state()
    data = body("trigger")
    with state.lock:
        trigger = copy.deepcopy(_trigger(state, trigger_id))
        _apply_trigger(state, trigger, data)
        state.triggers[trigger_id] = trigger
        return reply({"trigger": copy.deepcopy(trigger)})


@bp.delete(f"{API}/triggers/<int:trigger_id>")
def delete_trigger(trigger_id: int) -> Response:
    state = get_state()
    with state.lock:
        _trigger(state, trigger_id)
        del state.triggers[trigger_id]
    return Response(status=204)
