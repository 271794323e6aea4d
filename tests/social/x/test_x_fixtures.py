"""One test per captured Account Activity body in ../shared/fixtures/x_twitter (Zulip style).

Each fixture is read in place (never copied), signed with a test consumer secret the way X
signs (over the file's bytes), verified, decoded and parsed as the webhook does; without
../shared each test skips with a notice.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, ParsedWebhook, Sender, ThreadKey
from bridge.social.x import signature
from bridge.social.x.adapter import XChannel
from bridge.social.x.payloads import decode
from tests.conftest import shared_path

FOLDER = ("fixtures", "x_twitter")
SECRET = "fixture-consumer-secret"
ACCOUNT = "2975699229"  # @ScruffyMcG, the subscribed account of most captures
PENN = Sender("1205290247124217856", "pennbrooke", "pennbrooke1",
              profile_url="https://x.com/pennbrooke1", follower_count=1, verified=False)

COVERED = {
    "dm_incoming_text.json",
    "dm_incoming_text_2.json",
    "dm_incoming_with_media.json",
    "dm_indicate_typing.json",
    "dm_mark_read.json",
    "dm_outgoing_sent_by_account_with_apps.json",
    "tweet_create_mention_with_photo.json",
    "tweet_create_reply_in_reply_to.json",
    "tweet_create_user_mention.json",
}


def channel(account: str = "") -> XChannel:
    return XChannel(Settings(X_ACCOUNT_ID=account), latest_post=lambda thread: None)


def parse(name: str, account: str = "") -> ParsedWebhook:
    raw = shared_path(*FOLDER, name).read_bytes()
    signature.verify(raw, signature.sign(raw, SECRET), SECRET)
    return channel(account).parse(decode(raw))


def test_every_fixture_has_a_test() -> None:
    folder = shared_path(*FOLDER)
    assert {p.name for p in folder.glob("*.json")} == COVERED


def test_dm_incoming_text() -> None:
    parsed = parse("dm_incoming_text.json", ACCOUNT)
    assert parsed.ignored == ()
    (msg,) = parsed.messages
    assert msg.thread == ThreadKey("x", ACCOUNT, "dm:1205290247124217856")
    assert msg.message_id == "dm:1206724334791753732"
    assert msg.sender == PENN
    assert msg.text == "Yes, you are!"
    assert msg.sent_at == datetime(2019, 12, 16, 23, 54, 35, 925000, tzinfo=UTC)
    assert msg.attachments == () and msg.in_reply_to is None and msg.link is None


def test_dm_incoming_text_2() -> None:
    (msg,) = parse("dm_incoming_text_2.json").messages  # X_ACCOUNT_ID unset: for_user_id
    assert msg.thread == ThreadKey("x", "123", "dm:456")
    assert msg.sender.display_name == "Martin Edenhofer"
    assert (msg.sender.handle, msg.sender.follower_count) == ("medenhofer", 312)
    assert msg.text == "Hello again!"


def test_dm_incoming_with_media() -> None:
    (msg,) = parse("dm_incoming_with_media.json", ACCOUNT).messages
    assert msg.text == " https://t.co/amoKo1v19w"  # X's own link to the media, kept as sent
    assert msg.attachments == (Attachment(
        "video", url="https://video.twimg.com/dm_gif/1209117874389843969/"
        "Lgs2ZRqicjZjx6kFdwQcu2T5rmEq7br_m8QKHj-RybsPv0yeq5.mp4",
        mime_type="video/mp4", platform_type="animated_gif"),)
    assert msg.sender.follower_count == 0


def test_dm_indicate_typing() -> None:
    assert parse("dm_indicate_typing.json", ACCOUNT) == ParsedWebhook(ignored=("dm_typing",))


def test_dm_mark_read() -> None:
    assert parse("dm_mark_read.json", ACCOUNT) == ParsedWebhook(ignored=("dm_read",))


def test_dm_outgoing_sent_by_account_with_apps() -> None:
    assert parse("dm_outgoing_sent_by_account_with_apps.json") == ParsedWebhook(ignored=("own",))


def test_tweet_create_mention_with_photo() -> None:
    # Written by the subscribed account itself (user 123 == for_user_id): never a ticket.
    assert parse("tweet_create_mention_with_photo.json") == ParsedWebhook(ignored=("own",))


def test_tweet_create_user_mention() -> None:
    (msg,) = parse("tweet_create_user_mention.json", ACCOUNT).messages
    assert msg.thread == ThreadKey("x", ACCOUNT, "tweet:1205348660982083584")
    assert msg.message_id == "1205348660982083584"
    assert msg.text == "@ScruffyMcG This is a test of Twitter API webhooks."
    assert msg.sender.display_name == "pennbrooke" and msg.sender.follower_count == 0
    assert msg.link == "https://x.com/pennbrooke1/status/1205348660982083584"
    assert msg.sent_at == datetime(2019, 12, 13, 4, 48, 9, 730000, tzinfo=UTC)
    assert msg.in_reply_to is None


def test_tweet_create_reply_in_reply_to() -> None:
    (msg,) = parse("tweet_create_reply_in_reply_to.json", ACCOUNT).messages
    assert msg.message_id == "1207623566339919872"
    assert msg.in_reply_to == "1205348660982083584"  # routing joins the mention's conversation
    assert msg.thread.thread_id == "tweet:1207623566339919872"
    assert msg.text == "@ScruffyMcG This is only a test."


@pytest.mark.parametrize("name", sorted(COVERED))
def test_a_webhook_for_another_account_is_ignored(name: str) -> None:
    parsed = parse(name, account="999")
    assert parsed.messages == ()
    assert set(parsed.ignored) == {"other_account"}
