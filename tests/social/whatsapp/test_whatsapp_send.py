"""WhatsApp replies, templates and media against the WhatsApp emulator (no network)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.held import capability
from bridge.social.whatsapp.adapter import WhatsAppChannel
from bridge.social.whatsapp.client import retry_after
from bridge.social.whatsapp.events import DeliveryStatus
from bridge.social.whatsapp.mapping import utf16_len
from emulators.whatsapp import Fault, WhatsAppEmulator, wa_error
from tests.social.whatsapp import NOW, PHONE, THREAD, TOKEN, WA_ID


def make_channel(emu: WhatsAppEmulator, token: str = TOKEN, timeout: float = 5.0
                 ) -> WhatsAppChannel:
    return WhatsAppChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", WHATSAPP_PHONE_NUMBER_ID=PHONE,
        WHATSAPP_ACCESS_TOKEN=token, BRIDGE_HTTP_TIMEOUT=timeout,
    ))


@pytest.fixture
def channel(emu: WhatsAppEmulator) -> WhatsAppChannel:
    return make_channel(emu)


def reply(text: str = "Your order ships today.", thread: ThreadKey = THREAD,
          quick_replies: tuple[tuple[str, str], ...] = ()) -> OutboundMessage:
    return OutboundMessage(thread, text, reference="delivery-7", quick_replies=quick_replies)


def test_reply_within_24_hours_is_free_text(emu: WhatsAppEmulator,
                                            channel: WhatsAppChannel) -> None:
    result = channel.send(reply(), emu.customer_wrote(WA_ID, timedelta(hours=23)), NOW)
    [sent] = emu.state.sent
    assert sent["body"] == {"messaging_product": "whatsapp", "recipient_type": "individual",
                            "to": WA_ID, "type": "text",
                            "text": {"body": "Your order ships today.", "preview_url": False}}
    assert result.platform_message_ids == (sent["message_id"],)
    assert sent["message_id"].startswith("wamid.") and result.note is None


def test_reply_after_24_hours_is_refused_without_a_request(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=100))  # any request would fail loudly
    with pytest.raises(WindowClosed) as caught:
        channel.send(reply(), emu.customer_wrote(WA_ID, timedelta(hours=25)), NOW)
    assert str(caught.value) == (
        "not sent: the customer last wrote 1 day ago; WhatsApp allows free-form replies for "
        "24 hours after the customer's last message; after that only an approved template "
        "can be sent")
    assert emu.state.sent == [] and emu.state.faults[0].count == 100


def test_automated_reply_gets_no_extension(emu: WhatsAppEmulator,
                                           channel: WhatsAppChannel) -> None:
    late = OutboundMessage(THREAD, "Are you still there?", human=False)
    with pytest.raises(WindowClosed, match="3 days ago"):
        channel.send(late, emu.customer_wrote(WA_ID, timedelta(days=3)), NOW)
    assert emu.state.sent == []


def test_reply_without_any_customer_message_is_refused(channel: WhatsAppChannel) -> None:
    with pytest.raises(WindowClosed, match="has not written on WhatsApp"):
        channel.send(reply(), None, NOW)


def test_platform_window_refusal_is_window_closed(emu: WhatsAppEmulator,
                                                  channel: WhatsAppChannel) -> None:
    emu.customer_wrote(WA_ID, timedelta(days=2))  # the platform knows better than we do
    with pytest.raises(WindowClosed, match=r"131047.*24 hours have passed"):
        channel.send(reply(), NOW - timedelta(hours=1), NOW)
    assert emu.state.sent == []


def test_late_send_accepted_then_failed_by_status_webhook(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    """The live API mostly accepts late free text and fails it by webhook (async mode)."""
    emu.state.window_mode = "async"
    result = channel.send(reply(), NOW - timedelta(hours=1), NOW)
    [webhook] = emu.state.webhooks
    [event] = channel.parse_events(webhook)
    assert isinstance(event, DeliveryStatus)
    assert (event.message_id, event.status, event.window_closed) == (
        result.platform_message_ids[0], "failed", True)
    [row] = channel.parse(webhook).messages  # an inbox row: the core notes it on the ticket
    assert (row.kind, row.refers_to, channel.window_failure(row)) == (
        "status", result.platform_message_ids[0], True)


def test_template_goes_out_outside_the_window(emu: WhatsAppEmulator,
                                              channel: WhatsAppChannel) -> None:
    emu.state.templates.add(("reply_needed", "hy"))
    emu.customer_wrote(WA_ID, timedelta(days=5))
    body = ({"type": "body", "parameters": [{"type": "text", "text": "Anahit"}]},)
    result = channel.send_template(THREAD, "reply_needed", "hy", body)
    [sent] = emu.state.sent
    assert sent["body"] == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
        "type": "template",
        "template": {"name": "reply_needed", "language": {"policy": "deterministic", "code": "hy"},
                     "components": [{"type": "body",
                                     "parameters": [{"type": "text", "text": "Anahit"}]}]}}
    assert result.platform_message_ids == (sent["message_id"],)
    assert result.note == "sent the approved WhatsApp template 'reply_needed' (hy)"


def test_unknown_template_is_permanent(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    with pytest.raises(PermanentError, match=r"132001.*does not exist in en_US") as caught:
        channel.send_template(THREAD, "no_such_template", "en_US")
    assert not isinstance(caught.value, WindowClosed)


def test_long_reply_is_split_in_order(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    text = " ".join(f"Step {i} of the refund is explained in this sentence." for i in range(200))
    assert len(text) > 2 * 4096
    result = channel.send(reply(text), emu.customer_wrote(WA_ID), NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) == 3 and all(utf16_len(t) <= 4096 for t in texts)
    assert all(t.endswith(".") for t in texts)
    assert " ".join(texts) == text
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note == "split into 3 messages (WhatsApp allows 4096 characters each)"


def test_quick_replies_become_reply_buttons(emu: WhatsAppEmulator,
                                            channel: WhatsAppChannel) -> None:
    buttons = (("Good 👍", "bridge:csat:42:good"), ("Not good, sorry", "bridge:csat:42:bad"))
    channel.send(reply("How did we do?", quick_replies=buttons), emu.customer_wrote(WA_ID), NOW)
    [sent] = emu.state.sent
    assert sent["interactive"] == {
        "type": "button", "body": {"text": "How did we do?"},
        "action": {"buttons": [
            {"type": "reply", "reply": {"id": "bridge:csat:42:good", "title": "Good 👍"}},
            {"type": "reply", "reply": {"id": "bridge:csat:42:bad",
                                        "title": "Not good, sorry"}}]}}


def test_a_title_over_20_characters_makes_a_list(emu: WhatsAppEmulator,
                                                 channel: WhatsAppChannel) -> None:
    buttons = (("Good 👍", "bridge:csat:42:good"),
               ("Not good at all, I am sorry to say", "bridge:csat:42:bad"))
    channel.send(reply("How did we do?", quick_replies=buttons), emu.customer_wrote(WA_ID), NOW)
    [sent] = emu.state.sent
    assert sent["interactive"] == {
        "type": "list", "body": {"text": "How did we do?"},
        "action": {"button": "Choose", "sections": [{"rows": [
            {"id": "bridge:csat:42:good", "title": "Good 👍"},
            {"id": "bridge:csat:42:bad", "title": "Not good at all, I am s…",
             "description": "Not good at all, I am sorry to say"}]}]}}


def test_four_to_ten_quick_replies_make_a_list(emu: WhatsAppEmulator,
                                               channel: WhatsAppChannel) -> None:
    buttons = tuple((f"Option {i}", f"p{i}") for i in range(10))
    channel.send(reply("Pick one:", quick_replies=buttons), emu.customer_wrote(WA_ID), NOW)
    [sent] = emu.state.sent
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert [(r["id"], r["title"]) for r in rows] == [(p, t) for t, p in buttons]


def test_more_than_ten_quick_replies_become_lines(emu: WhatsAppEmulator,
                                                  channel: WhatsAppChannel) -> None:
    buttons = tuple((f"Option {i}", f"p{i}") for i in range(11))
    channel.send(reply("Pick one:", quick_replies=buttons), emu.customer_wrote(WA_ID), NOW)
    [sent] = emu.state.sent
    assert sent["text"] == "Pick one:\n\n" + "\n".join(f"Option {i}" for i in range(11))


def test_ids_too_long_for_a_list_become_lines(emu: WhatsAppEmulator,
                                              channel: WhatsAppChannel) -> None:
    buttons = tuple((f"Option {i}", f"p{i}" + "x" * 200) for i in range(4))
    channel.send(reply("Pick one:", quick_replies=buttons), emu.customer_wrote(WA_ID), NOW)
    assert emu.state.sent[0]["type"] == "text"


def test_long_reply_with_buttons_keeps_the_last_part_short(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    text = "Word " * 1000
    channel.send(reply(text, quick_replies=(("Yes", "y"),)), emu.customer_wrote(WA_ID), NOW)
    kinds = [s["type"] for s in emu.state.sent]
    assert kinds[-1] == "interactive" and set(kinds[:-1]) == {"text"}
    assert len(emu.state.sent[-1]["text"]) <= 1024


def test_group_thread_is_sent_to_the_group(emu: WhatsAppEmulator,
                                           channel: WhatsAppChannel) -> None:
    group = ThreadKey("whatsapp", PHONE, "group:Y2FwaV9ncm91cDox")
    channel.send(reply(thread=group), emu.customer_wrote("Y2FwaV9ncm91cDox"), NOW)
    [sent] = emu.state.sent
    assert (sent["recipient_type"], sent["to"]) == ("group", "Y2FwaV9ncm91cDox")


NON_LATIN = [
    "مرحبا، طلبك في الطريق",  # Arabic
    "Բարեւ, ձեր պատվերը ճանապարհին է",  # Armenian
    "สวัสดีครับ คำสั่งซื้อของคุณกำลังจัดส่ง",  # Thai
    "سلام، سفارش شما در راه است",  # Persian
    "שלום, ההזמנה שלך בדרך",  # Hebrew
    "👍🏽 👨‍👩‍👧 🇦🇲 e\u0301",  # emoji with modifier, ZWJ family, flag, combining accent
]


@pytest.mark.parametrize("text", NON_LATIN)
def test_non_latin_reply_arrives_byte_for_byte(emu: WhatsAppEmulator, channel: WhatsAppChannel,
                                               text: str) -> None:
    channel.send(reply(text), emu.customer_wrote(WA_ID), NOW)
    assert emu.state.sent[0]["text"].encode("utf-8") == text.encode("utf-8")


def test_rate_limit_429_is_transient_with_retry_after(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    emu.state.add_fault(Fault(path="/messages$", status=429, retry_after=7))
    with pytest.raises(TransientError, match="130429") as caught:
        channel.send(reply(), emu.customer_wrote(WA_ID), NOW)
    assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("code", [130429, 131056, 80007, 4, 613])
def test_rate_limit_codes_are_transient(emu: WhatsAppEmulator, channel: WhatsAppChannel,
                                        code: int) -> None:
    body = wa_error(f"(#{code}) Rate limit hit", code, "Too many messages.")
    emu.state.add_fault(Fault(path="/messages$", status=400, body=body))
    with pytest.raises(TransientError, match=str(code)) as caught:
        channel.send(reply(), emu.customer_wrote(WA_ID), NOW)
    assert caught.value.retry_after is None
    assert emu.state.sent == []


def test_retry_after_falls_back_to_business_use_case_usage() -> None:
    response = requests.Response()
    usage = {"102290129340398": [{"type": "whatsapp", "call_count": 100,
                                  "estimated_time_to_regain_access": 2}]}
    response.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
    assert retry_after(response) == 120.0
    response.headers["Retry-After"] = "3"
    assert retry_after(response) == 3.0
    assert retry_after(requests.Response()) is None


def test_server_error_is_transient(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    emu.state.add_fault(Fault(path="/messages$", status=503))
    with pytest.raises(TransientError, match="503"):
        channel.send(reply(), emu.customer_wrote(WA_ID), NOW)


def test_timeout_is_transient(emu: WhatsAppEmulator) -> None:
    # The answer comes after the client gave up; a status keeps the late request from
    # being recorded as a send in a later test.
    emu.state.add_fault(Fault(path="/messages$", delay=1.0, status=504))
    with pytest.raises(TransientError, match="unreachable"):
        make_channel(emu, timeout=0.2).send(reply(), emu.customer_wrote(WA_ID), NOW)


def test_refused_token_is_permanent(emu: WhatsAppEmulator) -> None:
    with pytest.raises(PermanentError, match=r"access token was refused.*code 190") as caught:
        make_channel(emu, token="expired").send(reply(), emu.customer_wrote(WA_ID), NOW)
    assert not isinstance(caught.value, (WindowClosed, TransientError))


def test_missing_token_is_permanent_without_a_request(emu: WhatsAppEmulator) -> None:
    with pytest.raises(PermanentError, match="WHATSAPP_ACCESS_TOKEN is not configured"):
        make_channel(emu, token="").send(reply(), emu.customer_wrote(WA_ID), NOW)


def test_invalid_parameter_is_permanent_with_the_details(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    other_number = ThreadKey("whatsapp", "999", WA_ID)  # not a number this token may use
    with pytest.raises(PermanentError, match=r"Object with ID '999' does not exist.*code 100"):
        channel.send(reply(thread=other_number), emu.customer_wrote(WA_ID), NOW)


def test_not_a_whatsapp_thread_is_refused(channel: WhatsAppChannel) -> None:
    with pytest.raises(PermanentError, match="not a WhatsApp thread"):
        channel.send(reply(thread=ThreadKey("messenger", PHONE, WA_ID)), NOW, NOW)


def test_empty_reply_is_refused(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    with pytest.raises(PermanentError, match="no text"):
        channel.send(reply(" \n "), emu.customer_wrote(WA_ID), NOW)


# ---- media ------------------------------------------------------------------------------


def test_media_id_resolves_and_downloads_with_the_token(
    emu: WhatsAppEmulator, channel: WhatsAppChannel
) -> None:
    media_id = emu.state.add_media(b"%PDF-1.7 invoice", "application/pdf", "1234567890987654321")
    url, mime = channel.resolve_media(media_id)
    assert mime == "application/pdf" and url.startswith(emu.url)
    assert requests.get(url, timeout=5).status_code == 401  # a plain GET gets nothing
    assert channel.fetch_attachment(f"whatsapp-media:{media_id}") == (
        "application/pdf", b"%PDF-1.7 invoice")


def test_media_lookup_answers_in_the_spec_shape(emu: WhatsAppEmulator) -> None:
    media_id = emu.state.add_media(b"\x89PNG", "image/png")
    info = requests.get(f"{emu.url}/v23.0/{media_id}", params={"phone_number_id": PHONE},
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).json()
    assert set(info) == {"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}
    assert (info["id"], info["file_size"], info["mime_type"]) == (media_id, "4", "image/png")


def test_unknown_or_expired_media_is_none(emu: WhatsAppEmulator,
                                          channel: WhatsAppChannel) -> None:
    assert channel.fetch_attachment("whatsapp-media:404") is None
    media_id = emu.state.add_media(b"x", "image/jpeg")
    url, _ = channel.resolve_media(media_id)
    emu.state.clock = lambda: NOW + timedelta(minutes=6)  # media URLs live 5 minutes
    client = channel._client
    assert client is not None
    try:
        with pytest.raises(PermanentError, match="404"):
            client.download(url)
    finally:
        emu.state.clock = lambda: NOW


def test_media_lookup_failure_is_transient(emu: WhatsAppEmulator,
                                           channel: WhatsAppChannel) -> None:
    media_id = emu.state.add_media(b"x", "image/jpeg")
    emu.state.add_fault(Fault(path=f"/{media_id}$", status=500))
    with pytest.raises(TransientError):
        channel.fetch_attachment(f"whatsapp-media:{media_id}")
    assert channel.fetch_attachment(f"whatsapp-media:{media_id}") == ("image/jpeg", b"x")


def test_token_is_never_sent_to_other_hosts(channel: WhatsAppChannel) -> None:
    client = channel._client
    assert client is not None
    with pytest.raises(PermanentError, match="refusing to send the WhatsApp token"):
        client.download("https://attacker.example/steal")
    with pytest.raises(PermanentError, match="refusing"):
        client.download("http://lookaside.fbsbx.com/x")  # Meta hosts: https only


def test_profile_makes_no_request(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    from bridge.domain import InboundMessage, Sender

    emu.state.add_fault(Fault(path=".", status=500, count=10))
    sender = Sender(WA_ID, "Anahit")
    message = InboundMessage(THREAD, "wamid.1", sender, NOW, "hi")
    assert channel.profile(message) is sender
    assert emu.state.faults[0].count == 10


def test_media_over_the_download_limit_is_none(emu: WhatsAppEmulator, channel: WhatsAppChannel,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from bridge import rendering

    monkeypatch.setattr(rendering, "MAX_DOWNLOAD", 4)
    media_id = emu.state.add_media(b"12345", "video/mp4")
    assert channel.fetch_attachment(f"whatsapp-media:{media_id}") is None


def test_start_up_notes_ask_for_a_template() -> None:
    unset = Settings(WHATSAPP_PHONE_NUMBER_ID=PHONE, WHATSAPP_ACCESS_TOKEN=TOKEN)
    assert any(n.startswith("WHATSAPP_TEMPLATE_NAME unset") for n in unset.missing())
    assert unset.WHATSAPP_TEMPLATE_LANGUAGE == "en_US"
    named = Settings(WHATSAPP_PHONE_NUMBER_ID=PHONE, WHATSAPP_ACCESS_TOKEN=TOKEN,
                     WHATSAPP_TEMPLATE_NAME="reengage")
    assert not any("WHATSAPP_TEMPLATE_NAME" in n for n in named.missing())
    assert not any("WHATSAPP_TEMPLATE_NAME" in n for n in Settings().missing())  # no WhatsApp


def test_held_reply_capability(emu: WhatsAppEmulator) -> None:
    channel = WhatsAppChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, WHATSAPP_PHONE_NUMBER_ID=PHONE, WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_TEMPLATE_NAME="hello_world"))
    assert capability(channel) is channel
    assert channel.reengagement_template(THREAD) == "'hello_world' (en_US)"
    assert channel.window_open(NOW - timedelta(hours=24), NOW)
    assert not channel.window_open(NOW - timedelta(hours=24, seconds=1), NOW)
    assert not channel.window_open(None, NOW)
    result = channel.send_reengagement(THREAD)
    [sent] = emu.state.sent
    assert sent["template"] == {"name": "hello_world",
                                "language": {"policy": "deterministic", "code": "en_US"}}
    assert result.platform_message_ids == (sent["message_id"],)
    unset = WhatsAppChannel(Settings(WHATSAPP_PHONE_NUMBER_ID=PHONE))
    assert unset.reengagement_template(THREAD) is None
    with pytest.raises(PermanentError, match="WHATSAPP_TEMPLATE_NAME"):
        unset.send_reengagement(THREAD)
