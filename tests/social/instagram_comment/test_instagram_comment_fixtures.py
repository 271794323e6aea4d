"""One test per Instagram ``comments`` body in tests/fixtures/instagram_comments (written
from Meta's documentation; see its README), read as bytes, signed, verified, decoded and
parsed by both channels an ``instagram`` body goes to."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social import meta
from bridge.social.instagram.adapter import InstagramChannel
from bridge.social.instagram_comment.adapter import InstagramCommentChannel

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "instagram_comments"
SECRET = "fixture-secret"
ACCOUNT, TOP = "17841400000000001", "17890000000000001"
ANA = Sender("1284567890123456", handle="ana.garcia",
             profile_url="https://www.instagram.com/ana.garcia/")
THREAD = ThreadKey("instagram_comment", ACCOUNT, TOP)

settings = Settings(META_PAGE_ACCESS_TOKEN="unused")
comments, dms = InstagramCommentChannel(settings), InstagramChannel(settings)


def parse(name: str) -> ParsedWebhook:
    body = (FIXTURES / name).read_bytes()
    meta.verify_signature(body, "sha256=" + hmac.new(SECRET.encode(), body,
                                                      hashlib.sha256).hexdigest(), SECRET)
    payload = meta.decode(body)
    assert dms.parse(payload) == ParsedWebhook()  # no DM entries here
    return comments.parse(payload)


def only(parsed: ParsedWebhook) -> InboundMessage:
    assert parsed.ignored == ()
    (message,) = parsed.messages
    return message


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_every_fixture_has_a_test() -> None:
    tested = {name.removeprefix("test_") + ".json" for name in globals()
              if name.startswith("test_")}
    assert {p.name for p in FIXTURES.glob("*.json")} <= tested


def test_comment() -> None:
    assert only(parse("comment.json")) == InboundMessage(
        THREAD, TOP, ANA, at(1767225602), "Do you ship to Yerevan? Բարև 👋")


def test_reply() -> None:
    message = only(parse("reply.json"))
    assert (message.thread, message.message_id, message.text) == (
        THREAD, "17890000000000002", "@acme.store any update?")


def test_own_reply() -> None:
    assert parse("own_reply.json") == ParsedWebhook(ignored=("echo",))


def test_ad_comment() -> None:
    message = only(parse("ad_comment.json"))
    assert message.text == "מה המחיר?"
    assert message.thread == ThreadKey("instagram_comment", ACCOUNT, "17890000000000010")
    assert message.sender.handle == "noa_levi"


def test_live_comment() -> None:
    assert parse("live_comment.json") == ParsedWebhook(ignored=("live_comment",))


def test_mention() -> None:
    assert parse("mention.json") == ParsedWebhook(ignored=("mention",))


def test_our_account_from_settings_is_an_echo_too() -> None:
    own = InstagramCommentChannel(Settings(INSTAGRAM_ACCOUNT_ID="1284567890123456"))
    payload = meta.decode((FIXTURES / "comment.json").read_bytes())
    assert own.parse(payload) == ParsedWebhook(ignored=("echo",))


def change(value: Any, time: object = 1767225602) -> dict[str, Any]:
    return {"object": "instagram", "entry": [
        {"id": ACCOUNT, "time": time, "changes": [{"field": "comments", "value": value}]}]}


@pytest.mark.parametrize(("payload", "reason"), [
    (change({"text": "no id"}), "comment without id"),
    (change(["not", "an", "object"]), "without a value object"),
    (change({"id": "1", "text": "x"}, time=None), "time is missing"),
    (change({"id": "1", "from": {"id": []}}), "from"),
])
def test_malformed_comment_bodies_are_payload_errors(payload: dict[str, Any],
                                                     reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        comments.parse(payload)
