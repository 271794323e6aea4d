"""Ticket rules shared by the API and the control actions (callers hold ``state.lock``).

As in Freshdesk: a note or reply on a ticket never changes its status (a customer's
note does not reopen a resolved ticket: the caller must), closed tickets still accept
notes, and every change by an agent fires the automation rule.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from . import automation
from .errors import JSON, Problem, not_found, validation
from .fields import (
    check_no_unknown,
    coerce_form_custom,
    custom_defaults,
    custom_field_problems,
    ticket_types,
)
from .state import PRIORITIES, SOURCES, STATUSES, EmulatorState, new_contact, now_iso
from .text import html_to_text

MAX_TAG = 32
MAX_ATTACHMENTS = 20 * 1024 * 1024
TICKET_FIELDS = {"name", "requester_id", "email", "phone", "twitter_id", "facebook_id",
                 "unique_external_id", "subject", "type", "status", "priority", "description",
                 "responder_id", "cc_emails", "custom_fields", "due_by", "fr_due_by",
                 "email_config_id", "group_id", "parent_id", "product_id", "source", "tags",
                 "company_id"}
UPDATE_FIELDS = TICKET_FIELDS - {"parent_id", "cc_emails"}
NOTE_FIELDS = {"body", "incoming", "notify_emails", "private", "user_id"}
REPLY_FIELDS = {"body", "from_email", "user_id", "cc_emails", "bcc_emails"}
INT_FIELDS = ("requester_id", "status", "priority", "source", "group_id", "responder_id",
              "user_id", "product_id", "company_id", "email_config_id")


def coerce_form(state: EmulatorState, data: JSON) -> JSON:
    """Multipart fields are text: integers, booleans and custom fields get their types."""
    out = dict(data)
    for key in INT_FIELDS:
        if isinstance(out.get(key), str) and out[key].lstrip("-").isdigit():
            out[key] = int(out[key])
    for key in ("private", "incoming"):
        if isinstance(out.get(key), str):
            out[key] = out[key].lower() == "true"
    if isinstance(out.get("custom_fields"), dict):
        out["custom_fields"] = coerce_form_custom(state.ticket_fields, out["custom_fields"])
    return out


def store_files(state: EmulatorState, files: list[Any], base: str) -> list[JSON]:
    """Uploaded files as attachment records (served by ``/_emulator/attachments/<id>``)."""
    stored: list[JSON] = []
    total = 0
    for upload in files:
        data = upload.read()
        total += len(data)
        if total > MAX_ATTACHMENTS:
            raise validation(("attachments", "The cumulative size of all attachments should "
                              "not exceed 20 MB", "invalid_size"))
        aid = state.next_id()
        name = upload.filename or "attachment"
        kind = upload.mimetype or "application/octet-stream"
        state.blobs[aid] = (data, name, kind)
        ts = now_iso()
        stored.append({"id": aid, "content_type": kind, "size": len(data), "name": name,
                       "attachment_url": f"{base}/_emulator/attachments/{aid}/{name}",
                       "created_at": ts, "updated_at": ts})
    return stored


def _one_of(field: str, value: Any, allowed: dict[int, str]) -> list[Problem]:
    if isinstance(value, int) and not isinstance(value, bool) and value in allowed:
        return []
    listed = ",".join(str(k) for k in allowed)
    return [(field, f"It should be one of these values: '{listed}'", "invalid_value")]


def _tag_problems(value: Any) -> list[Problem]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        return [("tags", "It should be a/an Array", "datatype_mismatch")]
    if any(len(t) > MAX_TAG or "," in t for t in value):
        return [("tags", f"It should only contain elements that have maximum of "
                 f"{MAX_TAG} characters and no commas", "invalid_value")]
    return []


def _requester_problems(state: EmulatorState, data: JSON) -> list[Problem]:
    if "requester_id" in data:
        rid = data["requester_id"]
        if rid not in state.contacts and rid not in state.agents:
            return [("requester_id", "There is no contact matching the given requester_id",
                     "invalid_value")]
        return []
    ext = data.get("unique_external_id") or data.get("email")
    if not isinstance(ext, str) or not ext:
        return [("requester_id", "Please fill at least 1 of email, mobile, phone, "
                 "requester_id, twitter_id, unique_external_id fields", "missing_field")]
    return []


def _requester(state: EmulatorState, data: JSON) -> int:
    """The requester of a checked ticket: ``requester_id``, or the contact with its
    ``unique_external_id`` (or email), created when new."""
    if "requester_id" in data:
        return int(data["requester_id"])
    key = "unique_external_id" if data.get("unique_external_id") else "email"
    ext = str(data[key])
    for contact in state.contacts.values():
        if str(contact.get(key) or "").lower() == ext.lower():
            return int(contact["id"])
    contact = new_contact(state.next_contact_id(), {"name": data.get("name") or ext, key: ext})
    state.contacts[contact["id"]] = contact
    return int(contact["id"])


def _problems(state: EmulatorState, data: JSON, *, creating: bool) -> list[Problem]:
    """Every invalid field of a ticket write (Freshdesk names them all in one answer)."""
    problems: list[Problem] = []
    if creating:
        problems += [(key, "It should be a/an String", "missing_field")
                     for key in ("subject", "description") if not isinstance(data.get(key), str)]
        problems += [(key, "It should be a/an Integer", "missing_field")
                     for key in ("status", "priority") if key not in data]
        problems += _requester_problems(state, data)
    for key, allowed in (("status", STATUSES), ("priority", PRIORITIES), ("source", SOURCES)):
        if key in data:
            problems += _one_of(key, data[key], allowed)
    if data.get("group_id") is not None:
        problems += _one_of("group_id", data["group_id"], state.groups)
    if data.get("responder_id") is not None and data["responder_id"] not in state.agents:
        problems.append(("responder_id", "There is no agent matching the given responder_id",
                         "invalid_value"))
    if data.get("type") is not None and data["type"] not in ticket_types(state.ticket_fields):
        listed = ",".join(ticket_types(state.ticket_fields))
        problems.append(("type", f"It should be one of these values: '{listed}'",
                         "invalid_value"))
    if "tags" in data:
        problems += _tag_problems(data["tags"])
    if "custom_fields" in data:
        problems += custom_field_problems(state.ticket_fields, data["custom_fields"])
    return problems


def _checked(state: EmulatorState, data: JSON, *, creating: bool) -> JSON:
    """``data`` with its tags deduplicated, or a 400 naming every invalid field."""
    problems = _problems(state, data, creating=creating)
    if problems:
        raise validation(*problems)
    if "tags" in data:
        data["tags"] = list(dict.fromkeys(data["tags"]))
    if "custom_fields" in data:
        data["custom_fields"] = dict(data["custom_fields"])
    return data


def create_ticket(state: EmulatorState, data: JSON, files: list[Any], base: str) -> JSON:
    check_no_unknown(data, TICKET_FIELDS)
    data = _checked(state, data, creating=True)
    requester = _requester(state, data)
    ts = now_iso()
    tid = state.next_ticket_id()
    ticket: JSON = {
        "cc_emails": [], "fwd_emails": [], "reply_cc_emails": [], "ticket_cc_emails": [],
        "fr_escalated": False, "spam": False, "email_config_id": None,
        "group_id": data.get("group_id"), "priority": data["priority"],
        "requester_id": requester, "responder_id": data.get("responder_id"),
        "source": data.get("source", 2), "company_id": None, "status": data["status"],
        "subject": data["subject"], "association_type": None, "support_email": None,
        "to_emails": None, "product_id": None, "id": tid, "type": data.get("type"),
        "due_by": ts, "fr_due_by": ts, "is_escalated": False,
        "description": data["description"], "description_text": html_to_text(data["description"]),
        "custom_fields": {**custom_defaults(state.ticket_fields), **data.get("custom_fields", {})},
        "created_at": ts, "updated_at": ts, "tags": data.get("tags", []),
        "attachments": store_files(state, files, base), "nr_due_by": None,
        "nr_escalated": False, "deleted": False,
    }
    state.tickets[tid] = ticket
    state.conversations[tid] = []
    state.indexed_at[tid] = time.monotonic()
    return ticket


def get_ticket(state: EmulatorState, ticket_id: int) -> JSON:
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise not_found()
    return ticket


def update_ticket(state: EmulatorState, ticket_id: int, data: JSON, performer: int) -> JSON:
    ticket = get_ticket(state, ticket_id)
    check_no_unknown(data, UPDATE_FIELDS)
    data = _checked(state, data, creating=False)
    before = ticket["status"]
    for key, value in data.items():
        if key == "custom_fields":
            ticket["custom_fields"].update(value)
        elif key in ticket:
            ticket[key] = value
    if "description" in data:
        ticket["description_text"] = html_to_text(data["description"])
    ticket["updated_at"] = now_iso()
    event = (f"{{status:{{from:{before},to:{ticket['status']}}}}}"
             if ticket["status"] != before else "{ticket_action:updated}")
    automation.ticket_updated(state, ticket_id, performer, event)
    return ticket


def add_note(state: EmulatorState, ticket_id: int, data: JSON, files: list[Any],
             base: str) -> JSON:
    get_ticket(state, ticket_id)
    check_no_unknown(data, NOTE_FIELDS)
    body = data.get("body")
    if not isinstance(body, str) or not body:
        raise validation(("body", "It should be a/an String", "missing_field"))
    user_id = data.get("user_id", state.API_AGENT_ID)
    if user_id not in state.agents and user_id not in state.contacts:
        raise validation(("user_id", "There is no contact/agent matching the given user_id",
                          "invalid_value"))
    private, incoming = data.get("private", True), data.get("incoming", False)
    if not isinstance(private, bool) or not isinstance(incoming, bool):
        raise validation(("private", "It should be a/an Boolean", "datatype_mismatch"))
    note = state.conversation(ticket_id, body, int(user_id), source=2, private=private,
                              incoming=incoming, attachments=store_files(state, files, base))
    event = "{note_type:private}" if private else "{note_type:public}"
    automation.ticket_updated(state, ticket_id, int(user_id), event)
    return note


def add_reply(state: EmulatorState, ticket_id: int, data: JSON, files: list[Any],
              base: str) -> JSON:
    ticket = get_ticket(state, ticket_id)
    check_no_unknown(data, REPLY_FIELDS)
    body = data.get("body")
    if not isinstance(body, str) or not body:
        raise validation(("body", "It should be a/an String", "missing_field"))
    user_id = data.get("user_id", state.API_AGENT_ID)
    if user_id not in state.agents:
        raise validation(("user_id", "There is no agent matching the given user_id",
                          "invalid_value"))
    requester = state.contacts.get(ticket["requester_id"], {})
    to = [requester["email"]] if requester.get("email") else []
    item = state.conversation(ticket_id, body, int(user_id), source=0, private=False,
                              incoming=False, attachments=store_files(state, files, base),
                              to_emails=to)
    automation.ticket_updated(state, ticket_id, int(user_id), "{reply:sent}")
    return item


def shown(ticket: JSON, *, description: bool = True) -> JSON:
    """A copy as the API shows it: lists omit the description unless asked."""
    out = copy.deepcopy(ticket)
    if not description:
        out.pop("description", None)
        out.pop("description_text", None)
    return out
