"""The Zendesk emulator's ticket fields: the documented shapes, run-time changes, and what
a ticket write keeps of each field value (ignored, dropped, or a 422 naming the field)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulators.zendesk import ZendeskEmulator
from tests.fields import fixture_json

EMAIL, TOKEN = "agent@example.com", "tok"
TIER, HANDLE, VIP, DATE, NUMBER, VALUE, REFERENCE, TOPICS, LEGACY = (
    360000000031, 360000000032, 360000000034, 360000000035, 360000000036, 360000000037,
    360000000038, 360000000039, 360000000040)


@pytest.fixture(scope="module")
def server() -> Iterator[ZendeskEmulator]:
    emulator = ZendeskEmulator(email=EMAIL, token=TOKEN)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(server: ZendeskEmulator) -> ZendeskEmulator:
    server.reset()
    return server


@pytest.fixture
def api(emu: ZendeskEmulator) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{EMAIL}/token", TOKEN)
    return session


def create(emu: ZendeskEmulator, api: requests.Session, **extra: Any) -> requests.Response:
    ticket = {"subject": "Help", "comment": {"body": "first"}, **extra}
    return api.post(f"{emu.base_url}/api/v2/tickets.json", json={"ticket": ticket})


def stored(emu: ZendeskEmulator, ticket_id: int) -> dict[int, Any]:
    return {f["id"]: f["value"] for f in emu.state.tickets[ticket_id]["custom_fields"]}


def test_fields_have_the_documented_shape(emu: ZendeskEmulator, api: requests.Session) -> None:
    listed = api.get(f"{emu.base_url}/api/v2/ticket_fields.json").json()
    documented = fixture_json("zendesk")
    assert set(listed) == set(documented)
    keys = set(documented["ticket_fields"][0])
    assert all(set(f) - {"custom_field_options"} == keys - {"custom_field_options"}
               for f in listed["ticket_fields"])
    kinds = {f["type"] for f in listed["ticket_fields"] if f["removable"]}
    assert kinds == {"tagger", "text", "textarea", "checkbox", "date", "integer", "decimal",
                     "regexp", "multiselect"}
    system = [f["type"] for f in listed["ticket_fields"] if not f["removable"]]
    assert system == ["subject", "description", "status", "tickettype", "priority", "group",
                      "assignee"]
    one = api.get(f"{emu.base_url}/api/v2/ticket_fields/{TIER}.json").json()["ticket_field"]
    assert one["custom_field_options"][0] == {
        "id": TIER * 100 + 1, "name": "Messenger", "raw_name": "Messenger",
        "value": "messenger", "default": False}
    assert api.get(f"{emu.base_url}/api/v2/ticket_fields/1.json").status_code == 404


def test_fields_change_at_run_time(emu: ZendeskEmulator, api: requests.Session) -> None:
    control = f"{emu.base_url}/_emulator/ticket_fields"
    tier = {"type": "tagger", "title": "Tier",
            "custom_field_options": [{"name": "Gold", "value": "tier_gold"}]}
    added = requests.post(control, json=tier, timeout=5)
    assert added.status_code == 201
    fid = added.json()["ticket_field"]["id"]
    assert requests.put(f"{control}/{fid}", json={"active": False, "title": "Old tier"},
                        timeout=5).status_code == 200
    shown = api.get(f"{emu.base_url}/api/v2/ticket_fields/{fid}").json()["ticket_field"]
    assert (shown["active"], shown["title"], shown["raw_title"]) == (False, "Old tier",
                                                                      "Old tier")
    assert requests.delete(f"{control}/{fid}", timeout=5).status_code == 204
    assert api.get(f"{emu.base_url}/api/v2/ticket_fields/{fid}").status_code == 404
    assert requests.post(control, json={"type": "hologram", "title": "x"},
                         timeout=5).status_code == 400
    assert requests.delete(f"{control}/{fid}", timeout=5).status_code == 404


def test_good_values_are_stored(emu: ZendeskEmulator, api: requests.Session) -> None:
    values = {TIER: "whatsapp", HANDLE: "@ana", VIP: "true", DATE: "2025-03-01",
              NUMBER: "12", VALUE: 19.99, REFERENCE: "AB-1234", TOPICS: ["billing"]}
    answer = create(emu, api, custom_fields=[{"id": k, "value": v} for k, v in values.items()])
    assert answer.status_code == 201, answer.text
    assert stored(emu, answer.json()["ticket"]["id"]) == {**values, VIP: True}


def test_unknown_system_inactive_and_non_option_values_are_ignored(
        emu: ZendeskEmulator, api: requests.Session) -> None:
    given = [{"id": 999, "value": "x"}, {"id": 360000000021, "value": "subject?"},
             {"id": LEGACY, "value": "old"}, {"id": TIER, "value": "myspace"},
             {"id": TOPICS, "value": ["billing", "gold"]}, {"id": HANDLE, "value": "@ana"}]
    answer = create(emu, api, custom_fields=given)
    assert answer.status_code == 201  # Zendesk says nothing
    tid = answer.json()["ticket"]["id"]
    assert stored(emu, tid) == {TOPICS: ["billing"], HANDLE: "@ana"}
    update = {"custom_fields": [{"id": TOPICS, "value": ["returns"]}, {"id": TIER, "value":
                                                                       "nope"}]}
    api.put(f"{emu.base_url}/api/v2/tickets/{tid}.json", json={"ticket": update})
    assert stored(emu, tid) == {TOPICS: ["returns"], HANDLE: "@ana"}


@pytest.mark.parametrize(("field_id", "value", "kind", "title"), [
    (DATE, "03/01/2025", "FieldDate", "Follow-up date"),
    (DATE, "2025-02-30", "FieldDate", "Follow-up date"),
    (NUMBER, "12.5", "FieldInteger", "Order number"),
    (VALUE, "abc", "FieldDecimal", "Order value"),
    (REFERENCE, "ab-1234", "FieldRegexp", "Order reference"),
    (VIP, "yes", "FieldCheckbox", "VIP customer"),
])
def test_bad_typed_values_are_422_and_store_nothing(
        emu: ZendeskEmulator, api: requests.Session, field_id: int, value: Any, kind: str,
        title: str) -> None:
    answer = create(emu, api, custom_fields=[{"id": field_id, "value": value}])
    assert answer.status_code == 422
    assert answer.json() == {"error": "RecordInvalid", "description": "Record validation errors",
                             "details": {"base": [{
                                 "description": f"{title} is not valid", "error": "InvalidValue",
                                 "ticket_field_id": field_id, "ticket_field_type": kind}]}}
    assert emu.state.tickets == {}


def test_an_account_that_refuses_unknown_options_names_every_field_in_one_422(
        emu: ZendeskEmulator, api: requests.Session) -> None:
    """Opt-in (``refuse_unknown_options``, like ``groups``): a removed drop-down option is
    a ``details.base`` entry naming the field by id, beside every other refusal."""
    with emu.state.lock:
        emu.state.refuse_unknown_options = True
        emu.state.groups = {360000000101: "Support"}
    given = [{"id": TIER, "value": "myspace"}, {"id": TOPICS, "value": ["billing", "gold"]},
             {"id": DATE, "value": "soon"}, {"id": HANDLE, "value": "@ana"}]
    answer = create(emu, api, custom_fields=given, group_id=360000000999)
    assert answer.status_code == 422
    details = answer.json()["details"]
    assert details["group"] == [{"description": "Group: is invalid", "error": "InvalidValue"}]
    assert [(e["ticket_field_id"], e["ticket_field_type"], e["description"])
            for e in details["base"]] == [
        (TIER, "FieldTagger", "Social channel is not valid"),
        (TOPICS, "FieldMultiselect", "Topics is not valid"),
        (DATE, "FieldDate", "Follow-up date is not valid")]
    assert emu.state.tickets == {}
    kept = create(emu, api, custom_fields=[{"id": TIER, "value": "whatsapp"},
                                           {"id": TOPICS, "value": ["billing"]}])
    assert kept.status_code == 201
    assert stored(emu, kept.json()["ticket"]["id"]) == {TIER: "whatsapp", TOPICS: ["billing"]}
    update = {"custom_fields": [{"id": TIER, "value": "nope"}]}
    refused = api.put(f"{emu.base_url}/api/v2/tickets/{kept.json()['ticket']['id']}.json",
                      json={"ticket": update})
    assert refused.status_code == 422
    assert refused.json()["details"]["base"][0]["ticket_field_id"] == TIER


def test_assignee_type_and_brand_are_stored(emu: ZendeskEmulator, api: requests.Session) -> None:
    answer = create(emu, api, assignee_id=emu.state.AGENT_ID, type="incident",
                    brand_id=360000000099, group_id=360000000101)
    ticket = emu.state.tickets[answer.json()["ticket"]["id"]]
    assert (ticket["assignee_id"], ticket["type"], ticket["brand_id"], ticket["group_id"]) == (
        2, "incident", 360000000099, 360000000101)
    assert create(emu, api, brand_id="main").status_code == 422
    assert create(emu, api, type="bug").status_code == 422
