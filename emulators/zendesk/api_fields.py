"""``/api/v2/ticket_fields`` (list, show) and ``/_emulator/ticket_fields`` to change them
at run time, the way an admin edits fields in Zendesk while the bridge runs."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from .app import base_url, get_state, listing, reply
from .errors import bad_request, json_response, not_found
from .fields import changed_field, ticket_field
from .state import JSON, EmulatorState

bp = Blueprint("zendesk_fields", __name__)
API = "/api/v2"
CONTROL = "/_emulator/ticket_fields"
CUSTOM_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp",
                "tagger", "multiselect", "partialcreditcard", "lookup")


@bp.get(f"{API}/ticket_fields")
def list_fields() -> Response:
    """Every field in ``position`` order (no pagination asked: all of them, in one page)."""
    state = get_state()
    with state.lock:
        found = sorted(state.ticket_fields.values(), key=lambda f: (f["position"], f["id"]))
        return listing("ticket_fields", copy.deepcopy(found))


@bp.get(f"{API}/ticket_fields/<int:field_id>")
def show_field(field_id: int) -> Response:
    state = get_state()
    with state.lock:
        if field_id not in state.ticket_fields:
            raise not_found()
        return reply({"ticket_field": copy.deepcopy(state.ticket_fields[field_id])})


# control -----------------------------------------------------------------------------------


def add_field(state: EmulatorState, kind: str, title: str, field_id: int | None = None,
              **extra: object) -> JSON:
    """A new custom field (``options``: ``(name, value)`` pairs for tagger/multiselect)."""
    if kind not in CUSTOM_TYPES:
        raise bad_request(f"type must be one of {', '.join(CUSTOM_TYPES)}")
    with state.lock:
        fid = field_id or state.next_field_id()
        position = 100 + len(state.ticket_fields)
        state.ticket_fields[fid] = ticket_field(fid, kind, title, position, **extra)
        return copy.deepcopy(state.ticket_fields[fid])


def change_field(state: EmulatorState, field_id: int, changes: JSON) -> JSON:
    with state.lock:
        if field_id not in state.ticket_fields:
            raise not_found()
        state.ticket_fields[field_id] = changed_field(state.ticket_fields[field_id], changes)
        return copy.deepcopy(state.ticket_fields[field_id])


def remove_field(state: EmulatorState, field_id: int) -> None:
    with state.lock:
        if state.ticket_fields.pop(field_id, None) is None:
            raise not_found()


def _json() -> JSON:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request("Expected a JSON object")
    return data


def _options(raw: object) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or not all(
            isinstance(o, dict) and isinstance(o.get("name"), str)
            and isinstance(o.get("value"), str) for o in raw):
        raise bad_request("custom_field_options must be a list of {name, value} strings")
    return [(o["name"], o["value"]) for o in raw]


@bp.post(CONTROL)
def post_field() -> Response:
    data = _json()
    kind, title = data.pop("type", "text"), data.pop("title", None)
    if not isinstance(title, str) or not title:
        raise bad_request("title is required")
    options = data.pop("custom_field_options", None)
    if options is not None:
        data["options"] = _options(options)
    field_id = data.pop("id", None)
    if field_id is not None and not isinstance(field_id, int):
        raise bad_request("id must be an integer")
    field = add_field(get_state(), str(kind), title, field_id, **data)
    return json_response({"ticket_field": field}, 201, base_url())


@bp.put(f"{CONTROL}/<int:field_id>")
def put_field(field_id: int) -> Response:
    changes = _json()
    if "custom_field_options" in changes:
        _options(changes["custom_field_options"])
    field = change_field(get_state(), field_id, changes)
    return json_response({"ticket_field": field}, base=base_url())


@bp.delete(f"{CONTROL}/<int:field_id>")
def delete_field(field_id: int) -> Response:
    remove_field(get_state(), field_id)
    return Response(status=204)
