"""Seeded ticket fields (``GET /api/v2/ticket_fields``) and custom-field validation.

The shapes follow Freshdesk's: ``choices`` is a list for ticket types and dropdowns,
``{"2": [agent label, customer label]}`` for statuses, ``{"Low": 1}`` for priorities,
sources, groups and agents, nested dicts for dependent fields.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .errors import JSON, Problem, validation

GROUPS = {43000000101: "Social Media", 43000000102: "Billing"}
CREATED = "2024-01-15T09:30:00Z"
CHANNELS = ["Messenger", "Facebook comment", "Instagram", "Instagram comment", "WhatsApp",
            "X", "Telegram"]


def new_field(fid: int, name: str, label: str, kind: str, position: int,
              **extra: Any) -> JSON:
    """A field in the API's shape (custom ones are the ``cf_*`` names)."""
    default = not name.startswith("cf_")
    item: JSON = {
        "id": fid, "name": name, "label": label, "description": extra.pop("description", None),
        "position": position, "required_for_closure": extra.pop("required_for_closure", False),
        "required_for_agents": extra.pop("required_for_agents", False), "type": kind,
        "default": default, "customers_can_edit": extra.pop("customers_can_edit", default),
        "label_for_customers": label, "required_for_customers": False,
        "displayed_to_customers": default, "created_at": CREATED, "updated_at": CREATED,
    }
    item.update(extra)
    return item


def seed_ticket_fields(agents: dict[int, JSON]) -> list[JSON]:
    agent_choices = {str(a["contact"]["name"]): aid for aid, a in agents.items()}
    return [
        new_field(43000000301, "requester", "Search a requester", "default_requester", 1,
                  required_for_agents=True, portal_cc=False, portal_cc_to="company"),
        new_field(43000000302, "subject", "Subject", "default_subject", 2,
                  required_for_agents=True),
        new_field(43000000303, "ticket_type", "Type", "default_ticket_type", 3,
                  choices=["Question", "Incident", "Problem", "Feature Request", "Refund"]),
        new_field(43000000304, "source", "Source", "default_source", 4,
                  choices={"Email": 1, "Portal": 2, "Phone": 3, "Chat": 7,
                           "Feedback Widget": 9, "Outbound Email": 10}),
        new_field(43000000305, "status", "Status", "default_status", 5, required_for_agents=True,
                  choices={"2": ["Open", "Being Processed"],
                           "3": ["Pending", "Awaiting your Reply"],
                           "4": ["Resolved", "This ticket has been Resolved"],
                           "5": ["Closed", "This ticket has been Closed"],
                           "6": ["Waiting on Customer", "Awaiting your Reply"],
                           "7": ["Waiting on Third Party", "Being Processed"]}),
        new_field(43000000306, "priority", "Priority", "default_priority", 6,
                  required_for_agents=True,
                  choices={"Low": 1, "Medium": 2, "High": 3, "Urgent": 4}),
        new_field(43000000307, "group", "Group", "default_group", 7,
                  choices={name: gid for gid, name in GROUPS.items()}),
        new_field(43000000308, "agent", "Agent", "default_agent", 8, choices=agent_choices),
        new_field(43000000309, "description", "Description", "default_description", 9,
                  required_for_agents=True),
        new_field(43000000310, "company", "Company", "default_company", 10),
        new_field(43000000311, "cf_social_channel", "Social channel", "custom_dropdown", 11,
                  choices=list(CHANNELS)),
        new_field(43000000312, "cf_customer_handle", "Customer handle", "custom_text", 12),
        new_field(43000000313, "cf_vip", "VIP customer", "custom_checkbox", 13),
        new_field(43000000314, "cf_follow_up_date", "Follow-up date", "custom_date", 14),
        new_field(43000000315, "cf_order_number", "Order number", "custom_number", 15),
        new_field(43000000316, "cf_internal_summary", "Internal summary", "custom_paragraph", 16),
        new_field(43000000317, "cf_region", "Region", "nested_field", 17,
                  choices={"Europe": {"France": ["Paris", "Lyon"], "Armenia": ["Yerevan"]},
                           "Asia": {"Thailand": ["Bangkok"]}},
                  nested_ticket_fields=[
                      {"name": "cf_country", "label": "Country", "level": 2},
                      {"name": "cf_city", "label": "City", "level": 3}]),
        new_field(43000000318, "cf_order_value", "Order value", "custom_decimal", 18),
    ]


def custom_defaults(fields: list[JSON]) -> JSON:
    """Every custom field of a new ticket, null until set (Freshdesk lists them all)."""
    out: JSON = {}
    for f in fields:
        if f["name"].startswith("cf_"):
            out[f["name"]] = None
            for nested in f.get("nested_ticket_fields", []):
                out[nested["name"]] = None
    return out


_TYPE_NAMES = {"custom_text": "String", "custom_paragraph": "String",
               "custom_checkbox": "Boolean", "custom_number": "Integer",
               "custom_decimal": "Number"}


def _problem(kind: str, value: Any, choices: Any) -> tuple[str, str] | None:
    """The (message, code) for a bad value of a custom field of type ``kind``."""
    if value is None:
        return None
    if kind in ("custom_text", "custom_paragraph"):
        ok = isinstance(value, str) and (kind == "custom_paragraph" or len(value) <= 255)
    elif kind == "custom_checkbox":
        ok = isinstance(value, bool)
    elif kind == "custom_number":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "custom_decimal":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "custom_date":
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            return "It should be in the 'yyyy-mm-dd' format", "invalid_date"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "It should be in the 'yyyy-mm-dd' format", "invalid_date"
        return None
    elif kind in ("custom_dropdown", "nested_field"):
        allowed = list(choices) if isinstance(choices, list | dict) else []
        if value in allowed:
            return None
        return f"It should be one of these values: '{','.join(map(str, allowed))}'", \
            "invalid_value"
    else:
        ok = True
    return None if ok else (f"It should be a/an {_TYPE_NAMES.get(kind, 'String')}",
                            "datatype_mismatch")


def custom_field_problems(fields: list[JSON], values: object) -> list[Problem]:
    """What is wrong with the ``custom_fields`` of a request, one entry per field."""
    if not isinstance(values, dict):
        return [("custom_fields", "It should be a/an key/value pair", "datatype_mismatch")]
    known = {f["name"]: f for f in fields if f["name"].startswith("cf_")}
    nested = {n["name"] for f in known.values() for n in f.get("nested_ticket_fields", [])}
    problems: list[Problem] = []
    for name, value in values.items():
        if name in nested:
            continue
        field = known.get(name)
        if field is None:
            problems.append((name, "Unexpected/invalid field in request", "invalid_field"))
            continue
        problem = _problem(field["type"], value, field.get("choices"))
        if problem:
            problems.append((name, *problem))
    return problems


def coerce_form_custom(fields: list[JSON], values: dict[str, str]) -> JSON:
    """Multipart ``custom_fields[cf_x]`` values are text: give them their field's type."""
    kinds = {f["name"]: f["type"] for f in fields}
    out: JSON = {}
    for name, raw in values.items():
        kind = kinds.get(name)
        if kind == "custom_checkbox":
            out[name] = raw.lower() == "true"
        elif kind == "custom_number" and re.fullmatch(r"-?\d+", raw):
            out[name] = int(raw)
        elif kind == "custom_decimal" and re.fullmatch(r"-?\d+(\.\d+)?", raw):
            out[name] = float(raw)
        else:
            out[name] = raw
    return out


def ticket_types(fields: list[JSON]) -> list[str]:
    """The account's ticket types: the choices of the ``ticket_type`` default field."""
    found = next((f for f in fields if f["name"] == "ticket_type"), None)
    return list(found.get("choices") or []) if found else []


def check_no_unknown(data: JSON, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise validation(*[(k, "Unexpected/invalid field in request", "invalid_field")
                           for k in unknown])

