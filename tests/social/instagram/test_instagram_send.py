"""Instagram DM replies and profiles against the Graph emulator (no network, no sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from bridge.config import Settings
from bridge.domain import InboundMessage, OutboundMessage, Sender, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.social.instagram.adapter import InstagramChannel
from emulators.graph import Fault, GraphEmulator

PAGE, ACCOUNT, IGSID, TOKEN = "101234567890123", "17841400000000001", "1284567890", "tok"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("instagram", ACCOUNT, IGSID)


def make_channel(emu: GraphEmulator, token: str = TOKEN) -> InstagramChannel:
    return InstagramChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", META_PAGE_ID=PAGE,
        INSTAGRAM_ACCOUNT_ID=ACCOUNT, META_PAGE_ACCESS_TOKEN=token, BRIDGE_HTTP_TIMEOUT=5.0))


@pytest.fixture
def channel(emu: GraphEmulator) -> InstagramChannel:
    return make_channel(emu)


def wrote(emu: GraphEmulator, ago: timedelta) -> datetime:
    """The customer wrote ``ago``; Instagram (the emulator) and the bridge both know it."""
    emu.state.instagram_customer(IGSID, NOW - ago)
    return NOW - ago


def reply(text: str = "Your order ships today.", human: bool = True,
          quick_replies: tuple[tuple[str, str], ...] = (),
          attachment_urls: tuple[str, ...] = ()) -> OutboundMessage:
    return OutboundMessage(THREAD, text, human=human, quick_replies=quick_replies,
                           attachment_urls=attachment_urls)


def test_reply_within_24_hours_is_a_response(emu: GraphEmulator,
                                             channel: InstagramChannel) -> None:
    result = channel.send(reply(), wrote(emu, timedelta(hours=23)), NOW)
    (sent,) = emu.state.sent
    assert (sent["surface"], sent["recipient"], sent["messaging_type"], sent["tag"]) == (
        "instagram", IGSID, "RESPONSE", None)
    assert sent["text"] == "Your order ships today."
    assert result.platform_message_ids == (sent["message_id"],) and result.note is None


def test_human_reply_at_3_days_uses_the_human_agent_tag(emu: GraphEmulator,
                                                        channel: InstagramChannel) -> None:
    result = channel.send(reply(), wrote(emu, timedelta(days=3)), NOW)
    (sent,) = emu.state.sent
    assert (sent["messaging_type"], sent["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert result.note == "sent with the HUMAN_AGENT tag"


def test_closed_windows_are_refused_in_instagrams_words(emu: GraphEmulator,
                                                        channel: InstagramChannel) -> None:
    emu.state.add_fault(Fault(path=".", status=500, count=10))  # any request fails loudly
    with pytest.raises(WindowClosed, match=r"3 days ago; Instagram allows.*automated"):
        channel.send(reply(human=False), wrote(emu, timedelta(days=3)), NOW)
    with pytest.raises(WindowClosed, match="8 days ago; Instagram allows replies for 24 hours"):
        channel.send(reply(), wrote(emu, timedelta(days=8)), NOW)
    with pytest.raises(WindowClosed, match="has not written on Instagram"):
        channel.send(reply(), None, NOW)
    assert emu.state.sent == [] and emu.state.faults[0].count == 10


def test_platform_window_refusal_is_window_closed(emu: GraphEmulator,
                                                  channel: InstagramChannel) -> None:
    wrote(emu, timedelta(days=2))  # Instagram knows better than our last message
    with pytest.raises(WindowClosed, match=r"Instagram refused the reply.*2018278"):
        channel.send(reply(human=False), NOW - timedelta(hours=1), NOW)


def test_long_non_latin_reply_is_split_at_1000_bytes(emu: GraphEmulator,
                                                     channel: InstagramChannel) -> None:
    sentence = "Ձեր պատվերը ճանապարհին է, շնորհակալություն համբերության համար։ "  # 2 bytes/char
    text = (sentence * 20).strip()
    assert len(text) < 1500 < len(text.encode())
    result = channel.send(reply(text), wrote(emu, timedelta(hours=1)), NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) >= 2 and all(len(t.encode()) <= 1000 for t in texts)
    assert " ".join(texts) == text
    assert result.note == f"split into {len(texts)} messages (Instagram allows 1000 bytes each)"


def test_emulator_refuses_more_than_1000_bytes_to_an_instagram_user(emu: GraphEmulator) -> None:
    emu.state.instagram_customer(IGSID, NOW)
    answer = requests.post(f"{emu.url}/v23.0/me/messages", timeout=5, json={
        "recipient": {"id": IGSID}, "messaging_type": "RESPONSE",
        "message": {"text": "я" * 501}}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 400 and "1000 bytes" in answer.json()["error"]["message"]


def test_quick_replies_and_files(emu: GraphEmulator, channel: InstagramChannel) -> None:
    files = ("https://acme.zendesk.com/attachments/token/a1/?name=label.png",
             "https://acme.zendesk.com/attachments/token/a2/?name=invoice.pdf")
    message = reply("Rate us", quick_replies=(("Great", "csat:5"),), attachment_urls=files)
    result = channel.send(message, wrote(emu, timedelta(hours=1)), NOW)
    text, image = emu.state.sent
    assert text["quick_replies"] == [{"content_type": "text", "title": "Great",
                                      "payload": "csat:5"}]
    assert image["attachment"] == {"type": "image", "payload": {"url": files[0]}}
    assert result.platform_message_ids == (text["message_id"], image["message_id"])
    assert result.note == (
        f"attachment not sent (Instagram DMs take images, video and audio): {files[1]}")


def test_files_only_and_none_sendable_is_a_failed_reply(emu: GraphEmulator,
                                                       channel: InstagramChannel) -> None:
    """Nothing reached the customer: the reply fails, it is not a delivery with a note."""
    pdf = "https://acme.zendesk.com/attachments/token/a2/?name=invoice.pdf"
    with pytest.raises(PermanentError, match=r"invoice\.pdf"):
        channel.send(reply("", attachment_urls=(pdf,)), wrote(emu, timedelta(hours=1)), NOW)
    assert emu.state.sent == []


def test_vendor_failures(emu: GraphEmulator, channel: InstagramChannel) -> None:
    at = wrote(emu, timedelta(hours=1))
    emu.state.add_fault(Fault(path="/me/messages$", status=429, retry_after=4))
    with pytest.raises(TransientError) as caught:
        channel.send(reply(), at, NOW)
    assert caught.value.retry_after == 4.0
    gone = {"error": {"message": "(#551) This person isn't available right now.", "code": 551}}
    emu.state.add_fault(Fault(path="/me/messages$", status=400, body=gone))
    with pytest.raises(PermanentError, match="not available on Instagram"):
        channel.send(reply(), at, NOW)
    with pytest.raises(PermanentError, match="code 190"):
        make_channel(emu, token="expired").send(reply(), at, NOW)
    assert emu.state.sent == []


def inbound() -> InboundMessage:
    return InboundMessage(THREAD, "m1", Sender(IGSID), NOW, "hi")


def test_profile_gives_name_handle_link_followers_and_badge(
        emu: GraphEmulator, channel: InstagramChannel) -> None:
    emu.state.set_profile(IGSID, "Ana", "García", username="ana.garcia",
                          follower_count=1520, is_verified_user=True)
    assert channel.profile(inbound()) == Sender(
        IGSID, display_name="Ana García", handle="ana.garcia",
        profile_url="https://www.instagram.com/ana.garcia/", follower_count=1520,
        verified=True)


def test_profile_failure_falls_back_to_the_sender(emu: GraphEmulator,
                                                  channel: InstagramChannel) -> None:
    emu.state.strict_profiles = True
    assert channel.profile(inbound()) == Sender(IGSID)


def test_control_api_marks_instagram_users_and_their_profiles(
        emu: GraphEmulator, channel: InstagramChannel) -> None:
    base = emu.url
    answer = requests.post(f"{base}/_emulator/customer_activity", timeout=5, json={
        "igsid": IGSID, "at": (NOW - timedelta(days=9)).isoformat()})
    assert answer.status_code == 200 and IGSID in emu.state.instagram_users
    with pytest.raises(WindowClosed, match="2018278"):  # the emulator's window decides
        channel.send(reply(), NOW, NOW)
    assert requests.post(f"{base}/_emulator/profiles", timeout=5, json={
        "psid": IGSID, "first_name": "Noa", "last_name": "Levi", "username": "noa_levi",
        "follower_count": 12, "is_verified_user": False}).ok
    assert channel.profile(inbound()) == Sender(
        IGSID, display_name="Noa Levi", handle="noa_levi",
        profile_url="https://www.instagram.com/noa_levi/", follower_count=12, verified=False)
    assert requests.post(f"{base}/_emulator/reset", timeout=5).ok
    assert emu.state.instagram_users == set()
