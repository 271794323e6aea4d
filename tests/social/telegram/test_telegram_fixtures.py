"""One test per captured Telegram update in ../shared/fixtures/telegram (Zulip style).

Each fixture is read in place (never copied), its secret-token header checked and its bytes
decoded and parsed as the webhook would; without ../shared each test skips with a notice.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.config import Settings
from bridge.domain import (
    Attachment,
    AttachmentKind,
    InboundMessage,
    ParsedWebhook,
    Sender,
    ThreadKey,
)
from bridge.social.telegram import signature
from bridge.social.telegram.adapter import TelegramChannel
from bridge.social.telegram.payloads import decode
from tests.conftest import shared_path

FOLDER = ("fixtures", "telegram")
BOT = "7012345678"
TOKEN = f"{BOT}:AAF-fixture-token"
SECRET = "fixture-secret_token-1"
NIC_CHAT = "3527065"
NIC = Sender(NIC_CHAT, "Nic Pottier", "Nicpottier")
CRYPTO_CHAT = "-1001293752024"

COVERED = {
    "channel_post_sticker.json",
    "channel_post_text.json",
    "message_reaction_added.json",
    "message_reaction_removed_anonymous.json",
    "my_chat_member_kicked.json",
    "private_contact.json",
    "private_document.json",
    "private_document_pdf.json",
    "private_location.json",
    "private_photo_with_caption.json",
    "private_start_command.json",
    "private_sticker.json",
    "private_text.json",
    "private_text_with_link_preview_options.json",
    "private_venue.json",
    "private_video.json",
    "private_voice.json",
    "supergroup_pinned_message.json",
    "supergroup_reply_bot_command.json",
    "supergroup_story_message.json",
    "unknown_update_kind.json",
    "update_without_message.json",
}

channel = TelegramChannel(Settings(
    TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_SECRET_TOKEN=SECRET,
    TELEGRAM_API_BASE_URL="http://127.0.0.1:9",  # parsing must never call it
))


def parse_fixture(name: str) -> ParsedWebhook:
    """Check the header, decode and parse the fixture's bytes exactly as the webhook would."""
    body = shared_path(*FOLDER, name).read_bytes()
    headers = {signature.HEADER: SECRET}  # what Telegram sends after setWebhook(secret_token)
    signature.verify(headers.get(signature.HEADER), SECRET)
    return channel.parse(decode(body))


def only_message(parsed: ParsedWebhook) -> InboundMessage:
    assert parsed.ignored == ()
    assert len(parsed.messages) == 1
    return parsed.messages[0]


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


def private(message_id: int, unix: int, text: str = "", *attachments: Attachment,
            sender: Sender = NIC, chat: str = NIC_CHAT) -> InboundMessage:
    return InboundMessage(ThreadKey("telegram", BOT, chat), f"{chat}:{message_id}", sender,
                          at(unix), text, tuple(attachments))


def file(kind: AttachmentKind, file_id: str, platform_type: str, name: str | None = None,
         mime_type: str | None = None) -> Attachment:
    return Attachment(kind, url=f"telegram-file:{file_id}", name=name, mime_type=mime_type,
                      platform_type=platform_type)


def test_every_fixture_has_a_test() -> None:
    folder = shared_path(*FOLDER)
    assert {p.name for p in folder.glob("*.json")} == COVERED


# ---- private chats ---------------------------------------------------------------------


def test_private_text() -> None:
    expected = private(41, 1454119029, "Hello World", sender=Sender(NIC_CHAT, "Nic Pottier",
                                                                    "nicpottier"))
    assert only_message(parse_fixture("private_text.json")) == expected


def test_private_start_command() -> None:
    """``/start`` is the customer opening the chat: a message like any other."""
    expected = private(41, 1454119029, "/start", sender=Sender(NIC_CHAT, "Nic Pottier",
                                                               "nicpottier"))
    assert only_message(parse_fixture("private_start_command.json")) == expected


def test_private_text_with_link_preview_options() -> None:
    waffle = Sender("218485655", "Waffle", "WaffleLapkin")
    expected = private(6557, 1569518342, "hello there", sender=waffle, chat="218485655")
    assert only_message(parse_fixture("private_text_with_link_preview_options.json")) == expected


def test_private_photo_with_caption() -> None:
    """The largest of the four sizes, fetched later through getFile."""
    photo = file("image", "AgADAQADtKcxG4LRUUQSQVUjfJIiiF8G6C8ABA9NJzFdXskaincBAAEC", "photo",
                 mime_type="image/jpeg")
    expected = private(85, 1493843318, "Photo Caption", photo)
    assert only_message(parse_fixture("private_photo_with_caption.json")) == expected


def test_private_document() -> None:
    document = file("file", "BQADAQADCgADgtFRRPrv9GQ95f8eAg", "document",
                    name="TabFig2015prel.xls", mime_type="application/vnd.ms-excel")
    assert only_message(parse_fixture("private_document.json")) == private(
        92, 1493845100, "", document)


def test_private_document_pdf() -> None:
    sender = Sender("1111112", "Test Firstname2 Test Lastname2", "Testusername2")
    pdf = file("file", "BQADAgADDgAD7x6ZSC_-1LMkOEmoAg", "document",
               name="blockposter-162412.pdf", mime_type="application/pdf")
    expected = private(3367, 1486036832, "", pdf, sender=sender, chat="1111112")
    assert only_message(parse_fixture("private_document_pdf.json")) == expected


def test_private_video() -> None:
    video = file("video", "BAADAQADBgADgtFRRPFTAAHxLVw76wI", "video", mime_type="video/mp4")
    assert only_message(parse_fixture("private_video.json")) == private(86, 1493843364, "", video)


def test_private_voice() -> None:
    voice = file("audio", "AwADAQADCQADgtFRRGn8KrC-0D_MAg", "voice", mime_type="audio/ogg")
    assert only_message(parse_fixture("private_voice.json")) == private(91, 1493844646, "", voice)


def test_private_sticker() -> None:
    sticker = file("sticker", "BQADAwADRQADyIsGAAHtBskMy6GoLAI", "sticker",
                   mime_type="image/webp")
    expected = private(44, 1454119668, "", sticker, sender=Sender(NIC_CHAT, "Nic Pottier"))
    assert only_message(parse_fixture("private_sticker.json")) == expected


def test_private_location() -> None:
    location = Attachment("location", latitude=-2.890287, longitude=-79.004333,
                          platform_type="location")
    assert only_message(parse_fixture("private_location.json")) == private(
        94, 1493845244, "", location)


def test_private_venue() -> None:
    venue = Attachment("location", title="Cuenca, Provincia del Azuay", latitude=-2.898944,
                       longitude=-79.006835, platform_type="venue")
    assert only_message(parse_fixture("private_venue.json")) == private(95, 1493845520, "", venue)


def test_private_contact() -> None:
    """A shared contact has no attachment kind: it becomes a line of text."""
    expected = private(96, 1493845755, "[contact] Adolf Taxi 0788531373")
    assert only_message(parse_fixture("private_contact.json")) == expected


# ---- groups ----------------------------------------------------------------------------


def test_supergroup_reply_bot_command() -> None:
    """One conversation per group chat; the sender is ``from``, the id unique per chat."""
    sender = Sender("5964236329", "the Cable Guy", "spacewhaleblues")
    expected = private(134546, 1721592580, "/report", sender=sender, chat=CRYPTO_CHAT)
    assert only_message(parse_fixture("supergroup_reply_bot_command.json")) == expected


def test_supergroup_story_message() -> None:
    """A forwarded story has no content the bridge can carry: visible as unsupported."""
    story = Attachment("unsupported", platform_type="story")
    expected = private(134545, 1721592028, "", story, sender=Sender(
        "6962620676", "Wert", "WertCrypto"), chat=CRYPTO_CHAT)
    assert only_message(parse_fixture("supergroup_story_message.json")) == expected


def test_supergroup_pinned_message() -> None:
    assert parse_fixture("supergroup_pinned_message.json") == ParsedWebhook(ignored=("service",))


# ---- updates that are not customer messages --------------------------------------------


def test_channel_post_text() -> None:
    assert parse_fixture("channel_post_text.json") == ParsedWebhook(ignored=("channel_post",))


def test_channel_post_sticker() -> None:
    assert parse_fixture("channel_post_sticker.json") == ParsedWebhook(ignored=("channel_post",))


def test_message_reaction_added() -> None:
    parsed = parse_fixture("message_reaction_added.json")
    assert parsed == ParsedWebhook(ignored=("message_reaction",))


def test_message_reaction_removed_anonymous() -> None:
    parsed = parse_fixture("message_reaction_removed_anonymous.json")
    assert parsed == ParsedWebhook(ignored=("message_reaction",))


def test_my_chat_member_kicked() -> None:
    """The customer blocked the bot: recorded as ignored; the next send fails with 403."""
    parsed = parse_fixture("my_chat_member_kicked.json")
    assert parsed == ParsedWebhook(ignored=("my_chat_member",))


def test_unknown_update_kind() -> None:
    assert parse_fixture("unknown_update_kind.json") == ParsedWebhook(ignored=("unknown_update",))


def test_update_without_message() -> None:
    assert parse_fixture("update_without_message.json") == ParsedWebhook(ignored=("empty_update",))


@pytest.mark.parametrize("name", sorted(COVERED))
def test_no_fixture_is_an_edit(name: str) -> None:
    body = shared_path(*FOLDER, name).read_bytes()
    assert all(m.kind == "message" for m in channel.parse(decode(body)).messages)
