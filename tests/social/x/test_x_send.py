"""X replies against the v2 emulator (no network, no sleeps): DMs and reply posts, splits,
and every way X says no or not now. Each request is signed (the emulator checks OAuth 1.0a)
and checked against ../shared/specs/x-api-v2-openapi.json."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bridge import clock
from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import PermanentError, TransientError
from bridge.social.x.adapter import XChannel
from bridge.social.x.client import XClient, is_signed_media
from bridge.social.x.limits import POST_LIMIT, weighted_length
from emulators.x import Fault, XEmulator
from emulators.x import spec as x_spec
from tests.conftest import shared_path

ACCOUNT = "2975699229"
CUSTOMER = "1205290247124217856"
ROOT = "1205348660982083584"
LATEST = "1207623566339919872"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DM = ThreadKey("x", ACCOUNT, f"dm:{CUSTOMER}")
POSTS = ThreadKey("x", ACCOUNT, f"tweet:{ROOT}")
LONG = " ".join(f"Step {i}: unplug the router, wait ten seconds, plug it back in."
                for i in range(12))


@pytest.fixture(scope="module")
def server() -> Iterator[XEmulator]:
    emulator = XEmulator(account_id=ACCOUNT)
    emulator.state.clock = lambda: NOW
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(server: XEmulator) -> Iterator[XEmulator]:
    server.state.reset()
    clock.set_clock(lambda: NOW)  # the bridge reads x-rate-limit-reset on the same clock
    yield server
    clock.set_clock(None)


def settings(emu: XEmulator, **changes: object) -> Settings:
    state = emu.state
    values: dict[str, object] = {
        "X_API_BASE_URL": emu.url, "X_CONSUMER_KEY": state.consumer_key,
        "X_CONSUMER_SECRET": state.consumer_secret, "X_ACCESS_TOKEN": state.access_token,
        "X_ACCESS_TOKEN_SECRET": state.access_token_secret, "X_ACCOUNT_ID": ACCOUNT,
        "BRIDGE_HTTP_TIMEOUT": 5.0, **changes}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def latest() -> dict[ThreadKey, str]:
    """What the inbox says is the customer's newest post, per thread."""
    return {POSTS: LATEST}


@pytest.fixture
def channel(emu: XEmulator, latest: dict[ThreadKey, str]) -> XChannel:
    return XChannel(settings(emu), latest_post=latest.get)


def reply(text: str = "We are on it.", thread: ThreadKey = DM,
          reference: str | None = "social-bridge-delivery-7", **extra: object) -> OutboundMessage:
    return OutboundMessage(thread, text, reference=reference, **extra)  # type: ignore[arg-type]


def assert_valid_against_spec(emu: XEmulator) -> None:
    document = x_spec.load_spec(shared_path("specs", "x-api-v2-openapi.json"))
    assert document is not None
    for record in emu.state.sent:
        template = ("/2/tweets" if record["kind"] == "post"
                    else "/2/dm_conversations/with/{participant_id}/messages")
        schema = x_spec.request_schema(document, template, "post")
        assert x_spec.problems(record["body"], schema, document) == []


# ---- what goes out -------------------------------------------------------------------


def test_dm_conversation_is_answered_by_dm(emu: XEmulator, channel: XChannel) -> None:
    result = channel.send(reply("Hello 👋 — your order ships today."), None, NOW)
    (sent,) = emu.state.sent
    assert sent["kind"] == "dm" and sent["participant_id"] == CUSTOMER
    assert sent["body"] == {"text": "Hello 👋 — your order ships today."}
    assert result.platform_message_ids == (sent["id"],)
    assert result.note is None
    assert_valid_against_spec(emu)


def test_post_conversation_is_answered_under_the_latest_customer_post(
        emu: XEmulator, channel: XChannel) -> None:
    result = channel.send(reply("Sorry to hear that!", thread=POSTS), None, NOW)
    (sent,) = emu.state.posts()
    assert sent["body"] == {"text": "Sorry to hear that!",
                            "reply": {"in_reply_to_tweet_id": LATEST}}
    assert result.platform_message_ids == (sent["id"],)
    assert emu.state.dms() == []
    assert_valid_against_spec(emu)


def test_without_a_known_latest_post_the_reply_goes_under_the_first(
        emu: XEmulator, channel: XChannel, latest: dict[ThreadKey, str]) -> None:
    latest.clear()
    channel.send(reply("Sorry!", thread=POSTS), None, NOW)
    assert emu.state.posts()[0]["in_reply_to"] == ROOT


def test_long_post_reply_is_a_numbered_chain(emu: XEmulator, channel: XChannel) -> None:
    result = channel.send(reply(LONG, thread=POSTS), None, NOW)
    posts = emu.state.posts()
    assert [p["text"].split(" ", 1)[0] for p in posts] == ["1/3", "2/3", "3/3"]
    assert all(weighted_length(p["text"]) <= POST_LIMIT for p in posts)
    assert [p["in_reply_to"] for p in posts] == [LATEST, posts[0]["id"], posts[1]["id"]]
    assert " ".join(p["text"].split(" ", 1)[1] for p in posts) == LONG
    assert result.platform_message_ids == tuple(p["id"] for p in posts)
    assert result.note is not None and "3 numbered reply posts" in result.note
    assert_valid_against_spec(emu)


def test_long_dm_is_split_unnumbered(emu: XEmulator, channel: XChannel) -> None:
    text = ("Please keep the receipt and the box. " * 200 + "\n\n") * 2
    result = channel.send(reply(text), None, NOW)
    dms = emu.state.dms()
    assert len(dms) == 2 and all(len(d["text"]) <= 10_000 for d in dms)
    assert not dms[1]["text"].startswith("2/")
    assert result.note is not None and "2 DMs" in result.note


def test_there_is_no_messaging_window(emu: XEmulator, channel: XChannel) -> None:
    channel.send(reply("one"), None, NOW)
    channel.send(reply("two"), NOW - timedelta(days=400), NOW)
    assert [d["text"] for d in emu.state.dms()] == ["one", "two"]


def test_buttons_become_lines_of_text(emu: XEmulator, channel: XChannel) -> None:
    channel.send(reply("How did we do?", quick_replies=(("Great", "csat:5"), ("Bad", "csat:1"))),
                 None, NOW)
    assert emu.state.dms()[0]["text"] == "How did we do?\n\nGreat\nBad"


def test_attachments_that_cannot_go_are_named_in_the_note(
        emu: XEmulator, channel: XChannel) -> None:
    urls = ("https://acme.zendesk.com/attachments/token/a/?name=label.pdf",
            "https://acme.zendesk.com/attachments/token/b/?name=photo.jpg")
    result = channel.send(reply("Here is the label.", attachment_urls=urls), None, NOW)
    assert emu.state.dms()[0]["body"] == {"text": "Here is the label."}
    assert result.note is not None
    assert "2 attachments not sent" in result.note and all(u in result.note for u in urls)


def test_a_reply_with_only_attachments_is_refused_with_the_reason(
        emu: XEmulator, channel: XChannel) -> None:
    with pytest.raises(PermanentError, match=r"no text.*1 attachment not sent"):
        channel.send(reply("", attachment_urls=("https://x.example/a.png",)), None, NOW)
    assert emu.state.sent == []


@pytest.mark.parametrize("thread", [
    ThreadKey("messenger", ACCOUNT, f"dm:{CUSTOMER}"),
    ThreadKey("x", "999", f"dm:{CUSTOMER}"),
    ThreadKey("x", ACCOUNT, CUSTOMER),
    ThreadKey("x", ACCOUNT, "tweet:abc"),
])
def test_threads_that_are_not_this_accounts_are_refused(
        emu: XEmulator, channel: XChannel, thread: ThreadKey) -> None:
    with pytest.raises(PermanentError):
        channel.send(reply(thread=thread), None, NOW)
    assert emu.state.sent == []


# ---- what X refuses ------------------------------------------------------------------


def test_429_waits_until_the_window_resets(emu: XEmulator, channel: XChannel) -> None:
    emu.state.add_fault(Fault(path="/2/tweets", status=429, retry_after=420))
    with pytest.raises(TransientError) as caught:
        channel.send(reply(thread=POSTS), None, NOW)
    assert caught.value.retry_after == pytest.approx(420, abs=1)
    assert emu.state.sent == []


def test_429_of_the_24_hour_cap_waits_for_that_reset(emu: XEmulator, channel: XChannel) -> None:
    emu.state.add_fault(Fault(path="/2/tweets", status=429, retry_after=5 * 3600, daily=True))
    with pytest.raises(TransientError) as caught:
        channel.send(reply(thread=POSTS), None, NOW)
    assert caught.value.retry_after == pytest.approx(5 * 3600, abs=1)  # not the 15 min window


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(emu: XEmulator, channel: XChannel, status: int) -> None:
    emu.state.add_fault(Fault(path="/2/dm_conversations", status=status))
    with pytest.raises(TransientError, match=f"X {status}"):
        channel.send(reply(), None, NOW)


def test_timeout_is_transient(emu: XEmulator) -> None:
    channel = XChannel(settings(emu, BRIDGE_HTTP_TIMEOUT=0.3), latest_post=lambda t: None)
    emu.state.add_fault(Fault(path="/2/dm_conversations", delay=1.0))
    with pytest.raises(TransientError, match="unreachable"):
        channel.send(reply(), None, NOW)


def test_refused_credentials_are_permanent_and_say_which_settings(emu: XEmulator) -> None:
    channel = XChannel(settings(emu, X_ACCESS_TOKEN_SECRET="revoked"), latest_post=lambda t: None)
    with pytest.raises(PermanentError, match=r"X_ACCESS_TOKEN_SECRET.*401"):
        channel.send(reply(), None, NOW)
    assert emu.state.sent == []


def test_missing_credentials_fail_before_any_request(emu: XEmulator) -> None:
    channel = XChannel(settings(emu, X_CONSUMER_KEY=""), latest_post=lambda t: None)
    with pytest.raises(PermanentError, match="not configured"):
        channel.send(reply(), None, NOW)


def test_duplicate_post_is_refused_in_xs_words(emu: XEmulator, channel: XChannel) -> None:
    channel.send(reply("Thanks!", thread=POSTS, reference="d-1"), None, NOW)
    with pytest.raises(PermanentError, match=r"403.*duplicate content"):
        channel.send(reply("Thanks!", thread=POSTS, reference="d-2"), None, NOW)


def test_reply_to_a_deleted_post_is_refused(emu: XEmulator, channel: XChannel) -> None:
    emu.state.deleted.add(LATEST)
    with pytest.raises(PermanentError, match="deleted or not visible"):
        channel.send(reply(thread=POSTS), None, NOW)


def test_customer_who_refuses_dms_is_a_permanent_refusal(
        emu: XEmulator, channel: XChannel) -> None:
    emu.state.dm_refusing.add(CUSTOMER)
    with pytest.raises(PermanentError, match="cannot send messages to this user"):
        channel.send(reply(), None, NOW)


def test_a_chain_cut_by_a_rate_limit_resumes_where_it_stopped(
        emu: XEmulator, channel: XChannel) -> None:
    # The second post is refused: the retry must not repeat the first (X would refuse it
    # as a duplicate) and must chain the rest under it.
    emu.state.add_fault(Fault(path="/2/tweets", status=429, retry_after=60, skip=1))
    first = None
    with pytest.raises(TransientError, match="1 of 3 parts sent") as caught:
        first = channel.send(reply(LONG, thread=POSTS), None, NOW)
    assert first is None and caught.value.retry_after == pytest.approx(60, abs=1)
    result = channel.send(reply(LONG, thread=POSTS), None, NOW)
    posts = emu.state.posts()
    assert [p["text"][:4] for p in posts] == ["1/3 ", "2/3 ", "3/3 "]
    assert [p["in_reply_to"] for p in posts] == [LATEST, posts[0]["id"], posts[1]["id"]]
    assert result.platform_message_ids == tuple(p["id"] for p in posts)


# ---- media of DMs ------------------------------------------------------------------------


def test_dm_media_is_downloaded_with_a_signed_request(emu: XEmulator) -> None:
    emu.state.media["1209117874389843969/photo.jpg"] = ("image/jpeg", b"\xff\xd8jpeg")
    state = emu.state
    client = XClient(emu.url, state.consumer_key, state.consumer_secret, state.access_token,
                     state.access_token_secret, 5)
    url = f"{emu.url}/1.1/ton/data/dm/1209117874389843969/photo.jpg"
    assert client.download(url) == ("image/jpeg", b"\xff\xd8jpeg")
    unsigned = XClient(emu.url, state.consumer_key, "wrong", state.access_token,
                       state.access_token_secret, 5)
    assert unsigned.download(url) is None
    assert client.download(url.replace("photo", "gone")) is None


@pytest.mark.parametrize(("url", "signed"), [
    ("https://ton.twitter.com/1.1/ton/data/dm/1/2/abc.jpg", True),
    ("https://ton.x.com/i/ton/data/dm/1/2/abc.jpg", True),
    ("https://pbs.twimg.com/media/abc.jpg", False),
    ("https://video.twimg.com/dm_gif/1/abc.mp4", False),
])
def test_which_media_needs_a_signature(url: str, signed: bool) -> None:
    assert is_signed_media(url) is signed


def test_numbers_leave_room_in_every_post(emu: XEmulator, channel: XChannel) -> None:
    text = " ".join(f"word{i}" for i in range(700))
    channel.send(reply(text, thread=POSTS), None, NOW)
    posts = emu.state.posts()
    assert len(posts) >= 10
    assert all(re.match(rf"{i}/{len(posts)} ", p["text"]) for i, p in enumerate(posts, 1))
