"""Telegram replies and file look-ups against the Bot API emulator (no network, no sleeps)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests

from bridge.config import Settings
from bridge.domain import InboundMessage, OutboundMessage, Sender, ThreadKey
from bridge.errors import BridgeError, PermanentError, TransientError, WindowClosed
from bridge.social.telegram.adapter import TelegramChannel
from bridge.social.telegram.mapping import file_id_from_url, split_text
from emulators.telegram import Fault, TelegramEmulator

BOT = "7012345678"
TOKEN = f"{BOT}:AAF-send-token"
CHAT = 3527065
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("telegram", BOT, str(CHAT))


def make_channel(base_url: str, token: str = TOKEN, timeout: float = 5.0) -> TelegramChannel:
    return TelegramChannel(Settings(TELEGRAM_API_BASE_URL=base_url, TELEGRAM_BOT_TOKEN=token,
                                    BRIDGE_HTTP_TIMEOUT=timeout))


@pytest.fixture
def channel(emu: TelegramEmulator) -> TelegramChannel:
    return make_channel(emu.url)


def reply(text: str = "Your order ships today.", reference: str | None = "social-bridge-delivery-7",
          thread: ThreadKey = THREAD, **extra: object) -> OutboundMessage:
    return OutboundMessage(thread, text, reference=reference, **extra)  # type: ignore[arg-type]


def test_reply_is_sent_as_plain_text(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    result = channel.send(reply("<b>not bold</b> *nor this*"), NOW - timedelta(hours=1), NOW)
    [sent] = emu.state.sent
    assert sent["body"] == {"chat_id": CHAT, "text": "<b>not bold</b> *nor this*"}  # no parse_mode
    assert result.platform_message_ids == (f"{CHAT}:{sent['message_id']}",)
    assert result.note is None


@pytest.mark.parametrize("last_customer_at", [None, NOW - timedelta(days=400)])
def test_there_is_no_messaging_window(
    emu: TelegramEmulator, channel: TelegramChannel, last_customer_at: datetime | None
) -> None:
    channel.send(reply(), last_customer_at, NOW)
    assert len(emu.state.sent) == 1


def test_10000_characters_are_split_in_order(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    sentences = [f"Step {i}: unplug the router, wait, and plug it in again. " for i in range(200)]
    text = "".join(sentences)[:9_999] + "."
    assert len(text) == 10_000
    result = channel.send(reply(text), None, NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) == 3 and all(len(t) <= 4096 for t in texts)
    assert all(t.endswith(".") for t in texts[:-1])  # cut after a sentence
    assert " ".join(texts) == text
    assert result.platform_message_ids == tuple(f"{CHAT}:{s['message_id']}"
                                                for s in emu.state.sent)
    assert result.note == "split into 3 messages (Telegram allows 4096 characters each)"


def test_text_without_spaces_is_cut_between_characters() -> None:
    text = "👍" * 5000  # 10,000 UTF-16 units
    parts = split_text(text)
    assert "".join(parts) == text and all(len(p.encode("utf-16-le")) <= 8192 for p in parts)


def test_reference_to_a_message_of_the_chat_is_a_reply(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_chat(CHAT, messages=[41])
    channel.send(reply(reference=f"{CHAT}:41"), None, NOW)
    [sent] = emu.state.sent
    assert sent["reply_parameters"] == {"message_id": 41, "allow_sending_without_reply": True}


def test_bare_message_id_reference_is_a_reply_and_only_the_first_part_replies(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    channel.send(reply("word " * 2000, reference="41"), None, NOW)  # 41 unknown: still sent
    assert [s["reply_parameters"] for s in emu.state.sent] == [
        {"message_id": 41, "allow_sending_without_reply": True}, None, None]


@pytest.mark.parametrize("reference", [
    None, "social-bridge-delivery-7", "999:41", f"{CHAT}:0", f"{CHAT}:x", f"{CHAT}:41:2",
])
def test_other_references_are_no_reply(
    emu: TelegramEmulator, channel: TelegramChannel, reference: str | None
) -> None:
    channel.send(reply(reference=reference), None, NOW)
    assert "reply_parameters" not in emu.state.sent[0]["body"]


def test_quick_replies_are_an_inline_keyboard(emu: TelegramEmulator,
                                              channel: TelegramChannel) -> None:
    buttons = (("👍 Good", "bridge:csat:42:good"), ("👎 Bad", "bridge:csat:42:bad"))
    channel.send(reply("How did we do?", quick_replies=buttons), None, NOW)
    [sent] = emu.state.sent
    assert sent["text"] == "How did we do?"
    assert sent["body"]["reply_markup"] == {"inline_keyboard": [
        [{"text": "👍 Good", "callback_data": "bridge:csat:42:good"}],
        [{"text": "👎 Bad", "callback_data": "bridge:csat:42:bad"}]]}


def test_keyboard_goes_under_the_last_part(emu: TelegramEmulator,
                                           channel: TelegramChannel) -> None:
    channel.send(reply("word " * 2000, quick_replies=(("Yes", "y"),)), None, NOW)
    markups = [s["body"].get("reply_markup") for s in emu.state.sent]
    assert markups == [None, None, {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}]


def test_payload_over_64_bytes_falls_back_to_lines(emu: TelegramEmulator,
                                                   channel: TelegramChannel) -> None:
    long = "bridge:csat:" + "é" * 30  # 72 bytes: Telegram would refuse or cut it
    buttons = (("👍 Good", "bridge:csat:42:good"), ("Other", long))
    channel.send(reply("How did we do?", quick_replies=buttons), None, NOW)
    [sent] = emu.state.sent
    assert sent["text"] == "How did we do?\n\n👍 Good\nOther"
    assert "reply_markup" not in sent["body"]


def tap(query_id: str, quick_reply: str | None = "bridge:csat:42:good") -> InboundMessage:
    return InboundMessage(THREAD, f"callback:{query_id}", Sender(str(CHAT)), NOW, "👍 Good",
                          quick_reply=quick_reply)


def test_a_tapped_button_is_answered(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    channel.acknowledge(tap("4382bfdwdsb323b2d9"))
    assert emu.state.answered == [{"callback_query_id": "4382bfdwdsb323b2d9"}]


def test_answering_is_best_effort(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    channel.acknowledge(tap("expired-1"))  # Telegram: "query is too old": no error raised
    emu.state.add_fault(Fault(path="/answerCallbackQuery$", status=502))
    channel.acknowledge(tap("q-2"))
    assert emu.state.answered == []


def test_only_taps_are_answered(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=10))  # any request would show
    channel.acknowledge(InboundMessage(THREAD, f"{CHAT}:7", Sender(str(CHAT)), NOW, "hi"))
    channel.acknowledge(tap("q-3", quick_reply=None))
    assert emu.state.faults[0].count == 10


def test_flood_control_429_is_transient_with_retry_after(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_fault(Fault(path="/sendMessage$", status=429, retry_after=7))
    with pytest.raises(TransientError, match="Too Many Requests: retry after 7") as caught:
        channel.send(reply(), None, NOW)
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(
    emu: TelegramEmulator, channel: TelegramChannel, status: int
) -> None:
    emu.state.add_fault(Fault(path="/sendMessage$", status=status))
    with pytest.raises(TransientError, match=f"Telegram {status}"):
        channel.send(reply(), None, NOW)


def test_timeout_is_transient(emu: TelegramEmulator) -> None:
    # The answer comes after the client gave up; a status keeps the late request from
    # being recorded as a send in a later test.
    emu.state.add_fault(Fault(path="/sendMessage$", delay=1.0, status=504))
    with pytest.raises(TransientError, match="unreachable: ReadTimeout") as caught:
        make_channel(emu.url, timeout=0.2).send(reply(), None, NOW)
    assert_token_not_in(caught.value)


def test_unreachable_api_is_transient_and_does_not_leak_the_token() -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError, match="unreachable: ConnectionError") as caught:
        make_channel(f"http://127.0.0.1:{port}", timeout=2.0).send(reply(), None, NOW)
    assert_token_not_in(caught.value)


def assert_token_not_in(error: BaseException) -> None:
    """Neither the error nor anything chained to it (as a traceback would print) holds the
    token: requests' own errors carry the URL, so they must not be chained."""
    seen: BaseException | None = error
    while seen is not None:
        assert TOKEN not in str(seen) and not isinstance(seen, requests.RequestException)
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)


def test_blocked_bot_is_permanent_with_telegrams_words(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_chat(CHAT, blocked=True)
    with pytest.raises(PermanentError) as caught:
        channel.send(reply(), None, NOW)
    assert str(caught.value) == "not sent: Telegram 403: Forbidden: bot was blocked by the user"
    assert not isinstance(caught.value, WindowClosed)


def test_unknown_chat_is_permanent(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    emu.state.strict_chats = True
    with pytest.raises(PermanentError, match="Telegram 400: Bad Request: chat not found"):
        channel.send(reply(), None, NOW)


def test_group_upgraded_to_supergroup_names_the_new_chat(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    body = {"ok": False, "error_code": 400, "parameters": {"migrate_to_chat_id": -1001234},
            "description": "Bad Request: group chat was upgraded to a supergroup chat"}
    emu.state.add_fault(Fault(path="/sendMessage$", status=400, body=body))
    with pytest.raises(PermanentError, match=r"now the supergroup -1001234.*upgraded"):
        channel.send(reply(), None, NOW)


def test_refused_token_is_permanent(emu: TelegramEmulator) -> None:
    with pytest.raises(PermanentError, match="bot token was refused; Telegram 401: Unauthorized"):
        make_channel(emu.url, token=f"{BOT}:revoked").send(reply(), None, NOW)


def test_missing_token_is_permanent_without_a_request(emu: TelegramEmulator) -> None:
    with pytest.raises(PermanentError, match="TELEGRAM_BOT_TOKEN is not configured"):
        make_channel(emu.url, token="").send(reply(thread=ThreadKey("telegram", "", "1")),
                                             None, NOW)


def test_another_bots_thread_is_refused(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    with pytest.raises(PermanentError, match="belongs to bot 999"):
        channel.send(reply(thread=ThreadKey("telegram", "999", str(CHAT))), None, NOW)
    with pytest.raises(PermanentError, match="not a Telegram thread"):
        channel.send(reply(thread=ThreadKey("messenger", BOT, str(CHAT))), None, NOW)
    assert emu.state.sent == []


@pytest.mark.parametrize("text", ["", " \n\t "])
def test_empty_reply_is_permanent(channel: TelegramChannel, text: str) -> None:
    with pytest.raises(PermanentError, match="no text"):
        channel.send(reply(text), None, NOW)


def test_one_message_per_second_per_chat(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    channel.send(reply(), None, NOW)
    with pytest.raises(TransientError, match="one message per second") as caught:
        channel.send(reply(), None, NOW + timedelta(milliseconds=500))
    assert caught.value.retry_after == 1.0
    assert len(emu.state.sent) == 1  # refused before any request
    other = ThreadKey("telegram", BOT, "42")
    channel.send(reply(thread=other), None, NOW + timedelta(milliseconds=500))
    channel.send(reply(), None, NOW + timedelta(seconds=1))
    assert [s["chat_id"] for s in emu.state.sent] == [CHAT, 42, CHAT]


def test_a_reply_cut_short_by_429_resumes_where_it_stopped(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 150 for i in range(12))
    emu.state.add_fault(Fault(path="/sendMessage$", status=429, retry_after=3, skip=1))
    with pytest.raises(TransientError, match=r"1 of 3 parts sent") as caught:
        channel.send(reply(text), None, NOW)
    assert caught.value.retry_after == 3.0
    result = channel.send(reply(text), None, NOW + timedelta(seconds=3))
    texts = [s["text"] for s in emu.state.sent]
    assert texts == split_text(text) and len(texts) == 3  # each part once, in order
    assert result.platform_message_ids == tuple(f"{CHAT}:{s['message_id']}"
                                                for s in emu.state.sent)


def test_a_permanent_failure_midway_forgets_the_progress(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    text = "word " * 2000
    emu.state.add_fault(Fault(path="/sendMessage$", status=403, skip=1))
    with pytest.raises(PermanentError):
        channel.send(reply(text), None, NOW)
    channel.send(reply(text), None, NOW + timedelta(seconds=2))
    assert len(emu.state.sent) == 1 + 3


NON_LATIN = [
    "مرحبا، طلبك في الطريق",  # Arabic
    "Բարեւ, ձեր պատվերը ճանապարհին է",  # Armenian
    "สวัสดีครับ คำสั่งซื้อของคุณกำลังจัดส่ง",  # Thai
    "سلام، سفارش شما در راه است",  # Persian
    "שלום, ההזמנה שלך בדרך",  # Hebrew
    "Thanks 👍🏽 👨‍👩‍👧 🇦🇲 e\u0301",  # emoji with modifier, ZWJ family, flag, combining accent
]


@pytest.mark.parametrize("text", NON_LATIN)
def test_non_latin_reply_arrives_byte_for_byte(
    emu: TelegramEmulator, channel: TelegramChannel, text: str
) -> None:
    channel.send(reply(text), None, NOW)
    assert emu.state.sent[0]["text"].encode() == text.encode()


def inbound() -> InboundMessage:
    return InboundMessage(THREAD, f"{CHAT}:41", Sender(str(CHAT), "Anahit Sargsyan", "anahit"),
                          NOW, "hi")


def test_profile_is_the_sender_as_parsed_without_a_call(emu: TelegramEmulator) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=100))  # any request would fail
    assert make_channel(emu.url).profile(inbound()) == inbound().sender
    assert emu.state.faults[0].count == 100


def test_resolve_file_gives_a_download_url(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_file("AgADBAAD", b"\xff\xd8\xff jpeg", "photos/file_7.jpg", "image/jpeg")
    url = channel.resolve_file("AgADBAAD")
    assert url == f"{emu.url}/file/bot{TOKEN}/photos/file_7.jpg"
    got = requests.get(url, timeout=5)
    assert (got.headers["Content-Type"], got.content) == ("image/jpeg", b"\xff\xd8\xff jpeg")


def test_a_parsed_photo_is_fetched_lazily(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    update = {"update_id": 1, "message": {
        "message_id": 5, "date": 1, "chat": {"id": CHAT, "type": "private"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "A"},
        "photo": [{"file_id": "thumb", "width": 90, "height": 90},
                  {"file_id": "full", "width": 900, "height": 900}]}}
    [message] = channel.parse(update).messages
    assert emu.state.sent == [] and message.attachments[0].url == "telegram-file:full"
    emu.state.add_file("full", b"photo bytes", "photos/file_1.jpg", "image/jpeg")
    file_id = file_id_from_url(message.attachments[0].url)
    assert file_id is not None
    assert requests.get(channel.resolve_file(file_id), timeout=5).content == b"photo bytes"


@pytest.mark.parametrize(("size", "reason"), [(None, "invalid file_id"),
                                              (21 * 1024 * 1024, "file is too big")])
def test_files_telegram_will_not_give_are_permanent(
    emu: TelegramEmulator, channel: TelegramChannel, size: int | None, reason: str
) -> None:
    if size is not None:
        emu.state.add_file("BIG", b"x", "videos/big.mp4", size=size)
    with pytest.raises(PermanentError, match=reason):
        channel.resolve_file("BIG")


def test_file_lookup_under_flood_control_is_transient(
    emu: TelegramEmulator, channel: TelegramChannel
) -> None:
    emu.state.add_fault(Fault(path="/getFile$", status=429, retry_after=2))
    with pytest.raises(TransientError) as caught:
        channel.resolve_file("anything")
    assert caught.value.retry_after == 2.0


def test_every_failure_is_a_bridge_error(emu: TelegramEmulator, channel: TelegramChannel) -> None:
    emu.state.add_fault(Fault(path="/sendMessage$", status=418, body={"not": "telegram"}))
    with pytest.raises(BridgeError, match="Telegram 418"):
        channel.send(reply(), None, NOW)
