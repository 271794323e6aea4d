"""``/webhooks/zendesk``: signature over timestamp and body, replays, "look at ticket N"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bridge import clock, config, db, settings_store
from bridge.models import Conversation, HelpdeskEvent
from tests.conftest import shared_path
from tests.web.conftest import (
    PAGE,
    PSID,
    ZENDESK_SECRET,
    Web,
    assert_nothing_stored,
    count_rows,
    post_zendesk,
    zendesk_stamp,
)

NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
STAMP = zendesk_stamp(NOW - timedelta(seconds=2))
TRIGGER = {"ticket_id": "42"}  # the body our own trigger sends (install.py)
FOLDER = ("fixtures", "zendesk_webhooks")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[datetime]:
    clock.set_clock(lambda: NOW)
    yield NOW
    clock.set_clock(None)


def events() -> list[HelpdeskEvent]:
    with db.session() as s:
        return list(s.scalars(select(HelpdeskEvent).order_by(HelpdeskEvent.id)))


def linked_conversation(ticket_id: str = "5158", work_due_at: datetime | None = None) -> int:
    with db.session() as s:
        conv = Conversation(channel="messenger", account_id=PAGE, thread_id=PSID,
                            helpdesk="zendesk", ticket_id=ticket_id,
                            outbound_due=False, work_due_at=work_due_at)
        s.add(conv)
        s.commit()
        return conv.id


def conversation(conv_id: int) -> Conversation:
    with db.session() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        return conv


# ---- signature -------------------------------------------------------------------------


def test_signature_over_timestamp_then_body_is_accepted(web: Web) -> None:
    response = post_zendesk(web.client, TRIGGER, ZENDESK_SECRET, STAMP, invocation_id="77")
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted", "ticket_id": "42", "conversation": None}
    (event,) = events()
    assert (event.helpdesk, event.event_key, event.ticket_id, event.conversation_id) == (
        "zendesk", "77", "42", None)
    assert event.received_at == NOW
    assert web.enqueued == []


def test_signature_over_body_then_timestamp_is_accepted(sqlite_web: Web) -> None:
    response = post_zendesk(sqlite_web.client, TRIGGER, ZENDESK_SECRET, STAMP, body_first=True)
    assert response.status_code == 200
    assert [e.ticket_id for e in events()] == ["42"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Zendesk-Webhook-Signature-Timestamp": STAMP},
        {"X-Zendesk-Webhook-Signature": "from-elsewhere"},
        {"X-Zendesk-Webhook-Signature": "", "X-Zendesk-Webhook-Signature-Timestamp": STAMP},
    ],
    ids=["none", "no-signature", "no-timestamp", "empty-signature"],
)
def test_missing_headers_are_401(sqlite_web: Web, headers: dict[str, str]) -> None:
    response = sqlite_web.client.post("/webhooks/zendesk", data=json.dumps(TRIGGER),
                                      content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["status"] == "unauthorized"
    assert_nothing_stored()
    assert sqlite_web.enqueued == []


def test_wrong_secret_is_401_and_stores_nothing(web: Web) -> None:
    response = post_zendesk(web.client, TRIGGER, "not-the-secret", STAMP)
    assert response.status_code == 401
    assert response.get_json() == {"status": "unauthorized", "reason": "signature does not match"}
    assert_nothing_stored()


def test_signature_of_another_body_or_timestamp_is_401(sqlite_web: Web) -> None:
    from bridge.zendesk.signature import sign

    body = json.dumps(TRIGGER).encode()
    other_stamp = zendesk_stamp(NOW - timedelta(seconds=3))
    for sig, stamp in [(sign(b'{"ticket_id": "43"}', STAMP, ZENDESK_SECRET), STAMP),
                       (sign(body, other_stamp, ZENDESK_SECRET), STAMP)]:
        response = sqlite_web.client.post(
            "/webhooks/zendesk", data=body, content_type="application/json",
            headers={"X-Zendesk-Webhook-Signature": sig,
                     "X-Zendesk-Webhook-Signature-Timestamp": stamp})
        assert response.status_code == 401
    assert_nothing_stored()


def test_unreadable_timestamp_is_401(sqlite_web: Web) -> None:
    response = post_zendesk(sqlite_web.client, TRIGGER, ZENDESK_SECRET, "yesterday")
    assert response.status_code == 401
    assert "timestamp" in response.get_json()["reason"]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("offset", "status"),
    [(timedelta(minutes=-6), 401), (timedelta(minutes=6), 401),
     (timedelta(minutes=-4, seconds=-59), 200), (timedelta(minutes=4, seconds=59), 200)],
    ids=["6-min-old", "6-min-ahead", "almost-5-min-old", "almost-5-min-ahead"],
)
def test_timestamps_more_than_five_minutes_away_are_replays(
    sqlite_web: Web, offset: timedelta, status: int
) -> None:
    response = post_zendesk(sqlite_web.client, TRIGGER, ZENDESK_SECRET,
                            zendesk_stamp(NOW + offset))
    assert response.status_code == status
    assert count_rows(HelpdeskEvent) == (1 if status == 200 else 0)


def test_secret_stored_in_the_settings_table_is_used(web: Web, env: pytest.MonkeyPatch) -> None:
    env.delenv("ZENDESK_WEBHOOK_SECRET")
    config.reset_settings()
    with db.session() as s:
        settings_store.put(s, "zendesk_webhook_secret", "stored-by-install")
    refused = post_zendesk(web.client, TRIGGER, ZENDESK_SECRET, STAMP, invocation_id="1")
    assert refused.status_code == 401
    accepted = post_zendesk(web.client, TRIGGER, "stored-by-install", STAMP, invocation_id="2")
    assert accepted.status_code == 200
    assert [e.event_key for e in events()] == ["2"]


def test_no_secret_anywhere_is_401(sqlite_web: Web, env: pytest.MonkeyPatch) -> None:
    env.delenv("ZENDESK_WEBHOOK_SECRET")
    config.reset_settings()
    response = post_zendesk(sqlite_web.client, TRIGGER, "", STAMP)
    assert response.status_code == 401
    assert "ZENDESK_WEBHOOK_SECRET" in response.get_json()["reason"]
    assert_nothing_stored()


# ---- malformed bodies ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b"{\"ticket_id\": ", b"\xff", b""],
                         ids=["text", "truncated", "not-utf8", "empty"])
def test_signed_non_json_is_400_with_a_reason(sqlite_web: Web, body: bytes) -> None:
    response = post_zendesk(sqlite_web.client, body, ZENDESK_SECRET, STAMP)
    assert response.status_code == 400
    assert response.get_json()["status"] == "bad_request"
    assert response.get_json()["reason"]
    assert_nothing_stored()


@pytest.mark.parametrize(
    "body",
    [b"[]", b"null", b"{\"ticket_id\": \"{{ticket.id}}\"}", b"{\"ticket_id\": 0}",
     b"{\"type\": \"zen:event-type:ticket.created\"}"],
    ids=["list", "null", "placeholder", "zero", "event-without-detail"],
)
def test_signed_json_without_a_usable_ticket_is_400(sqlite_web: Web, body: bytes) -> None:
    response = post_zendesk(sqlite_web.client, body, ZENDESK_SECRET, STAMP)
    assert response.status_code == 400
    assert response.get_json()["reason"]
    assert_nothing_stored()


def test_non_ticket_event_is_200_ignored(sqlite_web: Web) -> None:
    body = {"type": "zen:event-type:user.created", "detail": {"id": "1"}}
    response = post_zendesk(sqlite_web.client, body, ZENDESK_SECRET, STAMP)
    assert response.status_code == 200
    assert response.get_json()["status"] == "ignored"
    assert_nothing_stored()


def test_deeply_nested_json_is_400(sqlite_web: Web) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = post_zendesk(sqlite_web.client, body, ZENDESK_SECRET, STAMP)
    assert response.status_code == 400



def test_a_ticket_id_too_long_for_any_ticket_is_400(web: Web) -> None:
    response = post_zendesk(web.client, {"ticket_id": "1" * 100}, ZENDESK_SECRET, STAMP)
    assert response.status_code == 400
    assert_nothing_stored()


def test_a_long_invocation_id_is_still_accepted_on_postgres(web: Web) -> None:
    if db.get_engine().dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    response = post_zendesk(web.client, TRIGGER, ZENDESK_SECRET, STAMP, invocation_id="9" * 200)
    assert response.status_code == 200
    assert count_rows(HelpdeskEvent) == 1

def test_body_over_one_megabyte_is_413(sqlite_web: Web) -> None:
    body = json.dumps({"ticket_id": "42", "pad": "x" * (1024 * 1024)}).encode()
    response = post_zendesk(sqlite_web.client, body, ZENDESK_SECRET, STAMP)
    assert response.status_code == 413
    assert response.is_json
    assert_nothing_stored()


# ---- one test per captured webhook -----------------------------------------------------


def post_fixture(web: Web, name: str, invocation_id: str | None = "1001") -> dict[str, object]:
    body = shared_path(*FOLDER, name).read_bytes()
    response = post_zendesk(web.client, body, ZENDESK_SECRET, STAMP, invocation_id=invocation_id)
    assert response.status_code == 200, response.get_data()
    answer = response.get_json()
    assert isinstance(answer, dict)
    return answer


def assert_event_stored(web: Web, name: str, ticket_id: str) -> None:
    answer = post_fixture(web, name)
    assert answer == {"status": "accepted", "ticket_id": ticket_id, "conversation": None}
    assert [(e.helpdesk, e.event_key, e.ticket_id) for e in events()] == [
        ("zendesk", "1001", ticket_id)]
    assert web.enqueued == []


def test_event_ticket_comment_added_public_agent(web: Web) -> None:
    assert_event_stored(web, "event_ticket_comment_added_public_agent.json", "5158")


def test_event_ticket_created(web: Web) -> None:
    assert_event_stored(web, "event_ticket_created.json", "5158")


def test_event_ticket_status_changed_solved(web: Web) -> None:
    assert_event_stored(web, "event_ticket_status_changed_solved.json", "5158")


def test_trigger_custom_json_ticket_create_update(web: Web) -> None:
    assert_event_stored(web, "trigger_custom_json_ticket_create_update.json", "7")


def test_trigger_custom_json_message_only(web: Web) -> None:
    answer = post_fixture(web, "trigger_custom_json_message_only.json")
    assert answer["status"] == "ignored"
    assert_nothing_stored()
    assert web.enqueued == []


def test_every_webhook_fixture_has_a_test() -> None:
    folder = shared_path(*FOLDER)
    missing = [p.name for p in sorted(folder.glob("*.json"))
               if not callable(globals().get(f"test_{p.stem}"))]
    assert missing == []


# ---- tickets linked to a conversation ---------------------------------------------------


def test_linked_ticket_marks_the_conversation_due_and_enqueues_it(web: Web) -> None:
    conv_id = linked_conversation("5158")
    answer = post_fixture(web, "event_ticket_comment_added_public_agent.json")
    assert answer == {"status": "accepted", "ticket_id": "5158", "conversation": conv_id}
    conv = conversation(conv_id)
    assert conv.outbound_due is True
    assert conv.work_due_at == NOW
    assert web.enqueued == [[conv_id]]
    assert [e.conversation_id for e in events()] == [conv_id]
    assert web.outbound == []  # the ticket is read by the worker, not here


def test_an_earlier_due_time_is_kept(sqlite_web: Web) -> None:
    earlier = NOW - timedelta(minutes=10)
    conv_id = linked_conversation("5158", work_due_at=earlier)
    post_fixture(sqlite_web, "event_ticket_created.json")
    conv = conversation(conv_id)
    assert (conv.outbound_due, conv.work_due_at) == (True, earlier)


def test_a_ticket_of_another_helpdesk_is_not_linked(sqlite_web: Web) -> None:
    with db.session() as s:
        s.add(Conversation(channel="messenger", account_id=PAGE, thread_id=PSID,
                           helpdesk="freshdesk", ticket_id="5158"))
        s.commit()
    answer = post_fixture(sqlite_web, "event_ticket_created.json")
    assert answer["conversation"] is None
    assert sqlite_web.enqueued == []


def test_the_same_delivery_twice_is_one_row_and_one_read(web: Web) -> None:
    conv_id = linked_conversation("42")
    for _ in range(2):
        response = post_zendesk(web.client, TRIGGER, ZENDESK_SECRET, STAMP, invocation_id="9001")
        assert response.status_code == 200
    assert [e.event_key for e in events()] == ["9001"]
    assert web.enqueued == [[conv_id]]


def test_two_deliveries_with_one_body_and_timestamp_are_two_rows(web: Web) -> None:
    conv_id = linked_conversation("42")
    for invocation in ("9001", "9002"):
        response = post_zendesk(web.client, TRIGGER, ZENDESK_SECRET, STAMP,
                                invocation_id=invocation)
        assert response.status_code == 200
        assert response.get_json()["conversation"] == conv_id
    assert [e.event_key for e in events()] == ["9001", "9002"]
    assert web.enqueued == [[conv_id], [conv_id]]


def test_without_invocation_id_an_event_is_keyed_by_its_own_id(sqlite_web: Web) -> None:
    for _ in range(2):
        post_fixture(sqlite_web, "event_ticket_created.json", invocation_id=None)
    assert [e.event_key for e in events()] == ["cbe4028c-7239-495d-b020-f22348516046"]


def test_without_any_key_each_trigger_delivery_is_its_own_row(sqlite_web: Web) -> None:
    for _ in range(2):
        response = post_zendesk(sqlite_web.client, TRIGGER, ZENDESK_SECRET, STAMP,
                                invocation_id=None)
        assert response.status_code == 200
    assert count_rows(HelpdeskEvent) == 2
