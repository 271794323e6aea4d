"""Public and private replies to Instagram comments against the Graph emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, WindowClosed
from bridge.social.instagram_comment.adapter import InstagramCommentChannel
from bridge.social.meta_client import CommentRemoved, PrivateReplyUsed
from emulators.graph import Fault, GraphEmulator

PAGE, ACCOUNT, TOKEN = "101234567890123", "17841400000000001", "tok"
TOP, REPLY, AUTHOR = "17890000000000001", "17890000000000002", "1284567890123456"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("instagram_comment", ACCOUNT, TOP)


@pytest.fixture
def channel(emu: GraphEmulator) -> InstagramCommentChannel:
    return InstagramCommentChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", META_PAGE_ID=PAGE,
        INSTAGRAM_ACCOUNT_ID=ACCOUNT, META_PAGE_ACCESS_TOKEN=TOKEN, BRIDGE_HTTP_TIMEOUT=5.0))


def commented(emu: GraphEmulator, ago: timedelta = timedelta(hours=1)) -> datetime:
    emu.state.comments.add(TOP, "instagram", AUTHOR, NOW - ago)
    emu.state.comments.add(REPLY, "instagram", AUTHOR, NOW - ago, parent_id=TOP)
    return NOW - ago


def test_reply_goes_under_the_top_level_comment(emu: GraphEmulator,
                                                channel: InstagramCommentChannel) -> None:
    commented(emu, timedelta(days=30))
    result = channel.send(OutboundMessage(THREAD, "@ana.garcia yes, we ship there 🚚"), None, NOW)
    (sent,) = emu.state.sent
    assert (sent["surface"], sent["comment_id"], sent["text"]) == (
        "instagram_comment", TOP, "@ana.garcia yes, we ship there 🚚")
    assert result.platform_message_ids == (sent["message_id"],) and result.note is None


def test_long_reply_is_split_at_2200_characters(emu: GraphEmulator,
                                                channel: InstagramCommentChannel) -> None:
    text = " ".join(f"Word{i}." for i in range(700))
    assert 4400 < len(text) < 6600
    result = channel.send(OutboundMessage(THREAD, text), None, NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) == 3 and all(len(t) <= 2200 for t in texts)
    assert " ".join(texts) == text
    assert result.note == "split into 3 replies (Instagram allows 2200 characters per comment)"


def test_a_reply_cannot_go_under_a_reply(emu: GraphEmulator,
                                         channel: InstagramCommentChannel) -> None:
    commented(emu)
    wrong = ThreadKey("instagram_comment", ACCOUNT, REPLY)  # a thread id must be top-level
    with pytest.raises(PermanentError, match="top-level"):
        channel.send(OutboundMessage(wrong, "hi"), None, NOW)


def test_removed_comment_is_permanent(emu: GraphEmulator,
                                      channel: InstagramCommentChannel) -> None:
    commented(emu)
    emu.state.comments.remove(TOP)
    with pytest.raises(CommentRemoved, match="removed"):
        channel.send(OutboundMessage(THREAD, "hi"), None, NOW)


def test_private_reply_once_within_7_days(emu: GraphEmulator,
                                          channel: InstagramCommentChannel) -> None:
    at = commented(emu, timedelta(days=2))
    result = channel.send_private_reply(THREAD, REPLY, "Sent you the tracking link", NOW, at)
    (sent,) = emu.state.sent
    assert (sent["surface"], sent["comment_id"], sent["platform"], sent["recipient"]) == (
        "private_reply", REPLY, "instagram", AUTHOR)
    assert result.recipient_id == AUTHOR
    assert result.note == "sent as a private Instagram message to the author of the comment"
    with pytest.raises(PrivateReplyUsed):
        channel.send_private_reply(THREAD, REPLY, "again", NOW, at)


def test_private_reply_rules_checked_before_any_request(
        emu: GraphEmulator, channel: InstagramCommentChannel) -> None:
    at = commented(emu, timedelta(days=7, minutes=1))
    emu.state.add_fault(Fault(path=".", status=500, count=10))
    with pytest.raises(WindowClosed, match=r"within 7 days of the comment; .* 7 days ago"):
        channel.send_private_reply(THREAD, TOP, "hello", NOW, at)
    with pytest.raises(PermanentError, match="at most 1000 bytes on Instagram; this one has 1002"):
        channel.send_private_reply(THREAD, TOP, "ж" * 501, NOW, NOW)
    with pytest.raises(PermanentError, match="no text"):
        channel.send_private_reply(THREAD, TOP, "  ", NOW, NOW)
    assert emu.state.faults[0].count == 10 and emu.state.sent == []
