"""The channel contract: every kind in ``bridge.registry.CHANNELS`` passes the same suite.

Through the real Flask endpoint: the subscription handshake where the platform has one, a
good signature stores, a bad or missing one is 401 and stores nothing. Every fixture of
the kind (../shared/fixtures, read in place, and tests/fixtures) parses into typed
messages or ignore reasons. Against the platform's emulator: a send answered 200 gives the
platform's ids, 4xx is ``PermanentError``, 429 ``TransientError`` with the platform's wait,
5xx and a timeout ``TransientError``; a long reply is split within the platform's limit,
in order. The per-kind differences live in ``channel_drivers.py``; a kind without a
driver fails here, so a new channel cannot skip the contract.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bridge import clock, config, registry
from bridge.domain import InboundMessage, OutboundMessage, ParsedWebhook, SendResult
from bridge.errors import PermanentError, TransientError
from bridge.registry import CHANNELS
from bridge.social import files
from tests.conftest import apply_env, shared_path
from tests.contract.channel_drivers import (
    DRIVERS,
    ChannelDriver,
    Emulators,
    fault,
    handshake,
    numbered_text,
    tokens,
)
from tests.web.conftest import Web, assert_nothing_stored, build_web, inbox_rows
from tests.web.conftest import unused_port as unused_port  # the fixture, for build_web

KINDS = sorted(CHANNELS)


def driver_of(kind: str) -> ChannelDriver:
    if kind not in DRIVERS:
        pytest.fail(f"channel {kind!r} (bridge/registry.py CHANNELS) has no driver in "
                    "tests/contract/channel_drivers.py: every channel passes this contract")
    return DRIVERS[kind]


def fixture_cases() -> list[Any]:
    cases: list[Any] = []
    for kind in KINDS:
        paths = [p for s in DRIVERS[kind].sources for p in s.paths()] if kind in DRIVERS else []
        cases += [pytest.param(kind, p, id=f"{kind}:{p.parent.name}/{p.name}") for p in paths]
        if not paths:
            cases.append(pytest.param(kind, None, id=f"{kind}:(none)"))
    return cases


@pytest.fixture(scope="module")
def emulators() -> Iterator[Emulators]:
    running = Emulators()
    yield running
    running.stop()


@pytest.fixture
def app(env: pytest.MonkeyPatch, sqlite_url: str, unused_port: int) -> Iterator[Web]:
    yield from build_web(env, sqlite_url, unused_port)


def configure(env: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for key, value in values.items():
        env.setenv(key, value)
    config.reset_settings()
    registry.reset()


def test_every_channel_has_a_driver() -> None:
    assert sorted(DRIVERS) == KINDS


# ---- webhooks through the endpoint -------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_handshake(kind: str, app: Web, env: pytest.MonkeyPatch) -> None:
    check = handshake(driver_of(kind))
    if check is None:
        pytest.skip(f"{kind}: the platform has no subscription handshake (Telegram: "
                    "setWebhook is the operator's call; every update carries the secret)")
    configure(env, check.env)
    endpoint = driver_of(kind).endpoint
    response = app.client.get(endpoint, query_string=check.query)
    assert response.status_code == 200
    if isinstance(check.answer, str):
        assert response.get_data(as_text=True) == check.answer
    else:
        assert response.get_json() == check.answer
    assert app.client.get(endpoint, query_string=check.refused_query).status_code == (
        check.refused_status)
    assert_nothing_stored()


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_signature_stores_the_message(kind: str, app: Web,
                                             env: pytest.MonkeyPatch) -> None:
    driver = driver_of(kind)
    configure(env, driver.web_env)
    body = driver.sample_bytes()
    response = app.client.post(driver.endpoint, data=body, content_type="application/json",
                               headers=driver.headers(body, "good"))
    assert response.status_code == 200, response.get_data(as_text=True)
    expected = registry.channel(kind).parse(driver.decode(driver.sample)).messages
    assert expected and {m.thread.channel for m in expected} == {kind}
    assert [(r.channel, r.account_id, r.message_id) for r in inbox_rows()] == [
        (kind, m.thread.account_id, m.message_id) for m in expected]


@pytest.mark.parametrize("how", ["bad", "missing"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_or_missing_signature_is_401_and_stores_nothing(
        kind: str, how: str, app: Web, env: pytest.MonkeyPatch) -> None:
    driver = driver_of(kind)
    configure(env, driver.web_env)
    body = driver.sample_bytes()
    response = app.client.post(driver.endpoint, data=body, content_type="application/json",
                               headers=driver.headers(body, how))
    assert response.status_code == 401
    assert_nothing_stored()


# ---- every fixture parses ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "path"), fixture_cases())
def test_every_fixture_parses(kind: str, path: Path | None, env: pytest.MonkeyPatch) -> None:
    driver = driver_of(kind)
    if path is None:
        shared_path("fixtures")  # skips with a notice when ../shared is absent
        pytest.fail(f"{kind}: no fixture found in {[str(s.folder) for s in driver.sources]}")
    apply_env(env, **{**driver.send_env("http://127.0.0.1:9"), **driver.web_env})
    parsed = registry.channel(kind).parse(driver.decode(path))
    assert isinstance(parsed, ParsedWebhook)
    assert parsed.messages or parsed.ignored, "the fixture says nothing to its channel"
    for message in parsed.messages:
        assert isinstance(message, InboundMessage)
        assert message.thread.channel == kind
        assert message.thread.thread_id and message.message_id
        assert message.sent_at.tzinfo is not None
        assert InboundMessage.from_json(message.to_json()) == message
    assert all(isinstance(reason, str) and reason for reason in parsed.ignored)


def test_every_fixture_file_belongs_to_a_channel() -> None:
    folders = {s.folder for d in DRIVERS.values() for s in d.sources if s.folder.exists()}
    claimed = {p for d in DRIVERS.values() for s in d.sources for p in s.paths()}
    claimed |= {f.folder / name for d in DRIVERS.values() for f in d.sources
                for name in d.handshake_files}
    unclaimed = sorted(str(p) for folder in folders for p in folder.glob("*.json")
                       if p not in claimed)
    assert unclaimed == []


# ---- sends against the emulators -----------------------------------------------------------


def channel_on(kind: str, emulators: Emulators, env: pytest.MonkeyPatch, sqlite_url: str,
               timeout: float = 5.0) -> tuple[ChannelDriver, Any]:
    driver = driver_of(kind)
    emu = emulators.get(driver.emulator)
    apply_env(env, DATABASE_URL=sqlite_url, BRIDGE_HTTP_TIMEOUT=str(timeout),
              **driver.send_env(emu.url))
    return driver, emu


def send(driver: ChannelDriver, emu: Any, text: str) -> SendResult:
    now = clock.now()
    last: datetime = driver.prepare(emu, now)
    return registry.channel(driver.kind).send(OutboundMessage(driver.thread(), text), last, now)


@pytest.mark.parametrize("kind", KINDS)
def test_a_send_answered_200_gives_the_platform_ids(
        kind: str, emulators: Emulators, env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    driver, emu = channel_on(kind, emulators, env, sqlite_url)
    text = "Your order ships today. Grüße 👋"
    result = send(driver, emu, text)
    [(platform_id, sent_text)] = driver.sent(emu)
    assert result.platform_message_ids == (platform_id,)
    assert sent_text == text


FAILURES = {"4xx": (400, PermanentError), "429": (429, TransientError),
            "5xx": (503, TransientError), "timeout": (400, TransientError)}


@pytest.mark.parametrize("case", sorted(FAILURES))
@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_send_maps_to_its_outcome(kind: str, case: str, emulators: Emulators,
                                           env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    """A timeout is a 400 answered after the client gave up: a ``PermanentError`` here
    would mean the client waited for it."""
    status, expected = FAILURES[case]
    timeout = 0.3 if case == "timeout" else 5.0
    driver, emu = channel_on(kind, emulators, env, sqlite_url, timeout)
    fault(emu, driver, status, retry_after=7 if status == 429 else None,
          delay=1.0 if case == "timeout" else None,
          body=driver.bad_request_body() if status == 400 else None)
    with pytest.raises(expected) as raised:
        send(driver, emu, "We are on it.")
    assert type(raised.value) is expected or case == "4xx"  # subclasses name the 4xx cause
    if case == "429":
        assert isinstance(raised.value, TransientError)
        wait = raised.value.retry_after
        assert wait is not None and 0 < wait <= 7
    assert driver.sent(emu) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_reply_is_split_within_the_limit_in_order(
        kind: str, emulators: Emulators, env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    driver, emu = channel_on(kind, emulators, env, sqlite_url)
    text = numbered_text(driver)
    result = send(driver, emu, text)
    sent = driver.sent(emu)
    assert len(sent) >= 3
    assert [driver.measure(part) <= driver.limit for _, part in sent] == [True] * len(sent)
    assert tokens([part for _, part in sent]) == tokens([text])
    assert result.platform_message_ids == tuple(platform_id for platform_id, _ in sent)


AGENT_FILES = ("https://acme.zendesk.com/attachments/token/t1/?name=label.png",
               "https://files.example.com/docs/invoice.pdf")


@pytest.mark.parametrize("kind", KINDS)
def test_an_agents_files_are_sent_or_named_never_dropped(
        kind: str, emulators: Emulators, env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    """Every channel deals with the agent's files itself: each one reaches the platform
    (its link is in a request the emulator accepted) or the delivery note names it."""
    driver, emu = channel_on(kind, emulators, env, sqlite_url)
    channel = registry.channel(kind)
    assert getattr(channel, "sends_attachments", False) is True
    now = clock.now()
    last = driver.prepare(emu, now)
    result = channel.send(OutboundMessage(driver.thread(), "Here are your files.",
                                          attachment_urls=AGENT_FILES), last, now)
    with emu.state.lock:
        accepted = json.dumps(list(emu.state.sent), default=str)
    assert driver.sent(emu)[0][1] == "Here are your files."
    for url in AGENT_FILES:
        name = files.file_name(url)
        sent = url in accepted
        named = result.note is not None and (url in result.note or name in result.note)
        assert sent or named, f"{name} neither sent nor named ({result.note!r})"
    assert len(result.platform_message_ids) >= 1
