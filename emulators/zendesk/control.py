"""``/_emulator`` control API (no auth): reset, faults, request log, agent actions."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from ..common.faults import request_fault_from_json
from ..common.helpdesk import add_control_routes
from .app import base_url, get_state
from .errors import bad_request, json_response
from .state import JSON, EmulatorState, Fault
from .tickets import Change, update_ticket
from .triggers import fire

bp = Blueprint("zendesk_control", __name__, url_prefix="/_emulator")
UI_META: JSON = {
    "system": {"client": "Zendesk Agent Workspace", "ip_address": "127.0.0.1"},
    "custom": {},
}


def agent_comment(
    state: EmulatorState,
    ticket_id: int,
    body: str | None,
    base: str,
    *,
    html_body: str | None = None,
    public: bool = True,
    author_id: int = EmulatorState.AGENT_ID,
    status: str | None = None,
    metadata: JSON | None = None,
    uploads: list[str] | None = None,
) -> Change:
    """An agent replying in the Zendesk UI (via channel "web"); fires triggers. ``uploads``:
    tokens from ``POST /api/v2/uploads``, attached to the comment."""
    data: JSON = {
        "comment": {"body": body, "html_body": html_body, "public": public, "author_id": author_id,
                    "uploads": uploads or []}
    }
    if status:
        data["status"] = status
    with state.lock:
        change = update_ticket(state, ticket_id, data, author_id, "web", metadata or UI_META)
    fire(state, change, base)
    return change


def set_status(
    state: EmulatorState,
    ticket_id: int,
    status: str,
    base: str,
    *,
    author_id: int = EmulatorState.AGENT_ID,
    via: str | None = None,
) -> Change:
    """A status change without a comment, by an agent ("web") or an automation ("rule")."""
    channel = via or ("rule" if status == "closed" else "web")
    with state.lock:
        change = update_ticket(state, ticket_id, {"status": status}, author_id, channel, UI_META)
    fire(state, change, base)
    return change


def _json() -> JSON:
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise bad_request("Expected a JSON object")
    return data


def fault_from_json(data: JSON) -> Fault:
    if not isinstance(data.get("path", ".*"), str):
        raise bad_request("path must be a regular expression string")
    return request_fault_from_json(data, Fault, bad_request)


add_control_routes(bp, get_state, _json, fault_from_json, json_response)


@bp.put("/rate_limit")
def put_rate_limit() -> Response:
    per_minute = _json().get("per_minute")
    if per_minute is not None and (not isinstance(per_minute, int) or per_minute < 1):
        raise bad_request("per_minute must be a positive integer or null")
    state = get_state()
    with state.lock:
        state.rate_limit_per_minute = per_minute
    return json_response({"per_minute": per_minute})


@bp.get("/tickets")
def all_tickets() -> Response:
    state = get_state()
    with state.lock:
        out = [
            {**copy.deepcopy(t), "comments": copy.deepcopy(state.comments.get(tid, []))}
            for tid, t in state.tickets.items()
        ]
    return json_response(out, base=base_url())


@bp.post("/tickets/<int:ticket_id>/agent_comment")
def post_agent_comment(ticket_id: int) -> Response:
    data = _json()
    change = agent_comment(
        get_state(),
        ticket_id,
        data.get("body"),
        base_url(),
        html_body=data.get("html_body"),
        public=data.get("public", True) is not False,
        author_id=data.get("author_id") or EmulatorState.AGENT_ID,
        status=data.get("status"),
    )
    return json_response(change.response(), base=base_url())


@bp.post("/tickets/<int:ticket_id>/status")
def post_status(ticket_id: int) -> Response:
    data = _json()
    if not data.get("status"):
        raise bad_request("status is required")
    change = set_status(
        get_state(),
        ticket_id,
        str(data["status"]),
        base_url(),
        author_id=data.get("author_id") or EmulatorState.AGENT_ID,
        via=data.get("via"),
    )
    return json_response(change.response(), base=base_url())
