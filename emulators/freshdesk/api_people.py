"""Contacts, agents and groups (ticket fields: ``api_fields.py``)."""

from __future__ import annotations

import copy

from flask import Blueprint, Response, request

from .app import get_state, reply, request_data
from .errors import JSON, not_found, validation
from .fields import check_no_unknown
from .paging import page_args, paged
from .state import new_contact

bp = Blueprint("freshdesk_people", __name__, url_prefix="/api/v2")
CONTACT_FIELDS = {"name", "email", "phone", "mobile", "twitter_id", "unique_external_id",
                  "facebook_id", "other_emails", "company_id", "description", "job_title",
                  "language", "time_zone", "tags", "address", "custom_fields"}
IDENTIFIERS = ("email", "phone", "mobile", "twitter_id", "unique_external_id", "facebook_id")


def _duplicate(field: str, existing: JSON) -> Exception:
    error = validation((field, "It should be a unique value", "duplicate_value"), status=409)
    assert error.body is not None
    error.body["errors"][0]["additional_info"] = {"user_id": existing["id"]}
    return error


@bp.post("/contacts")
def create_contact() -> Response:
    data, _files = request_data()
    check_no_unknown(data, CONTACT_FIELDS)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation(("name", "It should be a/an String", "missing_field"))
    if not any(data.get(k) for k in IDENTIFIERS):
        raise validation(("requester_id", "Please fill at least 1 of email, mobile, phone, "
                          "twitter_id, unique_external_id fields", "missing_field"))
    if len(name) > 255:
        raise validation(("name", "It should have a maximum length of 255", "invalid_value"))
    state = get_state()
    with state.lock:
        for field in ("unique_external_id", "email"):
            value = data.get(field)
            if not value:
                continue
            if not isinstance(value, str):
                raise validation((field, "It should be a/an String", "datatype_mismatch"))
            for contact in state.contacts.values():
                if str(contact.get(field) or "").lower() == value.lower():
                    raise _duplicate(field, contact)
        contact = new_contact(state.next_contact_id(), data)
        state.contacts[contact["id"]] = contact
        return reply(copy.deepcopy(contact), 201)


@bp.get("/contacts")
def list_contacts() -> Response:
    state = get_state()
    args = request.args
    with state.lock:
        found = [c for c in state.contacts.values() if not c["deleted"]]
        if args.get("state") == "deleted":
            found = [c for c in state.contacts.values() if c["deleted"]]
        for key in ("unique_external_id", "email", "phone", "mobile"):
            if key in args:
                found = [c for c in found if str(c.get(key) or "").lower() == args[key].lower()]
        page, per_page = page_args(args)
        return paged(copy.deepcopy(found), page, per_page)


@bp.get("/contacts/<int:contact_id>")
def view_contact(contact_id: int) -> Response:
    state = get_state()
    with state.lock:
        contact = state.contacts.get(contact_id)
        if contact is None:
            raise not_found()
        return reply(copy.deepcopy(contact))


@bp.get("/agents/me")
def agent_me() -> Response:
    state = get_state()
    with state.lock:
        return reply(copy.deepcopy(state.agents[state.API_AGENT_ID]))


@bp.get("/agents/<int:agent_id>")
def view_agent(agent_id: int) -> Response:
    state = get_state()
    with state.lock:
        agent = state.agents.get(agent_id)
        if agent is None:
            raise not_found()
        return reply(copy.deepcopy(agent))


@bp.get("/agents")
def list_agents() -> Response:
    state = get_state()
    with state.lock:
        page, per_page = page_args(request.args)
        return paged(copy.deepcopy(list(state.agents.values())), page, per_page)


@bp.get("/groups")
def list_groups() -> Response:
    state = get_state()
    with state.lock:
        groups = [{"id": gid, "name": name, "description": None, "escalate_to": None,
                   "unassigned_for": None, "business_hour_id": None,
                   "group_type": "support_agent_group",
                   "created_at": "2024-01-15T09:30:00Z", "updated_at": "2024-01-15T09:30:00Z"}
                  for gid, name in state.groups.items()]
    return reply(groups)

