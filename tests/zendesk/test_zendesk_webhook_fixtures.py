"""One test per file in ../shared/fixtures/zendesk_webhooks, plus parsing edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bridge.errors import PayloadError, UnsupportedEvent
from bridge.zendesk import signature
from bridge.zendesk.mapping import normalise_status
from bridge.zendesk.payloads import parse_webhook, ticket_id_from_webhook
from tests.zendesk import assert_every_fixture_has_a_test, fixture_bytes, fixture_json

FOLDER = "zendesk_webhooks"


def test_event_ticket_comment_added_public_agent() -> None:
    payload = fixture_json(FOLDER, "event_ticket_comment_added_public_agent.json")
    hook = parse_webhook(payload)
    assert ticket_id_from_webhook(payload) == hook.ticket_id == "5158"
    assert hook.event_type == "zen:event-type:ticket.comment_added"
    assert hook.comment is not None and hook.comment.author is not None
    assert hook.comment.id == "9876543210"
    assert hook.comment.is_public is True
    assert hook.comment.author.is_staff is True
    assert hook.comment.author.name == "Support Agent"
    assert hook.comment.body == "We are investigating this issue and will update you shortly."
    assert hook.status_current is None


def test_event_ticket_created() -> None:
    payload = fixture_json(FOLDER, "event_ticket_created.json")
    hook = parse_webhook(payload)
    assert hook.ticket_id == "5158"
    assert hook.event_type == "zen:event-type:ticket.created"
    assert hook.comment is None and hook.status_current is None


def test_event_ticket_status_changed_solved() -> None:
    hook = parse_webhook(fixture_json(FOLDER, "event_ticket_status_changed_solved.json"))
    assert hook.ticket_id == "5158"
    assert hook.event_type == "zen:event-type:ticket.status_changed"
    assert (hook.status_previous, hook.status_current) == ("OPEN", "SOLVED")
    assert normalise_status(hook.status_current) == "solved"


def test_trigger_custom_json_message_only() -> None:
    payload = fixture_json(FOLDER, "trigger_custom_json_message_only.json")
    with pytest.raises(UnsupportedEvent, match="without a ticket id"):
        ticket_id_from_webhook(payload)


def test_trigger_custom_json_ticket_create_update() -> None:
    raw = fixture_bytes(FOLDER, "trigger_custom_json_ticket_create_update.json")
    # As received: signed over the raw bytes, then decoded.
    stamp = "2025-02-03T19:59:00Z"
    signature.verify(raw, signature.sign(raw, stamp, "s3cret"), stamp, "s3cret",
                     datetime(2025, 2, 3, 20, 0, tzinfo=UTC))
    hook = parse_webhook(json.loads(raw))
    assert hook.ticket_id == "7"
    assert hook.event_type is None and hook.comment is None


def test_every_webhook_fixture_has_a_test() -> None:
    assert_every_fixture_has_a_test(FOLDER, globals())


# ---- edge cases beyond the captured fixtures ------------------------------------------


def test_our_own_trigger_body_and_integer_ids() -> None:
    assert ticket_id_from_webhook({"ticket_id": "42"}) == "42"
    assert ticket_id_from_webhook({"ticket_id": 42}) == "42"
    assert ticket_id_from_webhook({"type": "zen:event-type:ticket.created",
                                   "detail": {"id": 9}}) == "9"


@pytest.mark.parametrize("body", [[], "7", None, 7])
def test_non_object_bodies_are_payload_errors(body: object) -> None:
    with pytest.raises(PayloadError):
        parse_webhook(body)


@pytest.mark.parametrize("ticket_id", ["{{ticket.id}}", "", True, -3, 0, "7a", None])
def test_bad_ticket_ids_are_payload_errors(ticket_id: object) -> None:
    with pytest.raises(PayloadError):
        ticket_id_from_webhook({"ticket_id": ticket_id})


def test_event_without_detail_is_a_payload_error() -> None:
    with pytest.raises(PayloadError):
        parse_webhook({"type": "zen:event-type:ticket.created"})


def test_non_ticket_events_are_unsupported() -> None:
    with pytest.raises(UnsupportedEvent, match="not about a ticket"):
        parse_webhook({"type": "zen:event-type:user.created", "detail": {"id": "1"}})
