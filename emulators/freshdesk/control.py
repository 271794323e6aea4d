"""``/_emulator`` control API (no auth): reset, faults, request log, limits, agent actions,
the automation rule and its deliveries, and the attachments' content."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from ..common.faults import request_fault_from_json
from ..common.helpdesk import add_control_routes
from . import tickets
from .app import get_state
from .errors import JSON, coded, json_response, not_found
from .state import STATUSES, Automation, EmulatorState, Fault

bp = Blueprint("freshdesk_control", __name__, url_prefix="/_emulator")


def _bad(message: str) -> Exception:
    return coded(400, "invalid_value", message)


def agent_reply(state: EmulatorState, ticket_id: int, body: str,
                user_id: int = EmulatorState.AGENT_ID) -> JSON:
    """An agent's public reply in the Freshdesk UI (``source`` 0); fires the rule."""
    with state.lock:
        return copy.deepcopy(tickets.add_reply(state, ticket_id,
                                               {"body": body, "user_id": user_id}, [], ""))


def agent_note(state: EmulatorState, ticket_id: int, body: str,
               user_id: int = EmulatorState.AGENT_ID, private: bool = True) -> JSON:
    """An agent's note (private by default); fires the rule."""
    data = {"body": body, "user_id": user_id, "private": private}
    with state.lock:
        return copy.deepcopy(tickets.add_note(state, ticket_id, data, [], ""))


def set_status(state: EmulatorState, ticket_id: int, status: int | str,
               user_id: int = EmulatorState.AGENT_ID) -> JSON:
    """A status change by an agent: an integer or a name ("Resolved", "closed")."""
    value = status_value(status)
    with state.lock:
        return tickets.shown(tickets.update_ticket(state, ticket_id, {"status": value}, user_id))


def status_value(status: int | str) -> int:
    if isinstance(status, int) and status in STATUSES:
        return status
    names = {name.lower(): sid for sid, name in STATUSES.items()}
    text = str(status).strip().lower()
    if text.isdigit() and int(text) in STATUSES:
        return int(text)
    if text in names:
        return names[text]
    raise _bad(f"unknown status {status!r}: one of {sorted(STATUSES)} or their names")


def _json() -> JSON:
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _bad("Expected a JSON object")
    return data


def fault_from_json(data: JSON) -> Fault:
    return request_fault_from_json(data, Fault, _bad)


add_control_routes(bp, get_state, _json, fault_from_json, json_response)


@bp.put("/rate_limit")
def put_rate_limit() -> Response:
    data = _json()
    per_minute = data.get("per_minute")
    if per_minute is not None and (not isinstance(per_minute, int) or per_minute < 1):
        raise _bad("per_minute must be a positive integer or null")
    state = get_state()
    with state.lock:
        state.rate_limit_per_minute = per_minute
    if data.get("reset_window"):
        state.reset_rate_window()
    return json_response({"per_minute": per_minute})


@bp.put("/search_lag")
def put_search_lag() -> Response:
    seconds = _json().get("seconds", 0)
    if not isinstance(seconds, int | float) or seconds < 0:
        raise _bad("seconds must be a non-negative number")
    state = get_state()
    with state.lock:
        state.search_lag = float(seconds)
    return json_response({"seconds": float(seconds)})


@bp.get("/tickets")
def all_tickets() -> Response:
    state = get_state()
    with state.lock:
        out = [{**tickets.shown(t), "conversations": copy.deepcopy(state.conversations[tid])}
               for tid, t in state.tickets.items()]
    return json_response(out)


@bp.get("/contacts")
def all_contacts() -> Response:
    state = get_state()
    with state.lock:
        return json_response(copy.deepcopy(list(state.contacts.values())))


@bp.post("/tickets/<int:ticket_id>/reply")
def post_reply(ticket_id: int) -> Response:
    data = _json()
    if not isinstance(data.get("body"), str):
        raise _bad("body (HTML) is required")
    user_id = data.get("user_id") or EmulatorState.AGENT_ID
    return json_response(agent_reply(get_state(), ticket_id, data["body"], user_id), 201)


@bp.post("/tickets/<int:ticket_id>/note")
def post_note(ticket_id: int) -> Response:
    data = _json()
    if not isinstance(data.get("body"), str):
        raise _bad("body (HTML) is required")
    user_id = data.get("user_id") or EmulatorState.AGENT_ID
    private = data.get("private", True) is not False
    return json_response(agent_note(get_state(), ticket_id, data["body"], user_id, private),
                         201)


@bp.post("/tickets/<int:ticket_id>/status")
def post_status(ticket_id: int) -> Response:
    data = _json()
    if data.get("status") is None:
        raise _bad("status is required")
    user_id = data.get("user_id") or EmulatorState.AGENT_ID
    return json_response(set_status(get_state(), ticket_id, data["status"], user_id))


@bp.get("/automation")
def get_automation() -> Response:
    state = get_state()
    with state.lock:
        rule = state.automation
        return json_response(rule.to_json() if rule else None)


@bp.post("/automation")
def post_automation() -> Response:
    data = _json()
    if not isinstance(data.get("url"), str) or not data["url"]:
        raise _bad("url is required")
    known = set(Automation.__dataclass_fields__)
    if set(data) - known:
        raise _bad(f"unknown automation fields: {sorted(set(data) - known)}")
    if data.get("performer", "agent") not in ("agent", "any"):
        raise _bad("performer must be 'agent' or 'any'")
    rule = Automation(**data)
    state = get_state()
    with state.lock:
        state.automation = rule
    return json_response(rule.to_json(), 201)


@bp.delete("/automation")
def delete_automation() -> Response:
    state = get_state()
    with state.lock:
        state.automation = None
    return Response(status=204)


@bp.get("/attachments/<int:attachment_id>/<path:name>")
def attachment(attachment_id: int, name: str) -> Response:
    state = get_state()
    with state.lock:
        found = state.blobs.get(attachment_id)
    if found is None or found[1] != name:
        raise not_found()
    data, _name, kind = found
    return Response(data, mimetype=kind)
