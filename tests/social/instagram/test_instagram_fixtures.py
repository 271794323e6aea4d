"""One test per captured Instagram webhook in ../shared/fixtures/instagram (Zulip style).

Each fixture is read as bytes, signed with a test secret, verified, decoded, and parsed by
both channels an ``instagram`` body goes to: DMs (``messaging``) and comments
(``changes``); each must stay silent about the other's entries. Captures from chatwoot's
factories carry no ``object`` (SOURCES.md says so): those get ``"object": "instagram"``
added after decoding, as Meta always sends it; the dashboard comment sample is only a
change object and is wrapped in an entry, as SOURCES.md describes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.receipts import Receipt
from bridge.social import meta
from bridge.social.instagram.adapter import InstagramChannel
from bridge.social.instagram_comment.adapter import InstagramCommentChannel
from tests.conftest import shared_path

FOLDER = ("fixtures", "instagram")
SECRET = "fixture-secret"
ACCOUNT, IGSID = "1234567890", "5678"  # courier captures
CW_ACCOUNT, CW_SENDER = "instagram-message-id-123", "Sender-id-1"  # chatwoot captures
COURIER_AT = datetime(2016, 4, 7, 1, 11, 27, 970000, tzinfo=UTC)  # 1459991487970 ms
CW_AT = datetime(2021, 9, 8, 6, 34, 4, tzinfo=UTC)
WRAP_ACCOUNT, WRAP_TIME = "17841400000000001", 1767225600

settings = Settings(META_PAGE_ACCESS_TOKEN="unused")
dms, comments = InstagramChannel(settings), InstagramCommentChannel(settings)


def decoded(name: str) -> dict[str, Any]:
    body = shared_path(*FOLDER, name).read_bytes()
    meta.verify_signature(body, "sha256=" + hmac.new(SECRET.encode(), body,
                                                      hashlib.sha256).hexdigest(), SECRET)
    data = json.loads(body)
    if "object" in data:
        data = meta.decode(body)  # what the webhook does with a body that names its object
    if "entry" not in data:  # a bare change object (the dashboard's "Test" sample)
        data = {"entry": [{"id": WRAP_ACCOUNT, "time": WRAP_TIME, "changes": [data]}]}
    return {"object": "instagram", **data}


def dm(name: str) -> ParsedWebhook:
    payload = decoded(name)
    assert comments.parse(payload) == ParsedWebhook()  # no comment entries here
    return dms.parse(payload)


def only(parsed: ParsedWebhook) -> InboundMessage:
    assert parsed.ignored == ()
    (message,) = parsed.messages
    return message


def courier(mid: str = "external_id", text: str = "", *attachments: Attachment,
            **more: Any) -> InboundMessage:
    return InboundMessage(ThreadKey("instagram", ACCOUNT, IGSID), mid, Sender(IGSID),
                          COURIER_AT, text, attachments, **more)


def chatwoot(text: str = "", *attachments: Attachment, account: str = CW_ACCOUNT,
             **more: Any) -> InboundMessage:
    return InboundMessage(ThreadKey("instagram", account, CW_SENDER), "message-id-1",
                          Sender(CW_SENDER), CW_AT, text, attachments, **more)


def test_every_fixture_has_a_test() -> None:
    tested = {name.removeprefix("test_") + ".json" for name in globals()
              if name.startswith("test_")}
    folder = shared_path(*FOLDER)
    assert {p.name for p in folder.glob("*.json")} <= tested


def test_dm_text_message() -> None:
    assert only(dm("dm_text_message.json")) == courier("external_id", "Hello World")


def test_dm_image_attachment() -> None:
    image = Attachment("image", url="https://image-url/foo.png", platform_type="image")
    assert only(dm("dm_image_attachment.json")) == courier("external_id", "", image)


def test_dm_share_attachment() -> None:
    link = Attachment("link", url="https://www.example.com/test.jpeg", title="shared post",
                      platform_type="share")
    expected = chatwoot("", link, account="instagram-message-id-1234")
    assert only(dm("dm_share_attachment.json")) == expected


def test_dm_story_mention() -> None:
    story = Attachment("link", url="https://story-url", title="mentioned you in their story",
                       platform_type="story_mention")
    assert only(dm("dm_story_mention.json")) == courier("external_id", "", story)


def test_dm_story_reply() -> None:
    expected = chatwoot("This is the story reply",
                        link="https://chatwoot-assets.local/sample.png")
    assert only(dm("dm_story_reply.json")) == expected


def test_dm_icebreaker_postback() -> None:
    expected = courier(f"postback:{IGSID}:1459991487970", "icebreaker question")
    assert only(dm("dm_icebreaker_postback.json")) == expected


def test_dm_unsent_deleted() -> None:
    expected = InboundMessage(
        ThreadKey("instagram", ACCOUNT, IGSID), "delete:external_id", Sender(IGSID),
        datetime(2019, 9, 23, 18, 14, 45, 349000, tzinfo=UTC), kind="delete",
        refers_to="external_id")
    assert only(dm("dm_unsent_deleted.json")) == expected


def test_dm_echo() -> None:
    assert dm("dm_echo.json") == ParsedWebhook(ignored=("echo",))


def test_dm_like_heart() -> None:
    assert dm("dm_like_heart.json") == ParsedWebhook(ignored=("like_heart",))


def test_dm_read_messaging_seen() -> None:
    payload = decoded("dm_read_messaging_seen.json")
    assert dms.parse(payload) == ParsedWebhook(ignored=("read",))
    assert dms.parse_receipts(payload) == (
        Receipt(ThreadKey("instagram", CW_ACCOUNT, CW_SENDER), "read", CW_AT,
                ("message-id-1",)),)


def test_dm_standby_channel() -> None:
    assert dm("dm_standby_channel.json") == ParsedWebhook(ignored=("standby",))


def test_comments_change_dashboard_sample() -> None:
    payload = decoded("comments_change_dashboard_sample.json")
    assert dms.parse(payload) == ParsedWebhook()
    comment = "17865799348089039"
    thread = ThreadKey("instagram_comment", WRAP_ACCOUNT, comment)
    assert only(comments.parse(payload)) == InboundMessage(
        thread, comment, Sender(f"unknown-{comment}"),
        datetime.fromtimestamp(WRAP_TIME, UTC), "This is an example.")


def test_story_insights_event_dashboard_sample() -> None:
    payload = decoded("story_insights_event_dashboard_sample.json")
    assert dms.parse(payload) == ParsedWebhook()
    assert comments.parse(payload) == ParsedWebhook(ignored=("field:story_insights",))
