"""Ticket create/update with Zendesk's status rules; call with ``state.lock`` held."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .errors import invalid, not_found, record_invalid
from .fields import accepted_custom_fields
from .records import build_comment, comment_event, merge_fields, normalize_tags, ticket_record, via
from .state import (
    CUSTOM_STATUS_IDS,
    JSON,
    EmulatorState,
    new_user,
    now_iso,
)

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = (None, "low", "normal", "high", "urgent")
TYPES = (None, "problem", "incident", "question", "task")
TRACKED = tuple(
    "subject status priority type requester_id assignee_id group_id external_id tags"
    " custom_fields due_at".split()
)
SIMPLE_FIELDS = tuple(
    "subject priority type group_id assignee_id requester_id external_id due_at".split()
)

CREATE_EVENTS = tuple(
    "subject requester_id priority type status brand_id ticket_form_id custom_status_id".split()
)


@dataclass
class Change:
    """What one create/update did; the input of trigger evaluation."""

    ticket: JSON
    audit: JSON
    created: bool
    previous: JSON | None
    comment: JSON | None
    author_id: int
    channel: str

    @property
    def status_changed(self) -> bool:
        return self.previous is None or self.previous["status"] != self.ticket["status"]

    def response(self) -> JSON:
        return {"ticket": copy.deepcopy(self.ticket), "audit": copy.deepcopy(self.audit)}


def _invalid(state: EmulatorState, data: JSON) -> dict[str, list[JSON]]:
    """The ``details`` of every invalid value of a write (Zendesk lists them all)."""
    details: dict[str, list[JSON]] = {}

    def refuse(key: str, description: str) -> None:
        details.setdefault(key, []).append({"description": description, "error": "InvalidValue"})

    if "status" in data and data["status"] is not None and data["status"] not in STATUSES:
        refuse("status", f"Status: {data['status']} is not valid")
    if "priority" in data and data["priority"] not in PRIORITIES:
        refuse("priority", f"Priority: {data['priority']} is not valid")
    if "type" in data and data["type"] not in TYPES:
        refuse("type", f"Type: {data['type']} is not valid")
    if data.get("brand_id") is not None and not isinstance(data["brand_id"], int):
        refuse("brand_id", "Brand: is invalid")
    for key in ("requester_id", "assignee_id"):
        if data.get(key) is not None and not isinstance(data[key], int):
            refuse(key, f"{key}: is invalid")
    group = data.get("group_id")  # checked once a test names the account's groups
    if group is not None and state.groups is not None and group not in state.groups:
        refuse("group", "Group: is invalid")
    return details


def _checked(state: EmulatorState, data: JSON) -> JSON:
    """``data`` with the custom fields Zendesk keeps (``fields.py``), or one 422 naming
    every invalid value; checked before anything is stored."""
    details = _invalid(state, data)
    if "custom_fields" in data or "fields" in data:
        given = data["custom_fields"] if "custom_fields" in data else data["fields"]
        data = {k: v for k, v in data.items() if k != "fields"}
        data["custom_fields"], refused = accepted_custom_fields(
            state.ticket_fields, given, state.refuse_unknown_options)
        if refused:
            details["base"] = refused
    if details:
        raise record_invalid(details)
    return data


def _requester(state: EmulatorState, data: JSON, actor_id: int) -> int:
    spec = data.get("requester")
    if isinstance(spec, dict):
        user = state.find_user(spec.get("external_id"), spec.get("email"))
        if user is None:
            uid = state.next_user_id()
            name = spec.get("name") or spec.get("email") or "Unknown"
            user = new_user(uid, name, spec.get("email"), "end-user", spec.get("external_id"))
            state.users[uid] = user
        return int(user["id"])
    requester_id = data.get("requester_id") or actor_id
    if requester_id not in state.users:
        raise invalid("requester_id", "Requester: is invalid")
    return int(requester_id)


def _audit(
    state: EmulatorState, tid: int, author: int, channel: str, meta: JSON, source: JSON
) -> JSON:
    return {
        "id": state.next_id(),
        "ticket_id": tid,
        "created_at": now_iso(),
        "author_id": author,
        "metadata": meta,
        "events": [],
        "via": source,
    }


def create_ticket(
    state: EmulatorState, data: JSON, actor_id: int, channel: str, meta: JSON
) -> Change:
    data = _checked(state, data)
    spec = dict(data.get("comment") or {})
    if not spec.get("body") and not spec.get("html_body") and data.get("description"):
        spec["body"] = data["description"]
    requester_id = _requester(state, data, actor_id)
    source = via(channel)
    followup = data.get("via_followup_source_id")
    if followup is not None:
        parent = state.tickets.get(followup) if isinstance(followup, int) else None
        if parent is None or parent["status"] != "closed":
            raise invalid("via_followup_source_id", "Via followup source: must be a closed ticket")
        source = via(channel, "follow_up", {"ticket_id": followup, "subject": parent["subject"]})
    audit = _audit(state, 0, requester_id, channel, meta, source)
    comment = build_comment(state, spec, requester_id, audit["id"], channel, meta)
    tid = audit["ticket_id"] = state.next_ticket_id()
    audit["author_id"] = comment["author_id"]
    status = data.get("status") or ("open" if data.get("assignee_id") is not None else "new")
    ticket = ticket_record(tid, data, comment, source, requester_id, status)
    state.tickets[tid] = ticket
    state.comments[tid] = [comment]
    if followup is not None:
        state.tickets[followup]["followup_ids"].append(tid)
    audit["events"].append(comment_event(comment))
    for name in CREATE_EVENTS:
        value = ticket[name]
        audit["events"].append(
            {
                "id": state.next_id(),
                "type": "Create",
                "field_name": name,
                "value": str(value) if isinstance(value, int) else value,
            }
        )
    return Change(
        copy.deepcopy(ticket),
        audit,
        True,
        None,
        copy.deepcopy(comment),
        comment["author_id"],
        channel,
    )


def update_ticket(
    state: EmulatorState, tid: int, data: JSON, actor_id: int, channel: str, meta: JSON
) -> Change:
    ticket = state.tickets.get(tid)
    if ticket is None:
        raise not_found()
    if ticket["status"] == "closed":
        raise invalid("status", "Status: closed prevents ticket update")
    data = _checked(state, data)
    if "requester_id" in data and data["requester_id"] not in state.users:
        raise invalid("requester_id", "Requester: is invalid")
    before = copy.deepcopy(ticket)
    audit = _audit(state, tid, actor_id, channel, meta, via(channel))
    comment = None
    if data.get("comment"):
        comment = build_comment(state, dict(data["comment"]), actor_id, audit["id"], channel, meta)
        audit["author_id"] = comment["author_id"]
    author_id = int(audit["author_id"])
    for name in SIMPLE_FIELDS:
        if name in data:
            ticket[name] = data[name]
    if "subject" in data:
        ticket["raw_subject"] = data["subject"]
    if "tags" in data:
        ticket["tags"] = normalize_tags(data["tags"])
    ticket["tags"] = normalize_tags(ticket["tags"] + normalize_tags(data.get("additional_tags")))
    removed = normalize_tags(data.get("remove_tags"))
    ticket["tags"] = [t for t in ticket["tags"] if t not in removed]
    if "custom_fields" in data:
        ticket["custom_fields"] = merge_fields(ticket["custom_fields"], data["custom_fields"])
        ticket["fields"] = copy.deepcopy(ticket["custom_fields"])
    if data.get("status"):
        ticket["status"] = data["status"]
    elif comment is not None and not state.is_staff(author_id):
        if ticket["status"] in ("pending", "solved", "hold"):
            ticket["status"] = "open"
    elif comment is not None and comment["public"] and ticket["status"] == "new":
        ticket["status"] = "open"
    if ticket["status"] == "new" and ticket["assignee_id"] is not None and not data.get("status"):
        ticket["status"] = "open"
    ticket["custom_status_id"] = CUSTOM_STATUS_IDS[ticket["status"]]
    ticket["updated_at"] = now_iso()
    if comment is not None:
        state.comments[tid].append(comment)
        audit["events"].append(comment_event(comment))
    for name in TRACKED:
        if before.get(name) != ticket.get(name):
            audit["events"].append(
                {
                    "id": state.next_id(),
                    "type": "Change",
                    "field_name": name,
                    "value": ticket[name],
                    "previous_value": before.get(name),
                }
            )
    return Change(
        copy.deepcopy(ticket),
        audit,
        False,
        before,
        copy.deepcopy(comment) if comment else None,
        author_id,
        channel,
    )
