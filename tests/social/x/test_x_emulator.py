"""The X emulator itself: it must refuse what X refuses, answer in X's shapes (checked
against the OpenAPI document's response schemas) and inject faults as told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from emulators.x import XEmulator
from emulators.x import spec as x_spec
from tests.conftest import shared_path
from tests.social.serving import running

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DMS = "/2/dm_conversations/with/{participant_id}/messages"


@pytest.fixture(scope="module")
def server() -> Iterator[XEmulator]:
    yield from running(XEmulator(), NOW)


@pytest.fixture
def emu(server: XEmulator) -> XEmulator:
    server.state.reset()
    return server


def auth(emu: XEmulator, secret: str | None = None) -> OAuth1:
    state = emu.state
    return OAuth1(state.consumer_key, secret or state.consumer_secret, state.access_token,
                  state.access_token_secret)


def post(emu: XEmulator, path: str, body: Any, signed: bool = True) -> requests.Response:
    return requests.post(emu.url + path, json=body, auth=auth(emu) if signed else None,
                         timeout=5)


def document() -> dict[str, Any]:
    loaded = x_spec.load_spec(shared_path("specs", "x-api-v2-openapi.json"))
    assert loaded is not None
    return loaded


def test_answers_match_the_documented_response_schemas(emu: XEmulator) -> None:
    spec = document()
    created = post(emu, "/2/tweets", {"text": "hi", "reply": {"in_reply_to_tweet_id": "1"}})
    dm = post(emu, "/2/dm_conversations/with/1205290247124217856/messages", {"text": "hi"})
    assert (created.status_code, dm.status_code) == (201, 201)
    for answer, template in ((created, "/2/tweets"), (dm, DMS)):
        schema = x_spec.response_schema(spec, template, "post", "201")
        assert x_spec.problems(answer.json(), schema, spec) == []
    assert dm.json()["data"]["dm_conversation_id"] == "2975699229-1205290247124217856"


@pytest.mark.parametrize(("path", "body"), [
    ("/2/tweets", {"text": "hi", "in_reply_to": "1"}),  # not a field of CreatePostsRequest
    ("/2/tweets", {"text": "hi", "reply": {"in_reply_to_tweet_id": "abc"}}),
    ("/2/tweets", {"text": "hi", "reply": {}}),
    ("/2/tweets", {"text": 5}),
    ("/2/dm_conversations/with/1205290247124217856/messages", {}),
    ("/2/dm_conversations/with/1205290247124217856/messages", {"text": ""}),
    ("/2/dm_conversations/with/@pennbrooke1/messages", {"text": "hi"}),
    ("/2/tweets", ["not", "an", "object"]),
])
def test_requests_the_spec_does_not_allow_are_400(
        emu: XEmulator, path: str, body: Any) -> None:
    answer = post(emu, path, body)
    assert answer.status_code == 400
    assert answer.json()["title"] == "Invalid Request"
    assert emu.state.sent == []


def test_unsigned_or_wrongly_signed_requests_are_401(emu: XEmulator) -> None:
    assert post(emu, "/2/tweets", {"text": "hi"}, signed=False).status_code == 401
    wrong = requests.post(emu.url + "/2/tweets", json={"text": "hi"},
                          auth=auth(emu, secret="other"), timeout=5)
    assert wrong.status_code == 401 and "oauth_signature" in wrong.json()["detail"]
    assert emu.state.sent == []


def test_length_limits(emu: XEmulator) -> None:
    assert post(emu, "/2/tweets", {"text": "日" * 141}).status_code == 403  # 282 weighted
    assert post(emu, "/2/tweets", {"text": "日" * 140}).status_code == 201
    path = "/2/dm_conversations/with/1/messages"
    assert post(emu, path, {"text": "a" * 10_001}).status_code == 400
    assert post(emu, path, {"text": "a" * 10_000}).status_code == 201


def test_rate_limit_fault_carries_xs_headers(emu: XEmulator) -> None:
    control = requests.post(emu.url + "/_emulator/faults", json={
        "path": "^/2/tweets$", "status": 429, "retry_after": 3600, "daily": True, "skip": 1},
        timeout=5)
    assert control.status_code == 201
    assert post(emu, "/2/tweets", {"text": "first"}).status_code == 201  # skipped
    limited = post(emu, "/2/tweets", {"text": "second"})
    assert limited.status_code == 429
    headers = limited.headers
    assert headers["x-user-limit-24hour-remaining"] == "0"
    assert int(headers["x-user-limit-24hour-reset"]) == int(NOW.timestamp()) + 3600
    assert int(headers["x-rate-limit-reset"]) == int(NOW.timestamp()) + 900
    assert post(emu, "/2/tweets", {"text": "third"}).status_code == 201  # used up


def test_sent_log_and_reset(emu: XEmulator) -> None:
    post(emu, "/2/tweets", {"text": "hello"})
    sent = requests.get(emu.url + "/_emulator/sent", timeout=5).json()["sent"]
    assert [(s["kind"], s["text"]) for s in sent] == [("post", "hello")]
    requests.post(emu.url + "/_emulator/reset", timeout=5)
    assert emu.state.sent == []


def test_without_the_spec_bodies_are_not_checked() -> None:
    emulator = XEmulator(spec_path=None)
    emulator.start()
    try:
        answer = post(emulator, "/2/tweets", {"text": "hi", "unknown": True})
        assert answer.status_code == 201
    finally:
        emulator.stop()
