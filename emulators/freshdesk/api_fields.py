"""Ticket fields: ``GET /api/v2/ticket_fields`` (optionally ``?type=``), one field at
``GET /api/v2/admin/ticket_fields/<id>``, and ``/_emulator/ticket_fields`` to add, change
or delete custom fields at run time, as an admin does in Freshdesk while the bridge runs."""

from __future__ import annotations

import copy
import re

from flask import Blueprint, Response, request

from .app import get_state, reply
from .errors import JSON, coded, json_response, not_found
from .fields import new_field
from .state import EmulatorState

bp = Blueprint("freshdesk_fields", __name__, url_prefix="/api/v2")
control = Blueprint("freshdesk_field_control", __name__, url_prefix="/_emulator")
CUSTOM_TYPES = ("custom_text", "custom_paragraph", "custom_checkbox", "custom_number",
                "custom_decimal", "custom_date", "custom_dropdown")


@bp.get("/ticket_fields")
def ticket_fields() -> Response:
    state = get_state()
    kind = request.args.get("type")
    with state.lock:
        fields = copy.deepcopy(state.ticket_fields)
    if kind:
        fields = [f for f in fields if re.fullmatch(re.escape(kind), f["type"])]
    return reply(fields)


@bp.get("/admin/ticket_fields/<int:field_id>")
def ticket_field(field_id: int) -> Response:
    state = get_state()
    with state.lock:
        found = next((f for f in state.ticket_fields if f["id"] == field_id), None)
    if found is None:
        raise not_found()
    return reply(copy.deepcopy(found))


# control -----------------------------------------------------------------------------------


def _bad(message: str) -> Exception:
    return coded(400, "invalid_value", message)


def _index(state: EmulatorState, name: str) -> int:
    for index, field in enumerate(state.ticket_fields):
        if field["name"] == name:
            return index
    raise not_found()


def add_field(state: EmulatorState, name: str, label: str, kind: str, **extra: object) -> JSON:
    """A new custom field; ``choices`` (a list) for ``custom_dropdown``."""
    if not name.startswith("cf_") or kind not in CUSTOM_TYPES:
        raise _bad(f"name must start with cf_ and type be one of {', '.join(CUSTOM_TYPES)}")
    if kind == "custom_dropdown" and not isinstance(extra.get("choices"), list):
        raise _bad("a custom_dropdown needs choices (a list)")
    with state.lock:
        if any(f["name"] == name for f in state.ticket_fields):
            raise _bad(f"a field named {name} exists")
        fid = max(f["id"] for f in state.ticket_fields) + 1
        field = new_field(fid, name, label, kind, len(state.ticket_fields) + 1, **extra)
        state.ticket_fields.append(field)
        return copy.deepcopy(field)


def change_field(state: EmulatorState, name: str, changes: JSON) -> JSON:
    """Change a field's label, type, choices or flags (``name`` and ``id`` stay)."""
    with state.lock:
        field = state.ticket_fields[_index(state, name)]
        for key, value in changes.items():
            if key not in ("id", "name", "created_at"):
                field[key] = value
        if "label" in changes:
            field["label_for_customers"] = changes["label"]
        return copy.deepcopy(field)


def remove_field(state: EmulatorState, name: str) -> None:
    with state.lock:
        del state.ticket_fields[_index(state, name)]


def _json() -> JSON:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _bad("Expected a JSON object")
    return data


@control.post("/ticket_fields")
def post_field() -> Response:
    data = _json()
    name, label, kind = data.pop("name", ""), data.pop("label", ""), data.pop("type", "")
    if not all(isinstance(v, str) and v for v in (name, label, kind)):
        raise _bad("name, label and type are required")
    return json_response(add_field(get_state(), name, label, kind, **data), 201)


@control.put("/ticket_fields/<name>")
def put_field(name: str) -> Response:
    return json_response(change_field(get_state(), name, _json()))


@control.delete("/ticket_fields/<name>")
def delete_field(name: str) -> Response:
    remove_field(get_state(), name)
    return Response(status=204)
