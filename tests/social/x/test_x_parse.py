"""Parsing what ../shared lacks: the fixtures written from X's documentation (tests/fixtures/x)
and the shapes no capture shows (retweets, quotes, unknown kinds, malformed bodies)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, ParsedWebhook, ThreadKey
from bridge.errors import PayloadError
from bridge.social.x.adapter import XChannel
from bridge.social.x.payloads import decode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x"
ACCOUNT = "2975699229"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def parse(payload: dict[str, Any], account: str = ACCOUNT) -> ParsedWebhook:
    return XChannel(Settings(X_ACCOUNT_ID=account), latest_post=lambda t: None).parse(payload)


def mention(**changes: Any) -> dict[str, Any]:
    """A customer's mention of the account (the shape of the captured mention)."""
    tweet: dict[str, Any] = {
        "created_at": "Fri Dec 13 04:48:09 +0000 2019", "id": 1205348660982083584,
        "id_str": "1205348660982083584", "text": "@ScruffyMcG help please",
        "user": {"id": 1205290247124217856, "id_str": "1205290247124217856",
                 "name": "pennbrooke", "screen_name": "pennbrooke1"},
        "timestamp_ms": "1576212489730",
    }
    tweet.update(changes)
    return {"for_user_id": ACCOUNT, "tweet_create_events": [tweet]}


def test_long_mention_is_read_whole_from_extended_tweet() -> None:
    (msg,) = parse(load("tweet_extended_mention.json")).messages
    assert msg.text.startswith("@ScruffyMcG my order #4711 arrived broken")
    assert msg.text.endswith("Can you send a replacement? 😞 https://t.co/Zy1xW2vU3t")
    assert "…" not in msg.text
    assert [a.url for a in msg.attachments] == [
        "https://pbs.twimg.com/media/EMN3xYzWwAAbcde.jpg",
        "https://pbs.twimg.com/media/EMN3xYzWwAAfghi.jpg"]  # both photos, not only the first
    assert {a.kind for a in msg.attachments} == {"image"}


def test_customer_deleting_a_post_is_a_delete_event_on_its_conversation() -> None:
    (event,) = parse(load("tweet_delete_customer.json")).messages
    assert event.kind == "delete"
    assert event.refers_to == event.in_reply_to == "1205348660982083584"
    assert event.message_id == "delete:1205348660982083584"
    assert event.thread == ThreadKey("x", ACCOUNT, "tweet:1205348660982083584")
    assert event.sent_at == datetime(2019, 12, 13, 4, 56, 40, tzinfo=UTC)


def test_the_account_deleting_its_own_post_is_ignored() -> None:
    assert parse(load("tweet_delete_own.json"), account="") == ParsedWebhook(
        ignored=("own_delete",))


@pytest.mark.parametrize(("name", "reason"), [
    ("favorite_events.json", "favorite"), ("follow_events.json", "follow"),
    ("user_event_revoke.json", "authorization_revoked"),
])
def test_documented_kinds_without_a_message_are_ignored_by_name(name: str, reason: str) -> None:
    assert parse(load(name), account="") == ParsedWebhook(ignored=(reason,))


def test_retweet_of_the_account_is_not_a_ticket() -> None:
    body = mention(retweeted_status={"id_str": "1", "text": "ours"})
    assert parse(body) == ParsedWebhook(ignored=("retweet",))


def test_quote_post_is_a_message() -> None:
    (msg,) = parse(mention(is_quote_status=True, quoted_status_id_str="42",
                           text="this is broken https://t.co/q")).messages
    assert msg.text == "this is broken https://t.co/q" and msg.in_reply_to is None


def test_video_post_keeps_the_best_mp4() -> None:
    media = {"type": "video", "media_url_https": "https://pbs.twimg.com/thumb.jpg",
             "video_info": {"variants": [
                 {"content_type": "application/x-mpegURL", "url": "https://v/pl.m3u8"},
                 {"content_type": "video/mp4", "bitrate": 256000, "url": "https://v/low.mp4"},
                 {"content_type": "video/mp4", "bitrate": 2176000, "url": "https://v/hi.mp4"}]}}
    (msg,) = parse(mention(extended_entities={"media": [media]})).messages
    assert msg.attachments == (Attachment("video", url="https://v/hi.mp4",
                                          mime_type="video/mp4", platform_type="video"),)


def test_created_at_is_used_without_timestamp_ms() -> None:
    body = mention()
    del body["tweet_create_events"][0]["timestamp_ms"]
    (msg,) = parse(body).messages
    assert msg.sent_at == datetime(2019, 12, 13, 4, 48, 9, tzinfo=UTC)


def test_several_events_in_one_body_keep_their_order() -> None:
    body = mention()
    second = copy.deepcopy(body["tweet_create_events"][0])
    second.update(id_str="1205348660982083999", text="and another thing",
                  in_reply_to_status_id_str="1205348660982083584")
    body["tweet_create_events"].append(second)
    body["favorite_events"] = [{"id": "f1"}, {"id": "f2"}]
    parsed = parse(body)
    assert [m.text for m in parsed.messages] == ["@ScruffyMcG help please", "and another thing"]
    assert parsed.ignored == ("favorite", "favorite")


def test_dm_quick_reply_answer_carries_its_metadata() -> None:
    body = {"for_user_id": ACCOUNT, "direct_message_events": [{
        "type": "message_create", "id": "77", "created_timestamp": "1576540475925",
        "message_create": {"target": {"recipient_id": ACCOUNT}, "sender_id": "55",
                           "message_data": {"text": "Great",
                                            "quick_reply_response": {"type": "options",
                                                                     "metadata": "csat:5"}}}}]}
    (msg,) = parse(body).messages
    assert (msg.text, msg.quick_reply, msg.sender.external_id) == ("Great", "csat:5", "55")


def test_dm_without_text_or_media_is_a_visible_placeholder() -> None:
    body = {"for_user_id": ACCOUNT, "direct_message_events": [{
        "type": "message_create", "id": "78", "created_timestamp": "1576540475925",
        "message_create": {"target": {"recipient_id": ACCOUNT}, "sender_id": "55",
                           "message_data": {"text": ""}}}]}
    (msg,) = parse(body).messages
    assert msg.attachments == (Attachment("unsupported", platform_type="unsupported_message"),)


@pytest.mark.parametrize(("body", "reason"), [
    ({"for_user_id": ACCOUNT}, "no_events"),
    ({"for_user_id": ACCOUNT, "brand_new_events": [{}]}, "unknown_event"),
    ({"for_user_id": ACCOUNT, "direct_message_events": [
        {"type": "message_delete", "id": "1"}]}, "unknown_dm_event"),
])
def test_nothing_to_ticket_has_a_reason(body: dict[str, Any], reason: str) -> None:
    assert parse(body) == ParsedWebhook(ignored=(reason,))


@pytest.mark.parametrize("body", [
    {"tweet_create_events": mention()["tweet_create_events"]},  # no for_user_id
    {"for_user_id": ACCOUNT, "tweet_create_events": "nope"},
    {"for_user_id": ACCOUNT, "tweet_create_events": [{"id_str": "1", "text": "no user"}]},
    mention(id_str="not-a-number"),
    mention(timestamp_ms="soon", created_at="whenever"),
    {"for_user_id": ACCOUNT, "direct_message_events": [{"type": "message_create", "id": "9"}]},
])
def test_malformed_bodies_are_payload_errors(body: dict[str, Any]) -> None:
    with pytest.raises(PayloadError):
        parse(body)


@pytest.mark.parametrize("raw", [b"{nope", b"[1, 2]", b'"text"'])
def test_decode_refuses_what_is_not_a_json_object(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        decode(raw)
