"""Instagram DM bodies built here for the shapes no capture covers: edits, reactions,
quick replies, unsupported content, scripts, and what is malformed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social import meta
from bridge.social.instagram.adapter import InstagramChannel
from bridge.social.meta_parse import meta_time

ACCOUNT, IGSID, MS = "17841400000000001", "1284567890123456", 1767225600123
AT = datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
THREAD = ThreadKey("instagram", ACCOUNT, IGSID)
channel = InstagramChannel(Settings(META_PAGE_ACCESS_TOKEN="unused",
                                    INSTAGRAM_ACCOUNT_ID=ACCOUNT))


def body(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": ACCOUNT, "time": MS,
                                              "messaging": list(items)}]}


def item(**event: Any) -> dict[str, Any]:
    return {"sender": {"id": IGSID}, "recipient": {"id": ACCOUNT}, "timestamp": MS, **event}


def text(value: str, mid: str = "aWdf1") -> dict[str, Any]:
    return item(message={"mid": mid, "text": value})


def test_an_edit_is_its_own_event_keyed_by_its_number() -> None:
    edit = item(message_edit={"mid": "aWdf1", "text": "fixed typo", "num_edit": 2})
    (event,) = channel.parse(body(edit)).messages
    assert event == InboundMessage(THREAD, "edit:aWdf1:2", Sender(IGSID), AT, "fixed typo",
                                   kind="edit", refers_to="aWdf1")


@pytest.mark.parametrize(("event", "reason"), [
    ({"reaction": {"mid": "aWdf1", "action": "react", "reaction": "love"}}, "reaction"),
    ({"read": {"mid": "aWdf1"}}, "read"),
    ({"referral": {"ref": "ad"}}, "referral"),
    ({}, "unknown_event"),
])
def test_events_that_are_no_messages_are_ignored_with_a_reason(event: dict[str, Any],
                                                               reason: str) -> None:
    assert channel.parse(body(item(**event))) == ParsedWebhook(ignored=(reason,))


def test_our_own_account_as_sender_is_an_echo_even_without_the_flag() -> None:
    own = text("sent from the Instagram app")
    own["sender"] = {"id": ACCOUNT}
    assert channel.parse(body(own)) == ParsedWebhook(ignored=("echo",))


def test_quick_reply_unsupported_and_like_with_text() -> None:
    quick = item(message={"mid": "m1", "text": "Great", "quick_reply": {"payload": "csat:5"}})
    unsupported = item(message={"mid": "m2", "is_unsupported": True})
    liked = item(message={"mid": "m3", "text": "love it",
                          "attachments": [{"type": "like_heart"}]})
    first, second, third = channel.parse(body(quick, unsupported, liked)).messages
    assert (first.text, first.quick_reply) == ("Great", "csat:5")
    assert second.attachments == (Attachment("unsupported",
                                             platform_type="unsupported_message"),)
    assert third.attachments == (Attachment("sticker", platform_type="like_heart"),)


def test_entries_with_changes_are_left_to_the_comment_channel() -> None:
    payload = {"object": "instagram", "entry": [
        {"id": ACCOUNT, "time": 1, "changes": [{"field": "comments", "value": {}}]},
        {"id": ACCOUNT, "time": 1}]}
    assert channel.parse(payload) == ParsedWebhook(ignored=("no_messaging",))


def test_non_latin_text_round_trips_unchanged() -> None:
    value = "Բարև 👋 مرحبا שלום สวัสดี 👨‍👩‍👧 e\u0301"
    raw = json.dumps(body(text(value)), ensure_ascii=True).encode()  # as Meta sends it
    (message,) = channel.parse(meta.decode(raw)).messages
    assert message.text == value
    assert InboundMessage.from_json(message.to_json()) == message


def test_other_objects_are_not_instagram() -> None:
    assert channel.parse({"object": "page", "entry": []}) == ParsedWebhook(
        ignored=("not_instagram",))


@pytest.mark.parametrize(("payload", "reason"), [
    ({"object": "instagram", "entry": {}}, "entry"),
    ({"object": "instagram", "entry": [{"messaging": []}]}, "entry.0.id"),
    (body({"recipient": {"id": ACCOUNT}, "timestamp": MS, "message": {"mid": "m"}}),
     "without sender.id"),
    (body(item(message={"text": "x"})), "without mid"),
    (body({**text("x"), "timestamp": None}), "timestamp is missing"),
    (body({**text("x"), "timestamp": "soon"}), "not a time"),
    (body(item(message_edit={"text": "x"})), "message_edit without mid"),
])
def test_malformed_bodies_are_payload_errors(payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        channel.parse(payload)


@pytest.mark.parametrize(("value", "expected"), [
    (1767225600123, AT),  # epoch milliseconds (Messenger, Instagram)
    (1767225600, AT.replace(microsecond=0)),  # epoch seconds (changes, feed)
    ("1767225600123", AT),  # digits as a string
    ("2026-01-01T00:00:00.123+0000", AT),  # ISO 8601, as some captures write it
    ("2026-01-01T00:00:00.123", AT),  # no zone: UTC
])
def test_meta_times_in_every_form(value: int | str, expected: datetime) -> None:
    assert meta_time(value, "t") == expected


@pytest.mark.parametrize("value", [None, True, "", "later", 10**20])
def test_meta_times_that_are_no_times(value: object) -> None:
    with pytest.raises(PayloadError):
        meta_time(value, "t")  # type: ignore[arg-type]


def test_read_receipts_by_mid_or_watermark_and_unreadable_ones_dropped() -> None:
    by_mid = item(read={"mid": "aWdf1"})
    by_watermark = item(read={"watermark": MS})
    unreadable = {**item(read={"mid": "aWdf2"}), "timestamp": "soon"}
    payload = body(by_mid, by_watermark, unreadable)
    assert channel.parse(payload).ignored == ("read", "read", "read")
    first, second = channel.parse_receipts(payload)
    assert (first.thread, first.status, first.at, first.message_ids) == (
        THREAD, "read", AT, ("aWdf1",))
    assert (second.message_ids, second.watermark) == ((), AT)
