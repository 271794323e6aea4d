"""Ticket field tests: the fields of both helpdesks, from fixtures written from each
vendor's documentation (``tests/fixtures/<helpdesk>/README.md`` names the pages)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bridge.fields.model import TicketField

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_json(helpdesk: str, name: str = "ticket_fields_200.json") -> Any:
    return json.loads((FIXTURES / helpdesk / name).read_text(encoding="utf-8"))


def zendesk_fields() -> tuple[TicketField, ...]:
    from bridge.zendesk.fields import custom_ticket_fields

    return custom_ticket_fields(fixture_json("zendesk")["ticket_fields"])


def freshdesk_fields() -> tuple[TicketField, ...]:
    from bridge.freshdesk.fields import custom_ticket_fields

    return custom_ticket_fields(fixture_json("freshdesk"))


def fields_of(helpdesk: str) -> tuple[TicketField, ...]:
    return zendesk_fields() if helpdesk == "zendesk" else freshdesk_fields()


def field(helpdesk: str, key: str) -> TicketField:
    return next(f for f in fields_of(helpdesk) if f.key == key)
