"""One test per page ``feed`` body in tests/fixtures/facebook_feed (written from Meta's
documentation; see its README). Each body is read as bytes, signed, verified, decoded and
parsed by both channels a ``page`` body goes to (Messenger and page comments)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social import meta
from bridge.social.facebook_comment.adapter import FacebookCommentChannel
from bridge.social.messenger.adapter import MessengerChannel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "facebook_feed"
SECRET = "fixture-secret"
PAGE, POST = "101234567890123", "101234567890123_512345678901234"
TOP, REPLY = "512345678901234_987654321098765", "512345678901234_987654321099999"
ANA = Sender("7281234567890123", display_name="Ana García")
PERMALINK = "https://www.facebook.com/101234567890123/posts/512345678901234"
THREAD = ThreadKey("facebook_comment", PAGE, TOP)

settings = Settings(META_PAGE_ID=PAGE, META_PAGE_ACCESS_TOKEN="unused")
comments = FacebookCommentChannel(settings)
messenger = MessengerChannel(settings)


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def decoded(name: str) -> dict[str, Any]:
    body = (FIXTURES / name).read_bytes()
    meta.verify_signature(body, "sha256=" + hmac.new(SECRET.encode(), body,
                                                      hashlib.sha256).hexdigest(), SECRET)
    return meta.decode(body)


def parse(name: str) -> ParsedWebhook:
    """The comment channel's view; Messenger must find nothing to say about feed entries."""
    payload = decoded(name)
    if name != "messaging_and_feed.json":
        assert messenger.parse(payload) == ParsedWebhook()
    return comments.parse(payload)


def only(parsed: ParsedWebhook) -> InboundMessage:
    assert parsed.ignored == ()
    (message,) = parsed.messages
    return message


def test_every_fixture_has_a_test() -> None:
    tested = {name.removeprefix("test_") + ".json" for name in globals()
              if name.startswith("test_") and name != "test_every_fixture_has_a_test"}
    assert {p.name for p in FIXTURES.glob("*.json")} <= tested


def test_comment_add() -> None:
    assert only(parse("comment_add.json")) == InboundMessage(
        THREAD, TOP, ANA, at(1767225602), "Where is my order #123? It was due on Monday",
        link=PERMALINK)


def test_comment_reply() -> None:
    message = only(parse("comment_reply.json"))
    assert message.thread == THREAD  # the top-level comment's conversation
    assert (message.message_id, message.kind, message.text) == (
        "512345678901234_987654321099999", "message", "Still nothing, any news?")
    assert message.sent_at == at(1767229204)


def test_comment_edited() -> None:
    message = only(parse("comment_edited.json"))
    assert (message.kind, message.refers_to, message.thread) == ("edit", TOP, THREAD)
    assert message.text == "Where is my order #124? It was due on Monday"
    assert message.sent_at == at(1767226500)  # when it was edited, not written
    assert message.message_id.startswith(f"edit:{TOP}:1767226500:")
    again = only(parse("comment_edited.json"))
    assert again.message_id == message.message_id  # a retried webhook is the same event


def test_two_edits_of_one_comment_are_two_events() -> None:
    payload = decoded("comment_edited.json")
    first = only(comments.parse(payload))
    payload["entry"][0]["changes"][0]["value"]["message"] = "Where is my order #125?"
    second = only(comments.parse(payload))
    assert first.message_id != second.message_id
    assert first.refers_to == second.refers_to == TOP


def test_comment_remove() -> None:
    message = only(parse("comment_remove.json"))
    assert message == InboundMessage(THREAD, f"delete:{TOP}", ANA, at(1767232800), "",
                                     kind="delete", refers_to=TOP)


def test_comment_hide() -> None:
    assert parse("comment_hide.json") == ParsedWebhook(ignored=("comment_hidden",))


def test_comment_photo() -> None:
    message = only(parse("comment_photo.json"))
    assert message.text == "المنتج وصل مكسوراً ❤️"
    assert message.sender == Sender("6190000000000001", display_name="مريم العلي")
    assert message.attachments == (Attachment(
        "image", url="https://scontent.xx.fbcdn.net/v/t39.30808-6/broken_box.jpg",
        platform_type="photo"),)
    assert message.thread.thread_id == "512345678900000_333333333333333"


def test_page_own_reply() -> None:
    assert parse("page_own_reply.json") == ParsedWebhook(ignored=("echo",))


def test_reaction_add() -> None:
    assert parse("reaction_add.json") == ParsedWebhook(ignored=("reaction",))


def test_status_post() -> None:
    assert parse("status_post.json") == ParsedWebhook(ignored=("feed_status",))


def test_messaging_and_feed() -> None:
    payload = decoded("messaging_and_feed.json")
    dm = messenger.parse(payload)
    assert [m.message_id for m in dm.messages] == ["m_AbCdEf123"] and dm.ignored == ()
    feed = comments.parse(payload)
    assert [m.message_id for m in feed.messages] == ["512345678901234_987654321092222"]
    assert feed.ignored == ("reaction",)


# ---- bodies built here -----------------------------------------------------------------


def feed(value: dict[str, Any], field: str = "feed") -> dict[str, Any]:
    return {"object": "page", "entry": [
        {"id": PAGE, "time": 1767225603, "changes": [{"field": field, "value": value}]}]}


def comment(**values: Any) -> dict[str, Any]:
    return {"item": "comment", "verb": "add", "comment_id": TOP, "post_id": POST,
            "parent_id": POST, "from": {"id": ANA.external_id, "name": "Ana García"},
            "message": "hi", "created_time": 1767225602, **values}


def test_comment_without_from_gets_an_anonymous_sender_of_its_own_thread() -> None:
    value = comment()
    del value["from"]
    message = only(comments.parse(feed(value)))
    assert message.sender == Sender(f"unknown-{TOP}")


def test_comment_without_text_or_media_is_a_visible_placeholder() -> None:
    message = only(comments.parse(feed(comment(message=""))))
    assert message.attachments == (Attachment("unsupported",
                                              platform_type="comment_without_text"),)


def test_iso_created_time_is_read() -> None:
    message = only(comments.parse(feed(comment(created_time="2026-01-01T00:00:02+0000"))))
    assert message.sent_at == at(1767225602)


def test_other_fields_and_unknown_verbs_are_ignored_with_a_reason() -> None:
    assert comments.parse(feed({"x": 1}, field="ratings")).ignored == ("field:ratings",)
    assert comments.parse(feed(comment(verb="pin"))).ignored == ("comment_pin",)
    assert comments.parse(feed({"item": "like", "verb": "add"})).ignored == ("reaction",)


def test_other_objects_are_not_page_comments() -> None:
    assert comments.parse({"object": "instagram", "entry": []}) == ParsedWebhook(
        ignored=("not_page",))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"object": "page", "entry": [{"changes": []}]}, "entry.0.id"),
        (feed(comment(comment_id=None)), "without comment_id"),
        ({"object": "page", "entry": [{"id": PAGE, "changes": [{"field": "feed"}]}]},
         "without a value"),
        (feed(comment(created_time="yesterday")), "not a time"),
        ({"object": "page", "entry": [{"id": PAGE, "changes": [  # no time at all
            {"field": "feed", "value": comment(created_time=None)}]}]}, "missing"),
        (feed(comment(**{"from": "someone"})), "from"),
    ],
)
def test_malformed_feed_bodies_are_payload_errors(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        comments.parse(body)
