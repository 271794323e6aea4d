"""Ticket fields (``GET /api/v2/ticket_fields``) and what Zendesk does with field values.

Shapes follow the Ticket Fields API reference (``../shared/specs/zendesk-support-oas.yaml``,
``TicketFieldObject``): system fields (``removable: false``) beside custom ones; drop-downs
are ``tagger`` with ``custom_field_options[{id, name, raw_name, value}]``.

Values, as Zendesk treats them (reported by zenpy and node-zendesk users):

- an unknown, system or inactive field id is ignored without an error;
- a drop-down (or multi-select) value that is no option's ``value`` is dropped silently,
  so the field keeps what it had (zenpy #420, node-zendesk #132); with the state's
  ``refuse_unknown_options`` (opt-in, like ``groups``) it is refused like a bad date;
- a bad date is a 422 ``RecordInvalid`` whose ``details.base[]`` names the field
  (``"<title> is not valid"``, ``ticket_field_id``, ``ticket_field_type: FieldDate``;
  zenpy #425), and so, by the same rule, are bad integers, decimals, regexp values and
  checkboxes. One answer lists every refused field (as Zendesk lists every field a
  solve still needs, ``FieldTagger`` among them).
"""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from .state import JSON, now_iso

SATISFACTION_ID = 360000000001
CREATED = "2024-01-15T09:30:00Z"
CHANNELS = (("Messenger", "messenger"), ("Facebook comment", "facebook_comment"),
            ("Instagram", "instagram"), ("Instagram comment", "instagram_comment"),
            ("WhatsApp", "whatsapp"), ("X", "x"), ("Telegram", "telegram"))
SYSTEM = (("subject", "Subject"), ("description", "Description"), ("status", "Status"),
          ("tickettype", "Type"), ("priority", "Priority"), ("group", "Group"),
          ("assignee", "Assignee"))
VALUE_TYPES = {"date": "FieldDate", "integer": "FieldInteger", "decimal": "FieldDecimal",
               "regexp": "FieldRegexp", "checkbox": "FieldCheckbox"}
OPTION_TYPES = {"tagger": "FieldTagger", "multiselect": "FieldMultiselect"}
_NUMBER = {"integer": r"[-+]?\d+", "decimal": r"[-+]?(\d+(\.\d*)?|\.\d+)"}
DROPPED = object()  # a value Zendesk ignores
REFUSED = object()  # a value Zendesk answers 422 for


def ticket_field(fid: int, kind: str, title: str, position: int, **extra: Any) -> JSON:
    """A field in the API's shape; ``options`` are ``(name, value)`` pairs."""
    options = extra.pop("options", None)
    field: JSON = {
        "url": f"/api/v2/ticket_fields/{fid}.json", "id": fid, "type": kind, "title": title,
        "raw_title": title, "description": extra.pop("description", ""),
        "raw_description": "", "position": position, "active": extra.pop("active", True),
        "required": extra.pop("required", False), "collapsed_for_agents": False,
        "regexp_for_validation": extra.pop("regexp_for_validation", None),
        "title_in_portal": title, "raw_title_in_portal": title, "visible_in_portal": False,
        "editable_in_portal": False, "required_in_portal": False,
        "tag": extra.pop("tag", None), "created_at": CREATED, "updated_at": CREATED,
        "removable": extra.pop("removable", True), "agent_description": None,
    }
    if options is not None:
        field["custom_field_options"] = field_options(fid, options)
    field.update(extra)
    return field


def field_options(fid: int, options: list[tuple[str, str]] | list[JSON]) -> list[JSON]:
    out: list[JSON] = []
    for n, item in enumerate(options, start=1):
        name, value = (item["name"], item["value"]) if isinstance(item, dict) else item
        out.append({"id": fid * 100 + n, "name": name, "raw_name": name, "value": value,
                    "default": False})
    return out


def seed_ticket_fields() -> dict[int, JSON]:
    """System fields, then one custom field of every kind the bridge maps."""
    fields = [ticket_field(360000000020 + n, kind, title, n, removable=False)
              for n, (kind, title) in enumerate(SYSTEM, start=1)]
    fields += [
        ticket_field(SATISFACTION_ID, "tagger", "Satisfaction", 10,
                     options=[("Good", "good"), ("Bad", "bad")]),
        ticket_field(360000000031, "tagger", "Social channel", 11, options=list(CHANNELS)),
        ticket_field(360000000032, "text", "Customer handle", 12),
        ticket_field(360000000033, "textarea", "Internal summary", 13),
        ticket_field(360000000034, "checkbox", "VIP customer", 14, tag="vip_customer"),
        ticket_field(360000000035, "date", "Follow-up date", 15),
        ticket_field(360000000036, "integer", "Order number", 16),
        ticket_field(360000000037, "decimal", "Order value", 17),
        ticket_field(360000000038, "regexp", "Order reference", 18,
                     regexp_for_validation=r"^[A-Z]{2}-\d{4}$"),
        ticket_field(360000000039, "multiselect", "Topics", 19,
                     options=[("Billing", "billing"), ("Shipping", "shipping"),
                              ("Returns", "returns")]),
        ticket_field(360000000040, "text", "Legacy code", 20, active=False),
    ]
    return {f["id"]: f for f in fields}


def refusal(field: JSON) -> JSON:
    """The ``details.base`` entry naming a refused value of ``field``."""
    return {"description": f"{field['title']} is not valid", "error": "InvalidValue",
            "ticket_field_id": field["id"],
            "ticket_field_type": {**VALUE_TYPES, **OPTION_TYPES}.get(field["type"], "FieldText")}


def _choice(field: JSON, value: Any, refuse_unknown: bool) -> Any:
    allowed = [o["value"] for o in field.get("custom_field_options") or []]
    many = field["type"] == "multiselect" and isinstance(value, list)
    items = value if many else [value]
    known = [item for item in items if item in allowed]
    if refuse_unknown and len(known) < len(items):
        return REFUSED
    if field["type"] == "tagger":
        return value if known else DROPPED
    return known


def _typed(field: JSON, value: Any) -> Any:
    """The stored value of a date, number, regexp or checkbox field, or ``REFUSED``."""
    kind, text = field["type"], str(value).strip()
    if kind == "checkbox" and (isinstance(value, bool) or text in ("true", "false")):
        return value if isinstance(value, bool) else text == "true"
    if kind == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    if kind in _NUMBER and not isinstance(value, bool) and re.fullmatch(_NUMBER[kind], text):
        return value
    pattern = field.get("regexp_for_validation") or ""
    if kind == "regexp" and isinstance(value, str) and re.search(pattern, value):
        return value
    return REFUSED


def stored_value(field: JSON, value: Any, refuse_unknown_options: bool) -> Any:
    """What Zendesk keeps of ``value`` for ``field`` (``DROPPED``: nothing; ``REFUSED``:
    a 422)."""
    if value is None:
        return None
    kind = field["type"]
    if kind in OPTION_TYPES:
        return _choice(field, value, refuse_unknown_options)
    if kind in VALUE_TYPES:
        return _typed(field, value)
    if kind in ("text", "textarea") and not isinstance(value, dict | list):
        return value if isinstance(value, str) else str(value)
    return copy.deepcopy(value)


def accepted_custom_fields(fields: dict[int, JSON], given: Any, refuse_unknown_options: bool
                           ) -> tuple[list[JSON], list[JSON]]:
    """The ``custom_fields`` (or ``fields``) of a request as Zendesk keeps them, and the
    ``details.base`` entries of the values it refuses."""
    kept: list[JSON] = []
    refused: list[JSON] = []
    for item in given if isinstance(given, list) else []:
        if not isinstance(item, dict):
            continue
        fid = item.get("id")
        fid = int(fid) if isinstance(fid, str) and fid.isdigit() else fid
        field = fields.get(fid) if isinstance(fid, int) else None
        if field is None or not field["removable"] or not field["active"]:
            continue
        value = stored_value(field, item.get("value"), refuse_unknown_options)
        if value is REFUSED:
            refused.append(refusal(field))
        elif value is not DROPPED:
            kept.append({"id": fid, "value": value})
    return kept, refused


def changed_field(field: JSON, changes: JSON) -> JSON:
    """A field after an admin's edit (title, active, options, pattern, type...)."""
    out = copy.deepcopy(field)
    for key, value in changes.items():
        if key == "custom_field_options":
            out[key] = field_options(out["id"], value)
        elif key not in ("id", "url", "created_at"):
            out[key] = value
    if "title" in changes:
        out["raw_title"] = out["title_in_portal"] = out["raw_title_in_portal"] = out["title"]
    out["updated_at"] = now_iso()
    return out
