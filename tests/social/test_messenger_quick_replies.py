"""Messenger quick replies: sent under the last part of a message, and a tap parsed back.

No captured webhook with ``message.quick_reply`` exists in ``../shared/fixtures`` (see its
SOURCES.md); the body below has the documented shape of a text message with a tapped
quick reply (the title as ``text``, our payload in ``quick_reply.payload``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bridge.domain import InboundMessage, OutboundMessage
from bridge.errors import WindowClosed
from bridge.social.messenger.adapter import MessengerChannel
from bridge.social.messenger.mapping import send_policy
from emulators.graph import GraphEmulator
from tests.social.test_messenger_send import NOW, PSID, THREAD, make_channel
from tests.social.test_messenger_send import PAGE as PAGE  # the page the conftest emulator serves
from tests.social.test_messenger_send import TOKEN as TOKEN

BUTTONS = (("👍 Good", "bridge:csat:42:good"), ("👎 Bad", "bridge:csat:42:bad"))


@pytest.fixture
def channel(server: GraphEmulator) -> MessengerChannel:
    server.state.reset()
    return make_channel(server)


def test_quick_replies_go_under_the_last_part(server: GraphEmulator,
                                              channel: MessengerChannel) -> None:
    text = "How did we do?\n\n" + "x" * 2500
    channel.send(OutboundMessage(THREAD, text, human=False, quick_replies=BUTTONS),
                 NOW - timedelta(hours=1), NOW)
    *first, last = server.state.sent
    assert first and all(part["quick_replies"] is None for part in first)
    assert last["quick_replies"] == [
        {"content_type": "text", "title": "👍 Good", "payload": "bridge:csat:42:good"},
        {"content_type": "text", "title": "👎 Bad", "payload": "bridge:csat:42:bad"}]
    assert {s["messaging_type"] for s in server.state.sent} == {"RESPONSE"}


def test_long_titles_are_cut_to_what_messenger_accepts(server: GraphEmulator,
                                                       channel: MessengerChannel) -> None:
    buttons = tuple((f"A very long answer title {i}", f"p{i}") for i in range(15))
    channel.send(OutboundMessage(THREAD, "Pick one", human=False, quick_replies=buttons),
                 NOW - timedelta(hours=1), NOW)
    (sent,) = server.state.sent
    assert len(sent["quick_replies"]) == 13
    assert all(len(q["title"]) <= 20 for q in sent["quick_replies"])


@pytest.mark.parametrize("hours", [25, 24 * 6])
def test_automated_messages_never_use_the_human_agent_tag(hours: int) -> None:
    with pytest.raises(WindowClosed, match="automated"):
        send_policy(NOW - timedelta(hours=hours), NOW, human=False)
    assert send_policy(NOW - timedelta(hours=hours), NOW, human=True).tag == "HUMAN_AGENT"


def test_a_tapped_quick_reply_carries_its_payload(channel: MessengerChannel) -> None:
    body: dict[str, Any] = {"object": "page", "entry": [{"id": PAGE, "time": 1741608000000,
                                                         "messaging": [{
        "sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1741608000000,
        "message": {"mid": "m_qr_1", "text": "👍 Good",
                    "quick_reply": {"payload": "bridge:csat:42:good"}}}]}]}
    (msg,) = channel.parse(body).messages
    assert (msg.text, msg.quick_reply) == ("👍 Good", "bridge:csat:42:good")
    assert InboundMessage.from_json(msg.to_json()) == msg
    plain = {**body["entry"][0]["messaging"][0], "message": {"mid": "m2", "text": "hi"}}
    (other,) = channel.parse({"object": "page", "entry": [{"id": PAGE, "messaging": [plain]}]}
                             ).messages
    assert other.quick_reply is None and "quick_reply" not in other.to_json()
