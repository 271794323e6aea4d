"""The Freshdesk emulator's ticket fields: documented shapes, one field by id, run-time
changes, and the 400 answers for values, types and agents that do not fit."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulators.freshdesk import FreshdeskEmulator
from tests.fields import fixture_json
from tests.freshdesk import API_KEY, running_emulator
from tests.helpdesks import emulator_fixtures

server, emu = emulator_fixtures(running_emulator)


def api(emu: FreshdeskEmulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{emu.base_url}/api/v2/{path}", auth=(API_KEY, "X"),
                            timeout=5, **kwargs)


def control(emu: FreshdeskEmulator, method: str, path: str, **kwargs: Any
            ) -> requests.Response:
    return requests.request(method, f"{emu.base_url}/_emulator/{path}", timeout=5, **kwargs)


def create(emu: FreshdeskEmulator, **extra: Any) -> requests.Response:
    contact = api(emu, "POST", "contacts", json={"name": "Ana", "unique_external_id": "x:1"})
    found = contact.json()
    contact_id = found.get("id") or found["errors"][0]["additional_info"]["user_id"]
    body = {"requester_id": contact_id, "subject": "Help", "status": 2,
            "priority": 1, "description": "<div>Help</div>", **extra}
    return api(emu, "POST", "tickets", json=body)


def test_fields_have_the_documented_shape(emu: FreshdeskEmulator) -> None:
    listed = api(emu, "GET", "ticket_fields").json()
    documented = fixture_json("freshdesk")
    keys = set(documented[1])  # the requester field has portal_cc keys of its own
    assert all(set(f) >= keys for f in listed)
    assert {"portal_cc", "portal_cc_to"} <= set(listed[0])
    assert {f["type"] for f in listed if f["name"].startswith("cf_")} == {
        "custom_dropdown", "custom_text", "custom_checkbox", "custom_date", "custom_number",
        "custom_paragraph", "nested_field", "custom_decimal"}
    one = api(emu, "GET", "admin/ticket_fields/43000000318").json()
    assert (one["name"], one["type"], one["default"]) == ("cf_order_value", "custom_decimal",
                                                          False)
    assert api(emu, "GET", "admin/ticket_fields/1").status_code == 404


def test_fields_change_at_run_time(emu: FreshdeskEmulator) -> None:
    added = control(emu, "POST", "ticket_fields", json={
        "name": "cf_tier", "label": "Tier", "type": "custom_dropdown",
        "choices": ["bronze", "silver"]})
    assert added.status_code == 201 and added.json()["default"] is False
    assert create(emu, custom_fields={"cf_tier": "silver"}).status_code == 201
    control(emu, "PUT", "ticket_fields/cf_tier", json={"choices": ["gold"], "label": "Level"})
    refused = create(emu, custom_fields={"cf_tier": "silver"})
    assert refused.json()["errors"] == [{"field": "cf_tier", "message":
                                         "It should be one of these values: 'gold'",
                                         "code": "invalid_value"}]
    assert control(emu, "DELETE", "ticket_fields/cf_tier").status_code == 204
    gone = create(emu, custom_fields={"cf_tier": "gold"})
    assert gone.json()["errors"][0]["code"] == "invalid_field"
    assert "cf_tier" not in {f["name"] for f in api(emu, "GET", "ticket_fields").json()}
    assert control(emu, "POST", "ticket_fields", json={
        "name": "tier", "label": "Tier", "type": "custom_text"}).status_code == 400
    assert control(emu, "DELETE", "ticket_fields/cf_tier").status_code == 404


@pytest.mark.parametrize(("values", "code"), [
    ({"cf_order_value": "19.99"}, "datatype_mismatch"),
    ({"cf_order_value": True}, "datatype_mismatch"),
    ({"cf_customer_handle": "x" * 256}, "datatype_mismatch"),
    ({"cf_region": "Mars"}, "invalid_value"),
])
def test_bad_values_are_400(emu: FreshdeskEmulator, values: dict[str, Any], code: str) -> None:
    answer = create(emu, custom_fields=values)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == code
    assert emu.state.tickets == {}


def test_agent_type_and_every_field_kind_are_stored(emu: FreshdeskEmulator) -> None:
    values = {"cf_social_channel": "WhatsApp", "cf_customer_handle": "@ana", "cf_vip": True,
              "cf_follow_up_date": "2025-03-01", "cf_order_number": 12,
              "cf_order_value": 19.99, "cf_internal_summary": "line\nline", "cf_region": "Asia"}
    answer = create(emu, responder_id=emu.AGENT_ID, type="Incident", group_id=43000000102,
                    custom_fields=values)
    assert answer.status_code == 201, answer.text
    ticket = emu.state.tickets[answer.json()["id"]]
    assert (ticket["responder_id"], ticket["type"], ticket["group_id"]) == (
        emu.AGENT_ID, "Incident", 43000000102)
    assert {k: ticket["custom_fields"][k] for k in values} == values
    wrong_type = create(emu, type="Bug")
    assert wrong_type.json()["errors"] == [{
        "field": "type", "code": "invalid_value", "message":
        "It should be one of these values: 'Question,Incident,Problem,Feature Request,Refund'"}]
    assert create(emu, responder_id=12345).json()["errors"][0]["field"] == "responder_id"


def test_every_invalid_field_is_named_in_one_answer(emu: FreshdeskEmulator) -> None:
    """Freshdesk lists each field it refuses in the ``errors`` of one 400, so a client can
    leave them all out at once."""
    answer = create(emu, group_id=999, responder_id=12345, type="Gone", tags="social",
                    custom_fields={"cf_social_channel": "Myspace", "cf_order_number": "12",
                                   "cf_nope": 1})
    assert answer.status_code == 400
    assert answer.json()["description"] == "Validation failed"
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [
        ("group_id", "invalid_value"), ("responder_id", "invalid_value"),
        ("type", "invalid_value"), ("tags", "datatype_mismatch"),
        ("cf_social_channel", "invalid_value"), ("cf_order_number", "datatype_mismatch"),
        ("cf_nope", "invalid_field")]
    contacts = len(emu.state.contacts)
    missing = api(emu, "POST", "tickets", json={"status": 9, "priority": 1,
                                                "unique_external_id": "x:new"})
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("subject", "missing_field"), ("description", "missing_field"),
        ("status", "invalid_value")]
    nobody = api(emu, "POST", "tickets", json={"subject": "s", "description": "d",
                                               "status": 2, "priority": 1, "group_id": 999})
    assert [e["field"] for e in nobody.json()["errors"]] == ["requester_id", "group_id"]
    assert emu.state.tickets == {} and len(emu.state.contacts) == contacts
