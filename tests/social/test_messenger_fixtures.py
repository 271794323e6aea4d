"""One test per captured Messenger webhook in ../shared/fixtures/meta_messenger (Zulip style)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social import meta
from bridge.social.messenger.adapter import MessengerChannel
from tests.social.texts import NON_LATIN

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURES = SHARED / "fixtures" / "meta_messenger"
if not FIXTURES.is_dir():
    pytest.skip(f"shared fixtures not found at {FIXTURES} (../shared is absent)",
                allow_module_level=True)

PAGE, PSID = "1234567890", "5678"
THREAD = ThreadKey("messenger", PAGE, PSID)
SENT_AT = datetime(2016, 4, 7, 1, 11, 27, 970000, tzinfo=UTC)  # 1459991487970 ms
SECRET = "fixture-secret"

COVERED = {
    "delivery_receipt.json",
    "echo_message.json",
    "fallback_attachment.json",
    "ig_reel_attachment.json",
    "image_attachment.json",
    "location_attachment.json",
    "no_messaging_entries.json",
    "optin_notification_messages.json",
    "postback_get_started.json",
    "postback_with_referral.json",
    "referral.json",
    "sticker_thumbs_up.json",
    "text_message.json",
    "unknown_messaging_entry.json",
}

channel = MessengerChannel(Settings(META_PAGE_ID=PAGE, META_PAGE_ACCESS_TOKEN="unused"))


def parse_fixture(name: str) -> ParsedWebhook:
    """Verify, decode and parse the fixture's bytes exactly as the webhook would."""
    body = (FIXTURES / name).read_bytes()
    meta.verify_signature(body, sign(body), SECRET)
    return channel.parse(meta.decode(body))


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def only_message(parsed: ParsedWebhook) -> InboundMessage:
    assert parsed.ignored == ()
    assert len(parsed.messages) == 1
    return parsed.messages[0]


def message(text: str = "", *attachments: Attachment, mid: str = "external_id") -> InboundMessage:
    return InboundMessage(THREAD, mid, Sender(PSID), SENT_AT, text, tuple(attachments))


def test_every_fixture_has_a_test() -> None:
    assert {p.name for p in FIXTURES.glob("*.json")} == COVERED


def test_text_message() -> None:
    assert only_message(parse_fixture("text_message.json")) == message("Hello World")


def test_image_attachment() -> None:
    image = Attachment("image", url="https://image-url/foo.png", platform_type="image")
    assert only_message(parse_fixture("image_attachment.json")) == message("", image)


def test_sticker_thumbs_up() -> None:
    sticker = Attachment(
        "sticker", url="https://scontent.xx.fbcdn.net/v/arst", platform_type="image"
    )
    assert only_message(parse_fixture("sticker_thumbs_up.json")) == message("", sticker)


def test_location_attachment() -> None:
    location = Attachment("location", latitude=1.2, longitude=-1.3, platform_type="location")
    assert only_message(parse_fixture("location_attachment.json")) == message("", location)


def test_fallback_attachment() -> None:
    link = Attachment("link", url="My Documents/foo.doc", title="Foo", platform_type="fallback")
    assert only_message(parse_fixture("fallback_attachment.json")) == message("", link)


def test_ig_reel_attachment() -> None:
    reel = Attachment("link", url="/reel/123451234512345/", platform_type="ig_reel")
    assert only_message(parse_fixture("ig_reel_attachment.json")) == message("", reel)


def test_postback_get_started() -> None:
    expected = message("postback title", mid=f"postback:{PSID}:1459991487970")
    assert only_message(parse_fixture("postback_get_started.json")) == expected


def test_postback_with_referral() -> None:
    expected = message("postback title", mid=f"postback:{PSID}:1459991487970")
    assert only_message(parse_fixture("postback_with_referral.json")) == expected


def test_echo_message() -> None:
    assert parse_fixture("echo_message.json") == ParsedWebhook(ignored=("echo",))


def test_delivery_receipt() -> None:
    assert parse_fixture("delivery_receipt.json") == ParsedWebhook(ignored=("delivery",))


def test_optin_notification_messages() -> None:
    parsed = parse_fixture("optin_notification_messages.json")
    assert parsed == ParsedWebhook(ignored=("optin",))


def test_referral() -> None:
    assert parse_fixture("referral.json") == ParsedWebhook(ignored=("referral",))


def test_no_messaging_entries() -> None:
    assert parse_fixture("no_messaging_entries.json") == ParsedWebhook(ignored=("no_messaging",))


def test_unknown_messaging_entry() -> None:
    parsed = parse_fixture("unknown_messaging_entry.json")
    assert parsed == ParsedWebhook(ignored=("unknown_event",))


# ---- bodies built here: shapes no capture covers ------------------------------------


def page_body(*items: dict[str, Any], page: str = PAGE) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page, "time": 1, "messaging": list(items)}]}


def text_item(text: str, mid: str = "m1", psid: str = PSID) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": 1459991487970,
            "message": {"mid": mid, "text": text}}


def test_several_entries_and_items_keep_their_order() -> None:
    read = {"sender": {"id": PSID}, "timestamp": 1, "read": {"watermark": 1}}
    body = page_body(text_item("one", "m1"), read, text_item("two", "m2"))
    body["entry"] += page_body(text_item("three", "m3", "999"), page="42")["entry"]
    parsed = channel.parse(body)
    assert [(m.message_id, m.text) for m in parsed.messages] == [
        ("m1", "one"), ("m2", "two"), ("m3", "three")
    ]
    assert parsed.messages[2].thread == ThreadKey("messenger", "42", "999")
    assert parsed.ignored == ("read",)


def test_reaction_is_ignored() -> None:
    reaction = {"sender": {"id": PSID}, "timestamp": 1,
                "reaction": {"mid": "m1", "action": "react", "emoji": "❤"}}
    assert channel.parse(page_body(reaction)) == ParsedWebhook(ignored=("reaction",))


def test_other_meta_objects_are_not_messenger() -> None:
    body = {"object": "instagram", "entry": page_body(text_item("hi"))["entry"]}
    assert channel.parse(body) == ParsedWebhook(ignored=("not_page",))


def test_unknown_attachment_type_is_unsupported() -> None:
    item = text_item("")
    item["message"]["attachments"] = [{"type": "product", "payload": {"product": {}}}]
    parsed = channel.parse(page_body(item))
    assert parsed.messages[0].attachments == (Attachment("unsupported", platform_type="product"),)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"object": "page", "entry": {}}, "entry"),
        ({"object": "page", "entry": [{"messaging": []}]}, "entry.0.id"),
        (page_body({"recipient": {"id": PAGE}, "timestamp": 1, "message": {"mid": "m"}}),
         "without sender.id"),
        (page_body({"sender": {"id": PSID}, "timestamp": 1, "message": {"text": "x"}}),
         "without mid"),
        (page_body({"sender": {"id": PSID}, "message": {"mid": "m", "text": "x"}}),
         "without timestamp"),
        (page_body({**text_item("x"), "message": "not an object"}), "message"),
        ({"object": "page", "entry": [{"id": PAGE, "messaging": {}}]}, "messaging"),
    ],
)
def test_malformed_bodies_are_payload_errors(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        channel.parse(body)


@pytest.mark.parametrize("text", NON_LATIN)
def test_non_latin_text_round_trips_unchanged(text: str) -> None:
    raw = json.dumps(page_body(text_item(text)), ensure_ascii=True).encode()  # as Meta sends
    meta.verify_signature(raw, sign(raw), SECRET)
    parsed = only_message(channel.parse(meta.decode(raw)))
    assert parsed.text == text
    assert InboundMessage.from_json(parsed.to_json()) == parsed
