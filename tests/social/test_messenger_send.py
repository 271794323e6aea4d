"""Messenger replies and profiles against the Graph emulator (no network, no sleeps)."""

from __future__ import annotations

import itertools
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests

from bridge.config import Settings
from bridge.domain import InboundMessage, OutboundMessage, Sender, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.social.messenger.adapter import MessengerChannel
from bridge.social.messenger.mapping import split_text, utf16_len
from emulators.graph import Fault, GraphEmulator

PAGE, PSID, TOKEN = "1234567890", "5678", "page-token"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("messenger", PAGE, PSID)


def make_channel(emu: GraphEmulator, token: str = TOKEN, timeout: float = 5.0) -> MessengerChannel:
    return MessengerChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", META_PAGE_ID=PAGE,
        META_PAGE_ACCESS_TOKEN=token, BRIDGE_HTTP_TIMEOUT=timeout,
    ))


@pytest.fixture
def channel(emu: GraphEmulator) -> MessengerChannel:
    return make_channel(emu)


def reply(text: str = "Your order ships today.", human: bool = True) -> OutboundMessage:
    return OutboundMessage(THREAD, text, human=human, reference="delivery-7")


def customer_wrote(emu: GraphEmulator, ago: timedelta) -> datetime:
    """Tell the emulator when the customer last wrote; the bridge passes the same time."""
    emu.state.last_customer_message[PSID] = NOW - ago
    return NOW - ago


def test_reply_within_24_hours_is_a_response(emu: GraphEmulator, channel: MessengerChannel) -> None:
    result = channel.send(reply(), customer_wrote(emu, timedelta(hours=23)), NOW)
    [sent] = emu.state.sent
    assert (sent["recipient"], sent["messaging_type"], sent["tag"]) == (PSID, "RESPONSE", None)
    assert (sent["text"], sent["metadata"]) == ("Your order ships today.", "delivery-7")
    assert result.platform_message_ids == (sent["message_id"],)
    assert result.note is None


def test_human_reply_at_3_days_uses_the_human_agent_tag(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    result = channel.send(reply(), customer_wrote(emu, timedelta(days=3)), NOW)
    [sent] = emu.state.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert result.note == "sent with the HUMAN_AGENT tag"


def test_automated_reply_at_3_days_is_refused(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    with pytest.raises(WindowClosed, match=r"3 days ago.*automated"):
        channel.send(reply(human=False), customer_wrote(emu, timedelta(days=3)), NOW)
    assert emu.state.sent == []


def test_reply_at_8_days_is_refused_without_a_request(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=100))  # any request would fail loudly
    with pytest.raises(WindowClosed) as caught:
        channel.send(reply(), customer_wrote(emu, timedelta(days=8)), NOW)
    assert str(caught.value) == (
        "not sent: the customer last wrote 8 days ago; Messenger allows replies for 24 hours, "
        "or 7 days for a human agent"
    )
    assert emu.state.sent == [] and emu.state.faults[0].count == 100


def test_reply_without_any_customer_message_is_refused(channel: MessengerChannel) -> None:
    with pytest.raises(WindowClosed, match="has not written"):
        channel.send(reply(), None, NOW)


def test_platform_window_refusal_is_window_closed(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    customer_wrote(emu, timedelta(days=2))  # the platform knows better than our last message
    with pytest.raises(WindowClosed, match="2018278"):
        channel.send(reply(human=False), NOW - timedelta(hours=1), NOW)


def test_long_reply_is_split_in_order(emu: GraphEmulator, channel: MessengerChannel) -> None:
    sentences = [f"Sentence number {i} explains one more step of the refund. " for i in range(80)]
    text = "".join(sentences).strip()
    assert len(text) > 4500
    result = channel.send(reply(text[:4500]), customer_wrote(emu, timedelta(hours=1)), NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) == 3 and all(len(t) <= 2000 for t in texts)
    assert all(t.endswith(".") for t in texts[:-1])  # cut after a sentence
    assert " ".join(texts) == text[:4500].strip()
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note == "split into 3 messages (Messenger allows 2000 characters each)"


def test_non_latin_reply_arrives_unchanged(emu: GraphEmulator, channel: MessengerChannel) -> None:
    text = "مرحبا Բարեւ สวัสดี سلام שלום 👨‍👩‍👧 🇦🇲"
    channel.send(reply(text), customer_wrote(emu, timedelta(hours=1)), NOW)
    assert emu.state.sent[0]["text"] == text


def test_rate_limit_429_is_transient_with_retry_after(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    emu.state.add_fault(Fault(path="/messages$", status=429, retry_after=7))
    with pytest.raises(TransientError) as caught:
        channel.send(reply(), customer_wrote(emu, timedelta(hours=1)), NOW)
    assert caught.value.retry_after == 7.0


def test_graph_rate_limit_613_is_transient(emu: GraphEmulator, channel: MessengerChannel) -> None:
    body = {"error": {"message": "(#613) Calls to this api have exceeded the rate limit.",
                      "type": "OAuthException", "code": 613, "fbtrace_id": "A1"}}
    emu.state.add_fault(Fault(path="/messages$", status=400, body=body))
    with pytest.raises(TransientError, match="613") as caught:
        channel.send(reply(), customer_wrote(emu, timedelta(hours=1)), NOW)
    assert caught.value.retry_after is None


def test_server_error_is_transient(emu: GraphEmulator, channel: MessengerChannel) -> None:
    emu.state.add_fault(Fault(path="/messages$", status=500))
    with pytest.raises(TransientError, match="500"):
        channel.send(reply(), customer_wrote(emu, timedelta(hours=1)), NOW)


def test_timeout_is_transient(emu: GraphEmulator) -> None:
    # The answer comes after the client gave up; a status keeps the late request from
    # being recorded as a send in a later test.
    emu.state.add_fault(Fault(path="/messages$", delay=1.0, status=504))
    with pytest.raises(TransientError, match="unreachable"):
        make_channel(emu, timeout=0.2).send(reply(), customer_wrote(emu, timedelta(hours=1)), NOW)


def test_refused_token_is_permanent(emu: GraphEmulator) -> None:
    with pytest.raises(PermanentError, match=r"Invalid OAuth access token.*code 190") as caught:
        make_channel(emu, token="expired").send(reply(), customer_wrote(emu, timedelta(0)), NOW)
    assert not isinstance(caught.value, WindowClosed)


def test_unavailable_person_is_permanent(emu: GraphEmulator, channel: MessengerChannel) -> None:
    body = {"error": {"message": "(#551) This person isn't available right now.", "code": 551}}
    emu.state.add_fault(Fault(path="/messages$", status=400, body=body))
    with pytest.raises(PermanentError, match="not available"):
        channel.send(reply(), customer_wrote(emu, timedelta(hours=1)), NOW)


def inbound(psid: str = PSID) -> InboundMessage:
    return InboundMessage(ThreadKey("messenger", PAGE, psid), "m1", Sender(psid), NOW, "hi")


def test_profile_name_is_fetched(emu: GraphEmulator, channel: MessengerChannel) -> None:
    emu.state.set_profile(PSID, "Anahit", "Sargsyan")
    assert channel.profile(inbound()) == Sender(PSID, display_name="Anahit Sargsyan")


def test_profile_failure_falls_back_to_the_sender(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    emu.state.strict_profiles = True
    assert channel.profile(inbound()) == Sender(PSID)
    emu.state.set_profile(PSID, "Anahit", "Sargsyan")
    emu.state.add_fault(Fault(path=f"/{PSID}$", status=503))
    assert channel.profile(inbound()) == Sender(PSID)


def test_profile_with_unreachable_graph_falls_back() -> None:
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(META_GRAPH_BASE_URL=f"http://127.0.0.1:{port}", META_PAGE_ID=PAGE,
                        META_PAGE_ACCESS_TOKEN=TOKEN, BRIDGE_HTTP_TIMEOUT=2.0)
    assert MessengerChannel(settings).profile(inbound()) == Sender(PSID)


def test_control_api(emu: GraphEmulator, channel: MessengerChannel) -> None:
    base = emu.url
    nine_days_ago = (NOW - timedelta(days=9)).isoformat()
    answer = requests.post(f"{base}/_emulator/customer_activity", timeout=5,
                           json={"psid": PSID, "at": nine_days_ago})
    assert answer.status_code == 200
    with pytest.raises(WindowClosed, match="2018278"):  # the emulator's window decides
        channel.send(reply(), NOW, NOW)

    assert requests.post(f"{base}/_emulator/reset", timeout=5).ok  # forgets the activity
    answer = requests.post(f"{base}/_emulator/faults", timeout=5,
                           json={"path": "/messages$", "status": 429, "retry_after": 3})
    assert answer.status_code == 201
    with pytest.raises(TransientError) as caught:
        channel.send(reply(), NOW, NOW)
    assert caught.value.retry_after == 3.0
    channel.send(reply(), NOW, NOW)  # the fault was used up
    sent = requests.get(f"{base}/_emulator/sent", timeout=5).json()["sent"]
    assert [(s["recipient"], s["messaging_type"], s["at"]) for s in sent] == [
        (PSID, "RESPONSE", NOW.isoformat())
    ]

    bad = requests.post(f"{base}/_emulator/faults", json={"path": "x", "status": "?"}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(f"{base}/_emulator/profiles", timeout=5,
                         json={"psid": PSID, "first_name": "Noa", "last_name": "Levi"}).ok
    assert channel.profile(inbound()).display_name == "Noa Levi"
    emu.state.files["a.png"] = ("image/png", b"\x89PNG")
    got = requests.get(f"{base}/_emulator/files/a.png", timeout=5)
    assert (got.headers["Content-Type"], got.content) == ("image/png", b"\x89PNG")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messaging_type": "RESPONSE", "message": {"text": "x"}}, "recipient is required"),
        ({"recipient": {"id": PSID}, "messaging_type": "NOW", "message": {"text": "x"}},
         "messaging_type must be one of"),
        ({"recipient": {"id": PSID}, "messaging_type": "MESSAGE_TAG", "message": {"text": "x"}},
         "Param tag must be one of"),
        ({"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": "x" * 2001}},
         "less than or equal to 2000"),
    ],
)
def test_emulator_validates_send_bodies(emu: GraphEmulator, body: dict[str, object],
                                        message: str) -> None:
    answer = requests.post(f"{emu.url}/v23.0/me/messages", json=body, timeout=5,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100
    assert message in answer.json()["error"]["message"]


@pytest.mark.parametrize("text", [
    "👍" * 3000,  # astral characters: 2 UTF-16 units each
    "👨‍👩‍👧" * 800,  # ZWJ sequences
    "e\u0301" * 2500,  # combining accents
    "สวัสดีครับ" * 500,  # Thai: no spaces between words
    "Hello.\n\nWorld " * 300,
])
def test_split_text_keeps_characters_whole(text: str) -> None:
    parts = split_text(text)
    assert all(utf16_len(p) <= 2000 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", "")
    for left, right in itertools.pairwise(parts):
        assert not right.startswith(("\u200d", "\u0301")) and not left.endswith("\u200d")


def test_split_text_leaves_short_text_alone() -> None:
    assert split_text("  indented\n") == ["  indented\n"]
    assert split_text(" \n ") == []


FILES = ("https://acme.zendesk.com/attachments/token/t1/?name=label.png",
         "https://acme.zendesk.com/attachments/token/t2/?name=invoice.pdf",
         "https://files.example.com/clips/unboxing.mp4")


def test_agent_files_follow_the_text_each_by_url(emu: GraphEmulator,
                                                   channel: MessengerChannel) -> None:
    message = OutboundMessage(THREAD, "Here is your label.", reference="delivery-7",
                              attachment_urls=FILES)
    result = channel.send(message, customer_wrote(emu, timedelta(hours=2)), NOW)
    assert [s["text"] for s in emu.state.sent] == ["Here is your label.", None, None, None]
    files = [s["attachment"] for s in emu.state.sent[1:]]
    assert [(f["type"], f["payload"]["url"]) for f in files] == [
        ("image", FILES[0]), ("file", FILES[1]), ("video", FILES[2])]
    assert {s["messaging_type"] for s in emu.state.sent} == {"RESPONSE"}
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note is None


def test_files_alone_are_a_reply_and_keep_the_window_rule(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    message = OutboundMessage(THREAD, "", attachment_urls=FILES[:1])
    result = channel.send(message, customer_wrote(emu, timedelta(days=3)), NOW)
    [sent] = emu.state.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert sent["attachment"]["payload"]["url"] == FILES[0]
    assert result.note == "sent with the HUMAN_AGENT tag"


def test_a_file_meta_cannot_fetch_is_named_and_the_rest_still_go(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    emu.state.unreachable_urls.add(FILES[1])
    message = OutboundMessage(THREAD, "Two files.", attachment_urls=FILES)
    result = channel.send(message, customer_wrote(emu, timedelta(hours=1)), NOW)
    sent_urls = [s["attachment"]["payload"]["url"] for s in emu.state.sent[1:]]
    assert sent_urls == [FILES[0], FILES[2]]
    assert result.note is not None
    assert f"attachment not sent: {FILES[1]}" in result.note
    assert "Failed to fetch" in result.note


def test_files_only_and_every_one_refused_is_a_failed_reply(
    emu: GraphEmulator, channel: MessengerChannel
) -> None:
    """Nothing reached the customer: the reply fails (the ticket says so), it is not a
    delivery with a note."""
    emu.state.unreachable_urls.add(FILES[0])
    message = OutboundMessage(THREAD, "", attachment_urls=FILES[:1])
    with pytest.raises(PermanentError, match="Failed to fetch"):
        channel.send(message, customer_wrote(emu, timedelta(hours=1)), NOW)
    assert emu.state.sent == []
