"""Telegram updates no capture in ../shared covers, built from the Bot API 8.1 shapes:
edits, the bot's own messages, anonymous admins, service messages, other kinds, malformed
bodies, and text in many scripts byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bridge.config import Settings
from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import ConfigError, PayloadError
from bridge.social.telegram.adapter import TelegramChannel
from bridge.social.telegram.mapping import bot_id_from_token, file_id_from_url
from bridge.social.telegram.payloads import decode
from tests.social.texts import NON_LATIN

BOT = "7012345678"
TOKEN = f"{BOT}:AAF-parse-token"
CHAT, USER = 3527065, {"id": 3527065, "is_bot": False, "first_name": "Anahit",
                       "last_name": "Sargsyan", "username": "anahit"}
GROUP = -1001293752024
DATE, EDIT_DATE = 1721592028, 1721592090
ANAHIT = Sender("3527065", "Anahit Sargsyan", "anahit")

channel = TelegramChannel(Settings(TELEGRAM_BOT_TOKEN=TOKEN,
                                   TELEGRAM_API_BASE_URL="http://127.0.0.1:9"))


def message(text: str | None = "hello", chat: int = CHAT, message_id: int = 7,
            **fields: Any) -> dict[str, Any]:
    chat_type = "private" if chat > 0 else "supergroup"
    body: dict[str, Any] = {"message_id": message_id, "from": USER, "date": DATE,
                            "chat": {"id": chat, "type": chat_type}}
    if text is not None:
        body["text"] = text
    return {**body, **fields}


def update(kind: str = "message", /, **fields: Any) -> dict[str, Any]:
    return {"update_id": 900, kind: message(**fields)}


def parsed_message(body: dict[str, Any]) -> InboundMessage:
    parsed = channel.parse(body)
    assert parsed.ignored == ()
    [only] = parsed.messages
    return only


def test_edited_message_is_an_edit_event_of_the_original() -> None:
    body = update("edited_message", text="hello, fixed", edit_date=EDIT_DATE)
    assert channel.parse(body) == ParsedWebhook(messages=(InboundMessage(
        thread=ThreadKey("telegram", BOT, str(CHAT)),
        message_id=f"edit:{CHAT}:7:{EDIT_DATE}",  # one row per edit
        sender=ANAHIT,
        sent_at=datetime.fromtimestamp(EDIT_DATE, UTC),
        text="hello, fixed",
        kind="edit",
        refers_to=f"{CHAT}:7",  # the original's id: the core quotes its inbox row
    ),))


def test_a_second_edit_is_another_row() -> None:
    first = parsed_message(update("edited_message", text="v2", edit_date=EDIT_DATE))
    second = parsed_message(update("edited_message", text="v3", edit_date=EDIT_DATE + 60))
    assert first.message_id != second.message_id
    assert first.refers_to == second.refers_to == f"{CHAT}:7"


def test_edit_survives_the_inbox_round_trip() -> None:
    edit = parsed_message(update("edited_message", text="Բարեւ 👋", edit_date=EDIT_DATE))
    assert InboundMessage.from_json(edit.to_json()) == edit


def test_edited_caption_keeps_the_attachment() -> None:
    photo = [{"file_id": "P1", "width": 90, "height": 90}]
    body = update("edited_message", text=None, caption="new caption", photo=photo,
                  edit_date=EDIT_DATE)
    edit = parsed_message(body)
    assert edit.kind == "edit"
    assert (edit.text, [a.url for a in edit.attachments]) == ("new caption", ["telegram-file:P1"])


def test_moving_live_location_is_not_an_edit() -> None:
    location = {"latitude": 40.18, "longitude": 44.51, "live_period": 900}
    body = update("edited_message", text=None, location=location, edit_date=EDIT_DATE)
    assert channel.parse(body) == ParsedWebhook(ignored=("live_location",))


def test_own_messages_are_ignored() -> None:
    own = {"id": int(BOT), "is_bot": True, "first_name": "Support"}
    assert channel.parse(update(**{"from": own})) == ParsedWebhook(ignored=("own",))
    assert channel.parse(update("edited_message", **{"from": own})) == ParsedWebhook(
        ignored=("own",))


def test_another_bots_message_is_a_message() -> None:
    other = {"id": 42, "is_bot": True, "first_name": "Other"}
    assert parsed_message(update(**{"from": other})).sender == Sender("42", "Other")


def test_group_messages_share_one_conversation_per_chat() -> None:
    second = {"id": 99, "is_bot": False, "first_name": "Noa", "last_name": "Levi"}
    one = parsed_message(update(chat=GROUP, message_id=10))
    two = parsed_message(update(chat=GROUP, message_id=11, **{"from": second}))
    assert one.thread == two.thread == ThreadKey("telegram", BOT, str(GROUP))
    assert (one.message_id, two.message_id) == (f"{GROUP}:10", f"{GROUP}:11")
    assert (one.sender, two.sender) == (ANAHIT, Sender("99", "Noa Levi"))


def test_same_message_id_in_two_chats_are_two_messages() -> None:
    assert parsed_message(update(chat=1)).message_id != parsed_message(update(chat=2)).message_id


def test_anonymous_admin_writes_as_the_group() -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
    sender_chat = {"id": GROUP, "type": "supergroup", "title": "Support group"}
    got = parsed_message(update(chat=GROUP, sender_chat=sender_chat, **{"from": anonymous}))
    assert got.sender == Sender(str(GROUP), "Support group")


def test_automatic_forward_of_a_channel_post_is_ignored() -> None:
    body = update(chat=GROUP, is_automatic_forward=True)
    assert channel.parse(body) == ParsedWebhook(ignored=("automatic_forward",))


@pytest.mark.parametrize("service", [
    {"new_chat_members": [USER]}, {"left_chat_member": USER}, {"new_chat_title": "New"},
    {"group_chat_created": True}, {"migrate_to_chat_id": -100123},
    {"forum_topic_created": {"name": "Topic", "icon_color": 1}},
])
def test_service_messages_are_ignored(service: dict[str, Any]) -> None:
    assert channel.parse(update(text=None, **service)) == ParsedWebhook(ignored=("service",))


@pytest.mark.parametrize("kind", [
    "edited_channel_post", "chat_member", "business_message",
    "message_reaction_count", "inline_query", "poll_answer", "chat_join_request",
])
def test_other_update_kinds_are_ignored_by_name(kind: str) -> None:
    assert channel.parse({"update_id": 1, kind: {}}) == ParsedWebhook(ignored=(kind,))


# ---- taps on the bridge's inline buttons (callback_query) ------------------------------

KEYBOARD = {"inline_keyboard": [[{"text": "👍 Good", "callback_data": "bridge:csat:42:good"}],
                                [{"text": "👎 Bad", "callback_data": "bridge:csat:42:bad"}]]}


def callback(data: str | None = "bridge:csat:42:bad", **fields: Any) -> dict[str, Any]:
    bot = {"id": int(BOT), "is_bot": True, "first_name": "Support"}
    sent: dict[str, Any] = {"from": bot, "reply_markup": KEYBOARD}
    query: dict[str, Any] = {
        "id": "4382bfdwdsb323b2d9", "from": USER, "chat_instance": "-5234234",
        "message": message("How did we do?", **sent),
        **fields}
    if data is not None:
        query["data"] = data
    return {"update_id": 901, "callback_query": query}


def test_tapped_button_is_the_customers_answer() -> None:
    from bridge import clock

    at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    clock.set_clock(lambda: at)  # the query has no date: received now
    try:
        answer = parsed_message(callback())
    finally:
        clock.set_clock(None)
    assert answer == InboundMessage(
        thread=ThreadKey("telegram", BOT, str(CHAT)), message_id="callback:4382bfdwdsb323b2d9",
        sender=ANAHIT, sent_at=at, text="👎 Bad", quick_reply="bridge:csat:42:bad")
    assert InboundMessage.from_json(answer.to_json()) == answer


def test_tap_in_a_group_belongs_to_the_group() -> None:
    body = callback()
    body["callback_query"]["message"]["chat"] = {"id": GROUP, "type": "supergroup"}
    assert parsed_message(body).thread == ThreadKey("telegram", BOT, str(GROUP))


def test_tap_without_its_message_keeps_the_data() -> None:
    body = callback("bridge:csat:42:good")
    del body["callback_query"]["message"]  # sent via the bot in inline mode
    answer = parsed_message(body)
    assert (answer.thread.thread_id, answer.text, answer.quick_reply) == (
        str(CHAT), "bridge:csat:42:good", "bridge:csat:42:good")


def test_game_callbacks_are_ignored() -> None:
    body = callback(None, game_short_name="tetris")
    assert channel.parse(body) == ParsedWebhook(ignored=("callback_game",))


def test_malformed_callback_query_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="callback_query"):
        channel.parse({"update_id": 1, "callback_query": {}})


def test_animation_wins_over_its_document_copy() -> None:
    gif = {"file_id": "A1", "file_name": "cat.mp4", "mime_type": "video/mp4"}
    got = parsed_message(update(text=None, animation=gif, document=gif))
    assert got.attachments == (Attachment("video", url="telegram-file:A1", name="cat.mp4",
                                          mime_type="video/mp4", platform_type="animation"),)


def test_audio_video_note_and_animated_sticker() -> None:
    audio = {"file_id": "M1", "duration": 3, "title": "Song", "mime_type": "audio/mpeg"}
    assert parsed_message(update(text=None, audio=audio)).attachments == (Attachment(
        "audio", url="telegram-file:M1", mime_type="audio/mpeg", title="Song",
        platform_type="audio"),)
    note = {"file_id": "V1", "length": 240, "duration": 2}
    assert parsed_message(update(text=None, video_note=note)).attachments[0].kind == "video"
    sticker = {"file_id": "S1", "type": "regular", "width": 512, "height": 512,
               "is_animated": True, "is_video": False, "emoji": "😀"}
    got = parsed_message(update(text=None, sticker=sticker)).attachments[0]
    assert (got.kind, got.mime_type, got.title) == ("sticker", "application/x-tgsticker", "😀")


@pytest.mark.parametrize("content", [
    {"dice": {"emoji": "🎲", "value": 3}},
    {"poll": {"id": "1", "question": "?", "options": []}},
    {"brand_new_content": {"x": 1}},
])
def test_content_the_bridge_cannot_carry_is_visible_as_unsupported(
    content: dict[str, Any],
) -> None:
    got = parsed_message(update(text=None, **content))
    assert got.attachments == (Attachment("unsupported", platform_type=next(iter(content))),)


def test_contact_under_a_caption_and_a_photo() -> None:
    contact = {"phone_number": "+37410000000", "first_name": "Aram", "last_name": "K"}
    got = parsed_message(update(text=None, caption="call him", contact=contact))
    assert got.text == "call him\n[contact] Aram K +37410000000"


def test_file_id_round_trips_through_the_attachment_url() -> None:
    photo = [{"file_id": "small", "width": 1, "height": 1},
             {"file_id": "big", "width": 9, "height": 9}]
    [attachment] = parsed_message(update(text=None, photo=photo)).attachments
    assert attachment.url is not None and file_id_from_url(attachment.url) == "big"
    assert file_id_from_url("https://example.com/a.png") is None
    assert file_id_from_url("telegram-file:") is None


def test_bot_id_is_the_token_prefix() -> None:
    assert bot_id_from_token("123456:ABC-DEF") == "123456"
    assert bot_id_from_token("T") == bot_id_from_token("abc:def") == bot_id_from_token("") == ""


def test_parsing_without_a_bot_token_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        TelegramChannel(Settings(TELEGRAM_BOT_TOKEN="")).parse(update())


@pytest.mark.parametrize(("body", "reason"), [
    ({"message": message()}, "update_id"),
    ({"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x"}}, "message.chat"),
    ({"update_id": 1, "message": {**message(), "date": "yesterday"}}, "message.date"),
    ({"update_id": 1, "message": {**message(), "from": None}}, "'from' or 'sender_chat'"),
    ({"update_id": 1, "message": message(), "edited_message": message()}, "more than one"),
    ({"update_id": 1, "message": "hello"}, "message"),
    ({"update_id": 1, "message": None}, "message is null"),
    ({"update_id": 1, "message": {**message(), "date": 10**15}}, "out of range"),
])
def test_malformed_updates_are_payload_errors(body: dict[str, Any], reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        channel.parse(body)


@pytest.mark.parametrize("text", NON_LATIN)
@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_non_latin_text_and_caption_arrive_byte_for_byte(text: str, ensure_ascii: bool) -> None:
    raw = json.dumps(update(text=text), ensure_ascii=ensure_ascii).encode()  # Telegram: UTF-8
    got = parsed_message(decode(raw))
    assert got.text.encode() == text.encode()
    assert InboundMessage.from_json(got.to_json()) == got
    photo = [{"file_id": "P", "width": 1, "height": 1}]
    captioned = json.dumps(update(text=None, caption=text, photo=photo)).encode()
    assert parsed_message(decode(captioned)).text == text


def test_text_keeps_its_whitespace() -> None:
    text = "  line one\r\n\tline two  \n"
    assert parsed_message(update(text=text)).text == text
