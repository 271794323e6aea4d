"""``/webhooks/x``: the CRC answer, the signature over the raw bytes, answers, what is stored.

Every capture of ../shared/fixtures/x_twitter and every fixture written from X's
documentation goes through the real endpoint (SQLite and PostgreSQL), signed as X signs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import TestResponse

from bridge import config, registry
from tests.conftest import SHARED, shared_path
from tests.web.conftest import Web, assert_nothing_stored, inbox_rows

SECRET = "x-consumer-secret"
ACCOUNT = "2975699229"
OWN_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x"


def shared_names() -> list[str]:
    path = SHARED / "fixtures" / "x_twitter"
    return sorted(p.name for p in path.glob("*.json")) if path.exists() else ["(absent)"]


def own_names() -> list[str]:
    return sorted(p.name for p in OWN_FIXTURES.glob("*.json") if not p.name.startswith("crc"))


def configure(web: Web, monkeypatch: pytest.MonkeyPatch, secret: str = SECRET) -> Web:
    monkeypatch.setenv("X_CONSUMER_SECRET", secret)
    monkeypatch.setenv("X_API_BASE_URL", web.vendor_url)  # a call would reach nothing
    config.reset_settings()
    registry.reset()
    return web


@pytest.fixture
def x_web(web: Web, monkeypatch: pytest.MonkeyPatch) -> Web:
    return configure(web, monkeypatch)


@pytest.fixture
def sqlite_x_web(sqlite_web: Web, monkeypatch: pytest.MonkeyPatch) -> Web:
    return configure(sqlite_web, monkeypatch)


def x_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + base64.b64encode(
        hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post_x(web: Web, body: bytes, signature: str | None = "sign") -> TestResponse:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["x-twitter-webhooks-signature"] = x_signature(body)
    elif signature is not None:
        headers["x-twitter-webhooks-signature"] = signature
    return web.client.post("/webhooks/x", data=body, headers=headers)


def mention(text: str = "@ScruffyMcG help", tweet_id: str = "1205348660982083584") -> bytes:
    tweet: dict[str, Any] = {"id_str": tweet_id, "text": text, "timestamp_ms": "1576212489730",
                             "user": {"id_str": "1205290247124217856", "name": "pennbrooke",
                                      "screen_name": "pennbrooke1"}}
    return json.dumps({"for_user_id": ACCOUNT, "tweet_create_events": [tweet]},
                      ensure_ascii=False).encode()


# ---- CRC -------------------------------------------------------------------------------


def test_crc_is_answered_exactly_as_documented(
        x_web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    request = json.loads((OWN_FIXTURES / "crc_request.json").read_text())
    expected = json.loads((OWN_FIXTURES / "crc_response.json").read_text())
    configure(x_web, monkeypatch, secret=request["consumer_secret"])
    response = x_web.client.get("/webhooks/x", query_string=request["query"])
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == expected
    assert_nothing_stored()


def test_crc_without_a_token_is_400(sqlite_x_web: Web) -> None:
    assert sqlite_x_web.client.get("/webhooks/x").status_code == 400


def test_crc_without_a_configured_secret_is_403(
        sqlite_x_web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_CONSUMER_SECRET")
    config.reset_settings()
    response = sqlite_x_web.client.get("/webhooks/x", query_string={"crc_token": "abc"})
    assert response.status_code == 403
    assert "X_CONSUMER_SECRET" in response.get_json()["reason"]


# ---- events ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", shared_names())
def test_every_capture_through_the_endpoint(x_web: Web, name: str) -> None:
    raw = shared_path("fixtures", "x_twitter", name).read_bytes()
    parsed = registry.channel("x").parse(json.loads(raw))
    response = post_x(x_web, raw)
    assert response.status_code == 200
    assert response.get_json()["ignored"] == len(parsed.ignored)
    stored = [(r.channel, r.account_id, r.thread_id, r.message_id) for r in inbox_rows()]
    assert stored == [("x", m.thread.account_id, m.thread.thread_id, m.message_id)
                      for m in parsed.messages]
    assert x_web.batched_ids == [r.id for r in inbox_rows()]


@pytest.mark.parametrize("name", own_names())
def test_every_documented_kind_through_the_endpoint(sqlite_x_web: Web, name: str) -> None:
    raw = (OWN_FIXTURES / name).read_bytes()
    parsed = registry.channel("x").parse(json.loads(raw))
    assert post_x(sqlite_x_web, raw).status_code == 200
    assert [r.message_id for r in inbox_rows()] == [m.message_id for m in parsed.messages]


def test_a_mention_is_stored_once_however_often_x_retries(x_web: Web) -> None:
    body = mention("@ScruffyMcG Привет 👋 my order is late")
    for _ in range(3):
        assert post_x(x_web, body).status_code == 200
    (row,) = inbox_rows()
    assert (row.thread_id, row.message_id) == ("tweet:1205348660982083584",
                                               "1205348660982083584")
    assert json.loads(row.payload)["text"] == "@ScruffyMcG Привет 👋 my order is late"


@pytest.mark.parametrize("signature", [None, "", "sha256=", "sha256=AAAA", "wrong"])
def test_missing_or_bad_signature_is_401_and_stores_nothing(
        x_web: Web, signature: str | None) -> None:
    response = post_x(x_web, mention(), signature)
    assert response.status_code == 401
    assert response.get_json()["status"] == "unauthorized"
    assert_nothing_stored()


def test_signature_with_another_secret_is_401(sqlite_x_web: Web) -> None:
    body = mention()
    assert post_x(sqlite_x_web, body, x_signature(body, "not-ours")).status_code == 401
    assert_nothing_stored()


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", b'{"for_user_id": "1", "tweet_create_events": "nope"}',
    b'{"tweet_create_events": [{"id_str": "1", "text": "x", "user": {"id_str": "2"}}]}',
])
def test_malformed_body_is_400_and_stores_nothing(x_web: Web, body: bytes) -> None:
    response = post_x(x_web, body)
    assert response.status_code == 400
    assert response.get_json()["reason"]
    assert_nothing_stored()


def test_body_over_one_megabyte_is_413(sqlite_x_web: Web) -> None:
    body = mention("x" * (1024 * 1024))
    response = post_x(sqlite_x_web, body)
    assert response.status_code == 413
    assert response.is_json
    assert_nothing_stored()


def test_ignored_kinds_are_200_and_store_nothing(sqlite_x_web: Web) -> None:
    body = json.dumps({"for_user_id": ACCOUNT, "favorite_events": [{"id": "1"}],
                       "something_new_events": [{}]}).encode()
    response = post_x(sqlite_x_web, body)
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted", "messages": 0, "ignored": 2}
    assert_nothing_stored()
