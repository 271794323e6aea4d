"""Public and private replies to page comments against the Graph emulator (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.social.facebook_comment.adapter import FacebookCommentChannel
from bridge.social.meta_client import CommentRemoved, PrivateReplyUsed
from emulators.graph import Fault, GraphEmulator

PAGE, TOKEN = "101234567890123", "page-token"
TOP, AUTHOR = "512345678901234_987654321098765", "7281234567890123"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("facebook_comment", PAGE, TOP)


def make_channel(emu: GraphEmulator, token: str = TOKEN) -> FacebookCommentChannel:
    return FacebookCommentChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", META_PAGE_ID=PAGE,
        META_PAGE_ACCESS_TOKEN=token, BRIDGE_HTTP_TIMEOUT=5.0))


@pytest.fixture
def channel(emu: GraphEmulator) -> FacebookCommentChannel:
    return make_channel(emu)


def commented(emu: GraphEmulator, ago: timedelta = timedelta(hours=1)) -> datetime:
    emu.state.comments.add(TOP, "facebook", AUTHOR, NOW - ago)
    return NOW - ago


def reply(text: str = "Hi Ana, your order ships today.",
          quick_replies: tuple[tuple[str, str], ...] = (),
          attachment_urls: tuple[str, ...] = ()) -> OutboundMessage:
    return OutboundMessage(THREAD, text, quick_replies=quick_replies,
                           attachment_urls=attachment_urls)


# ---- public replies ------------------------------------------------------------------


def test_reply_goes_under_the_top_level_comment_at_any_age(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    commented(emu, timedelta(days=40))  # comments have no messaging window
    result = channel.send(reply(), None, NOW)
    (sent,) = emu.state.sent
    assert (sent["surface"], sent["comment_id"], sent["text"]) == (
        "facebook_comment", TOP, "Hi Ana, your order ships today.")
    assert result.platform_message_ids == (sent["message_id"],)
    assert result.note is None


def test_long_reply_is_split_into_replies_of_8000_characters(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    paragraph = "Step {} of the refund: we check the parcel, then the bank is told. "
    text = "".join(paragraph.format(i) for i in range(250)).strip()
    assert 16000 < len(text) < 24000
    result = channel.send(reply(text), None, NOW)
    texts = [s["text"] for s in emu.state.sent]
    assert len(texts) == 3 and all(len(t) <= 8000 for t in texts)
    assert " ".join(texts) == text
    assert {s["comment_id"] for s in emu.state.sent} == {TOP}
    assert result.platform_message_ids == tuple(s["message_id"] for s in emu.state.sent)
    assert result.note == "split into 3 replies (Facebook allows 8000 characters per comment)"


def test_quick_replies_become_lines_and_files_a_note(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    message = reply("How did we do?", quick_replies=(("Great", "csat:5"), ("Bad", "csat:1")),
                    attachment_urls=("https://acme.zendesk.com/attachments/token/x/?name=a.pdf",))
    result = channel.send(message, None, NOW)
    assert [s["text"] for s in emu.state.sent] == ["How did we do?\n\nGreat\nBad"]
    assert result.note is not None and "1 attachment(s) not sent" in result.note


def test_removed_comment_is_a_permanent_error_with_a_reason(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    commented(emu)
    emu.state.comments.remove(TOP)
    with pytest.raises(CommentRemoved, match=r"comment was removed.*code 100, subcode 33"):
        channel.send(reply(), None, NOW)
    assert emu.state.sent == []


def test_rate_limit_and_server_errors_are_transient(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    emu.state.add_fault(Fault(path="/comments$", status=429, retry_after=9))
    with pytest.raises(TransientError) as caught:
        channel.send(reply(), None, NOW)
    assert caught.value.retry_after == 9.0
    emu.state.add_fault(Fault(path="/comments$", status=503))
    with pytest.raises(TransientError, match="503"):
        channel.send(reply(), None, NOW)
    channel.send(reply(), None, NOW)
    assert len(emu.state.sent) == 1


def test_refused_token_and_foreign_threads_are_permanent(emu: GraphEmulator) -> None:
    with pytest.raises(PermanentError, match="code 190"):
        make_channel(emu, token="expired").send(reply(), None, NOW)
    other = OutboundMessage(ThreadKey("messenger", PAGE, AUTHOR), "hi")
    with pytest.raises(PermanentError, match="not a facebook_comment thread"):
        make_channel(emu).send(other, None, NOW)


# ---- private replies -------------------------------------------------------------------


def test_private_reply_reaches_the_author_once(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    at = commented(emu, timedelta(days=6))
    result = channel.send_private_reply(THREAD, TOP, "Let's continue in private", NOW, at)
    (sent,) = emu.state.sent
    assert (sent["surface"], sent["comment_id"], sent["recipient"], sent["text"]) == (
        "private_reply", TOP, AUTHOR, "Let's continue in private")
    assert result.recipient_id == AUTHOR
    assert result.platform_message_ids == (sent["message_id"],)
    with pytest.raises(PrivateReplyUsed, match="already had its private reply"):
        channel.send_private_reply(THREAD, TOP, "And again", NOW, at)
    assert len(emu.state.sent) == 1


def test_private_reply_after_7_days_is_refused_without_a_request(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    at = commented(emu, timedelta(days=8))
    emu.state.add_fault(Fault(path=".", status=500, count=10))
    with pytest.raises(WindowClosed, match=r"within 7 days.*8 days ago"):
        channel.send_private_reply(THREAD, TOP, "hello", NOW, at)
    assert emu.state.faults[0].count == 10 and emu.state.sent == []


def test_graph_refuses_a_private_reply_our_clock_allowed(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    commented(emu, timedelta(days=8))  # Meta knows the comment's real time
    with pytest.raises(WindowClosed, match="2018278"):
        channel.send_private_reply(THREAD, TOP, "hello", NOW, NOW - timedelta(days=1))


def test_private_reply_that_does_not_fit_one_message_is_refused(
        emu: GraphEmulator, channel: FacebookCommentChannel) -> None:
    at = commented(emu)
    with pytest.raises(PermanentError, match="at most 2000 characters on Facebook"):
        channel.send_private_reply(THREAD, TOP, "x" * 2001, NOW, at)
    emu.state.comments.remove(TOP)
    with pytest.raises(CommentRemoved):
        channel.send_private_reply(THREAD, TOP, "hello", NOW, at)
    assert emu.state.sent == []


# ---- the emulator's own rules ----------------------------------------------------------


def test_emulator_comment_controls_and_validation(emu: GraphEmulator) -> None:
    base, auth = emu.url, {"Authorization": f"Bearer {TOKEN}"}
    created = (NOW - timedelta(days=2)).isoformat()
    answer = requests.post(f"{base}/_emulator/comments", timeout=5, json={
        "id": "c1", "platform": "facebook", "from": "u1", "created_time": created})
    assert answer.status_code == 201
    assert requests.post(f"{base}/_emulator/comments", json={"platform": "x"},
                         timeout=5).status_code == 400
    empty = requests.post(f"{base}/v23.0/c1/comments", json={}, headers=auth, timeout=5)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == 100
    too_long = requests.post(f"{base}/v23.0/c1/comments", json={"message": "x" * 8001},
                             headers=auth, timeout=5)
    assert "8000" in too_long.json()["error"]["message"]
    wrong_edge = requests.post(f"{base}/v23.0/c1/replies", json={"message": "x"},
                               headers=auth, timeout=5)  # an Instagram edge
    assert wrong_edge.json()["error"]["error_subcode"] == 33
    form = requests.post(f"{base}/v23.0/c1/comments", data={"message": "as a form"},
                         params={"access_token": TOKEN}, timeout=5)
    assert form.status_code == 200 and form.json()["id"]
    assert requests.post(f"{base}/_emulator/comments/c1/remove", timeout=5).ok
    gone = requests.post(f"{base}/v23.0/c1/comments", json={"message": "x"}, headers=auth,
                         timeout=5)
    assert gone.json()["error"]["error_subcode"] == 33
    sent = requests.get(f"{base}/_emulator/sent", timeout=5).json()["sent"]
    assert [(s["surface"], s["text"]) for s in sent] == [("facebook_comment", "as a form")]
