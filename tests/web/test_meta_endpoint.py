"""``/webhooks/meta``: handshake, signature over the raw bytes, answers, what is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge import config
from bridge.clock import from_epoch_ms
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.models import InboxMessage
from tests.web.conftest import (
    PAGE,
    PSID,
    VERIFY_TOKEN,
    Web,
    assert_nothing_stored,
    count_rows,
    inbox_rows,
    meta_signature,
    post_meta,
)

SENT_MS = 1_767_225_600_123  # 2026-01-01T00:00:00.123Z


def text_item(text: str, mid: str = "m.1", psid: str = PSID) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": SENT_MS,
            "message": {"mid": mid, "text": text}}


def page_body(*items: dict[str, Any], page: str = PAGE) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": page, "time": SENT_MS, "messaging": list(items)}]}


def as_meta_sends(payload: dict[str, Any]) -> bytes:
    """Meta's own serialisation: non-ASCII as ``\\uXXXX`` escapes, ``/`` as ``\\/``."""
    return json.dumps(payload, ensure_ascii=True).replace("/", "\\/").encode("ascii")


# ---- subscription handshake ------------------------------------------------------------


def handshake(web: Web, **params: str) -> Any:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
             "hub.challenge": "1158201444", **params}
    return web.client.get("/webhooks/meta", query_string=query)


def test_handshake_answers_the_challenge_as_plain_text(sqlite_web: Web) -> None:
    response = handshake(sqlite_web)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data() == b"1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.verify_token": "not-the-token"},
        {"hub.verify_token": ""},
        {"hub.mode": "unsubscribe"},
        {"hub.mode": ""},
    ],
    ids=["wrong-token", "empty-token", "wrong-mode", "empty-mode"],
)
def test_handshake_refused(sqlite_web: Web, params: dict[str, str]) -> None:
    response = handshake(sqlite_web, **params)
    assert response.status_code == 403
    assert response.get_json()["status"] == "forbidden"
    assert b"1158201444" not in response.get_data()


def test_handshake_without_configured_token_is_refused(
    sqlite_web: Web, env: pytest.MonkeyPatch
) -> None:
    env.delenv("META_VERIFY_TOKEN")
    config.reset_settings()
    for token in ("", VERIFY_TOKEN):  # an empty token must not match an unset one
        response = handshake(sqlite_web, **{"hub.verify_token": token})
        assert response.status_code == 403
        assert "META_VERIFY_TOKEN" in response.get_json()["reason"]


# ---- signature -------------------------------------------------------------------------


def test_signature_with_the_wrong_secret_is_401_and_stores_nothing(web: Web) -> None:
    body = as_meta_sends(page_body(text_item("hello")))
    response = post_meta(web.client, body, secret="someone-else")
    assert response.status_code == 401
    assert response.get_json()["status"] == "unauthorized"
    assert_nothing_stored()
    assert web.batched_ids == []


BODY = as_meta_sends(page_body(text_item("hello")))
GOOD = meta_signature(BODY)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        GOOD.removeprefix("sha256="),  # no scheme
        "sha1=" + GOOD.removeprefix("sha256=")[:40],
        "md5=" + GOOD.removeprefix("sha256="),
        GOOD[:-1],  # 63 hex digits
        GOOD + "0",  # 65 hex digits
        "sha256=" + "g" * 64,  # right length, not hex
        "sha256=" + "0" * 64,  # well formed, wrong
        meta_signature(BODY + b" "),  # signs other bytes
    ],
    ids=["missing", "empty", "no-scheme", "sha1", "md5", "short", "long", "not-hex",
         "zeros", "other-bytes"],
)
def test_bad_missing_or_malformed_signature_is_401(sqlite_web: Web, header: str | None) -> None:
    headers = {} if header is None else {"X-Hub-Signature-256": header}
    response = sqlite_web.client.post("/webhooks/meta", data=BODY, headers=headers,
                                      content_type="application/json")
    assert response.status_code == 401
    assert response.get_json()["status"] == "unauthorized"
    assert response.get_json()["reason"]
    assert_nothing_stored()
    assert sqlite_web.batched_ids == []


def test_unsigned_garbage_is_401_not_400(sqlite_web: Web) -> None:
    response = sqlite_web.client.post("/webhooks/meta", data=b"\x00\xff{not json",
                                      content_type="application/json")
    assert response.status_code == 401
    assert_nothing_stored()


def test_signature_is_verified_over_the_raw_bytes(web: Web) -> None:
    text = "Grüße aus Köln, ä/ö/ü 👋"
    payload = page_body(text_item(text))
    raw = as_meta_sends(payload)
    assert b"\\u00e4" in raw and b"\\/" in raw and b"\\ud83d\\udc4b" in raw
    reserialised = [
        json.dumps(json.loads(raw), ensure_ascii=False).encode(),  # unescaped UTF-8
        json.dumps(json.loads(raw)).encode(),  # escapes kept, "/" unescaped
        json.dumps(json.loads(raw), separators=(",", ":")).encode(),  # compact
    ]
    for other in reserialised:
        assert other != raw
        response = web.client.post("/webhooks/meta", data=raw, content_type="application/json",
                                   headers={"X-Hub-Signature-256": meta_signature(other)})
        assert response.status_code == 401
    assert_nothing_stored()
    response = post_meta(web.client, raw)  # the exact bytes received
    assert response.status_code == 200
    (row,) = inbox_rows()
    assert InboundMessage.from_json(row.payload).text == text


# ---- malformed and oversized bodies ----------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b"{\"object\": \"page\",", b"\xff\xfe", b""],
                         ids=["text", "truncated", "not-utf8", "empty"])
def test_signed_non_json_is_400_with_a_reason(sqlite_web: Web, body: bytes) -> None:
    response = post_meta(sqlite_web.client, body)
    assert response.status_code == 400
    assert response.get_json() == {"status": "bad_request", "reason": "body is not valid JSON"}
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[]", "not a JSON object"),
        (b"\"page\"", "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"{\"object\": \"page\"}", "no 'entry' list"),
        (b"{\"object\": \"page\", \"entry\": {}}", "no 'entry' list"),
        (b"{\"entry\": []}", "no 'object' name"),
        (b"{\"object\": \"page\", \"entry\": [{\"messaging\": []}]}", "entry.0.id"),
    ],
    ids=["list", "string", "null", "no-entry", "entry-object", "no-object", "entry-no-id"],
)
def test_signed_json_of_the_wrong_shape_is_400(sqlite_web: Web, body: bytes, reason: str) -> None:
    response = post_meta(sqlite_web.client, body)
    assert response.status_code == 400
    assert response.get_json()["status"] == "bad_request"
    assert reason in response.get_json()["reason"]
    assert_nothing_stored()


def test_body_over_one_megabyte_is_413_as_json(web: Web) -> None:
    payload = page_body(text_item("x" * (1024 * 1024)))
    body = as_meta_sends(payload)
    assert len(body) > 1024 * 1024
    response = post_meta(web.client, body)
    assert response.status_code == 413
    assert response.is_json
    assert response.get_json()["status"] == "error" and response.get_json()["reason"]
    assert_nothing_stored()
    assert web.batched_ids == []


def test_body_of_exactly_one_megabyte_is_accepted(sqlite_web: Web) -> None:
    body = as_meta_sends(page_body(text_item("fits")))
    body += b" " * (1024 * 1024 - len(body))  # JSON allows trailing whitespace
    assert len(body) == 1024 * 1024
    assert post_meta(sqlite_web.client, body).status_code == 200
    assert count_rows(InboxMessage) == 1


# ---- objects we do not handle ----------------------------------------------------------


@pytest.mark.parametrize("obj", ["user", "permissions"])
def test_objects_we_do_not_handle_are_200_ignored(sqlite_web: Web, obj: str) -> None:
    payload = {"object": obj, "entry": page_body(text_item("hello"))["entry"]}
    response = post_meta(sqlite_web.client, as_meta_sends(payload))
    assert response.status_code == 200
    assert response.get_json() == {"status": "ignored", "reason": "object not handled"}
    assert_nothing_stored()
    assert sqlite_web.batched_ids == []


# ---- messages stored -------------------------------------------------------------------


NON_LATIN = {
    "arabic": "مرحبا، أحتاج إلى مساعدة في طلبي رقم ١٢٣",
    "armenian": "Բարեւ, ինձ օգնություն է պետք",
    "thai": "สวัสดีครับ ต้องการความช่วยเหลือ",
    "persian": "سلام، سفارش من کجاست؟ ‌می‌خواهم",
    "hebrew": "שלום, אני צריך עזרה",
    "emoji": "Thanks 👍🏽 👨‍👩‍👧 🇦🇲 e\u0301 \u200f",
}


@pytest.mark.parametrize("text", NON_LATIN.values(), ids=NON_LATIN.keys())
def test_text_message_is_stored_byte_for_byte(web: Web, text: str) -> None:
    response = post_meta(web.client, as_meta_sends(page_body(text_item(text, mid="m.abc"))))
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted", "messages": 1, "ignored": 0}
    (row,) = inbox_rows()
    assert (row.channel, row.account_id, row.message_id, row.thread_id) == (
        "messenger", PAGE, "m.abc", PSID)
    assert (row.state, row.conversation_id, row.attempts) == ("pending", None, 0)
    assert row.sent_at == from_epoch_ms(SENT_MS)
    stored = InboundMessage.from_json(row.payload)
    assert stored == InboundMessage(ThreadKey("messenger", PAGE, PSID), "m.abc", Sender(PSID),
                                    from_epoch_ms(SENT_MS), text)
    assert stored.text.encode("utf-8") == text.encode("utf-8")
    assert stored.to_json() == row.payload  # the stored payload round-trips exactly
    assert web.batched == [[row.id]]


def test_same_body_twice_stores_one_row_and_hands_it_on_once(web: Web) -> None:
    body = as_meta_sends(page_body(text_item("hello twice")))
    first, second = post_meta(web.client, body), post_meta(web.client, body)
    assert first.status_code == second.status_code == 200
    (row,) = inbox_rows()
    assert web.batched_ids == [row.id]


def test_two_messages_in_two_entries_are_two_rows(web: Web) -> None:
    payload = page_body(text_item("first", mid="m.1"))
    payload["entry"] += page_body(text_item("second", mid="m.2", psid="9999"))["entry"]
    response = post_meta(web.client, as_meta_sends(payload))
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted", "messages": 2, "ignored": 0}
    rows = inbox_rows()
    assert [(r.message_id, r.thread_id, InboundMessage.from_json(r.payload).text)
            for r in rows] == [("m.1", PSID, "first"), ("m.2", "9999", "second")]
    assert sorted(web.batched_ids) == [r.id for r in rows]


def test_a_body_mixing_new_and_known_messages_stores_only_the_new(web: Web) -> None:
    post_meta(web.client, as_meta_sends(page_body(text_item("first", mid="m.1"))))
    both = page_body(text_item("first", mid="m.1"), text_item("second", mid="m.2"))
    assert post_meta(web.client, as_meta_sends(both)).status_code == 200
    rows = inbox_rows()
    assert [r.message_id for r in rows] == ["m.1", "m.2"]
    assert web.batched == [[rows[0].id], [rows[1].id]]


def test_text_with_a_lone_surrogate_is_not_a_server_error(web: Web) -> None:
    body = as_meta_sends(page_body(text_item("x")))
    body = body.replace(b'"text": "x"', b'"text": "cut emoji \\ud83d"')
    response = post_meta(web.client, body)
    assert response.status_code in (200, 400), response.get_data()
