"""One test per file in ../shared/fixtures/freshdesk_webhooks (Zulip's automation-rule
bodies, wrapped in ``freshdesk_webhook``), plus parsing and secret-header edge cases."""

from __future__ import annotations

import json

import pytest

from bridge.errors import PayloadError, SignatureError, UnsupportedEvent
from bridge.freshdesk import signature
from bridge.freshdesk.payloads import parse_webhook, ticket_id_from_webhook
from tests.freshdesk import assert_every_fixture_has_a_test, fixture_bytes, fixture_json

FOLDER = "freshdesk_webhooks"


def test_priority_changed() -> None:
    hook = parse_webhook(fixture_json(FOLDER, "priority_changed.json"))
    assert (hook.ticket_id, hook.wrapper) == ("11", "freshdesk_webhook")
    assert hook.triggered_event == "{priority:{from:3,to:1}}"
    assert hook.ticket_status == "Resolved"


def test_private_note_added() -> None:
    """Still "look at ticket 11": reading the ticket finds no reply in a private note."""
    payload = fixture_json(FOLDER, "private_note_added.json")
    assert ticket_id_from_webhook(payload) == "11"
    assert parse_webhook(payload).triggered_event == "{note_type:private}"


def test_public_note_added() -> None:
    hook = parse_webhook(fixture_json(FOLDER, "public_note_added.json"))
    assert (hook.ticket_id, hook.triggered_event, hook.ticket_status) == (
        "11", "{note_type:public}", "Open")


def test_status_changed() -> None:
    raw = fixture_bytes(FOLDER, "status_changed.json")
    hook = parse_webhook(json.loads(raw))
    assert hook.ticket_id == "11"
    assert hook.triggered_event == "{status:{from:4,to:6}}"
    assert hook.ticket_status == "Waiting on Customer"  # a custom status, by name
    assert "☃".encode() in raw


def test_ticket_created() -> None:
    hook = parse_webhook(fixture_json(FOLDER, "ticket_created.json"))
    assert (hook.ticket_id, hook.triggered_event, hook.ticket_status) == (
        "11", "{ticket_action:created}", "Pending")


def test_ticket_created_inline_image() -> None:
    payload = fixture_json(FOLDER, "ticket_created_inline_image.json")
    assert ticket_id_from_webhook(payload) == "12"
    assert "<img" in payload["freshdesk_webhook"]["ticket_description"]


def test_every_fixture_has_a_test() -> None:
    assert_every_fixture_has_a_test(FOLDER, globals())


# ---- edge cases -------------------------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    ({"ticket_id": "42"}, "42"),  # our rule's body
    ({"ticket_id": 42}, "42"),
    ({"ticket_id": " #42 "}, "42"),  # the display form
    ({"ticket_id": "0042"}, "42"),
    ({"bridge": {"ticket_id": "7", "x": 1}, "other": {"no": "id"}}, "7"),
    ({"ticket_id": "5", "freshdesk_webhook": {"ticket_id": "6"}}, "5"),  # top level wins
    ({"a": {"ticket_id": 3}, "b": {"ticket_id": "3"}}, "3"),
])
def test_ticket_id_found(body: object, expected: str) -> None:
    assert ticket_id_from_webhook(body) == expected


@pytest.mark.parametrize("body, error, match", [
    ([{"ticket_id": "1"}], PayloadError, "not a JSON object"),
    ("11", PayloadError, "not a JSON object"),
    ({"ticket_id": "{{ticket.id}}"}, PayloadError, "unreplaced placeholder"),
    ({"ticket_id": True}, PayloadError, "not a ticket id"),
    ({"ticket_id": "0"}, PayloadError, "not a ticket id"),
    ({"ticket_id": "1" * 20}, PayloadError, "not a ticket id"),
    ({"ticket_id": -3}, PayloadError, "not a ticket id"),
    ({"ticket_id": None}, PayloadError, "not a ticket id"),
    ({"a": {"ticket_id": 1}, "b": {"ticket_id": 2}}, PayloadError, "several tickets"),
    ({}, UnsupportedEvent, "without a ticket_id"),
    ({"message": "hello"}, UnsupportedEvent, "without a ticket_id"),
    ({"a": {"b": {"ticket_id": 1}}}, UnsupportedEvent, "without a ticket_id"),  # two levels
])
def test_bad_bodies(body: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        ticket_id_from_webhook(body)


def test_secret_header_matches() -> None:
    signature.verify("s3cret-value", "s3cret-value")
    signature.verify(" s3cret-value\n", "s3cret-value\n")  # pasted with whitespace
    signature.verify("ключ✓", "ключ✓")


@pytest.mark.parametrize("header, configured, match", [
    ("wrong", "s3cret", "does not match"),
    ("s3cret-longer", "s3cret", "does not match"),
    ("", "s3cret", "missing X-Bridge-Secret"),
    ("s3cret", "", "FRESHDESK_WEBHOOK_SECRET is not set"),
    ("", "", "FRESHDESK_WEBHOOK_SECRET is not set"),
])
def test_secret_header_refused(header: str, configured: str, match: str) -> None:
    with pytest.raises(SignatureError, match=match):
        signature.verify(header, configured)
