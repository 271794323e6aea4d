"""The CRC answer (from X's documented example) and the POST signature check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from bridge.errors import HandshakeError, SignatureError
from bridge.social.x import signature
from tests.conftest import shared_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x"
SECRET = "test-consumer-secret"


def test_crc_answer_matches_the_documented_example() -> None:
    request = json.loads((FIXTURES / "crc_request.json").read_text())
    expected = json.loads((FIXTURES / "crc_response.json").read_text())
    got = signature.crc_response(request["query"]["crc_token"], request["consumer_secret"])
    assert got == expected


def test_crc_without_a_secret_or_a_token_is_refused() -> None:
    with pytest.raises(HandshakeError):
        signature.crc_response("token", "")
    with pytest.raises(ValueError):
        signature.crc_response("", SECRET)


def x_signature(body: bytes, secret: str = SECRET) -> str:
    """As X computes it: base64 HMAC-SHA256 of the raw body with the consumer secret."""
    return "sha256=" + base64.b64encode(
        hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_a_capture_verifies_over_its_exact_bytes() -> None:
    raw = shared_path("fixtures", "x_twitter", "dm_incoming_text.json").read_bytes()
    signature.verify(raw, x_signature(raw), SECRET)
    reserialised = json.dumps(json.loads(raw)).encode()
    assert reserialised != raw
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(reserialised, x_signature(raw), SECRET)


def test_non_ascii_body_verifies_byte_for_byte() -> None:
    body = json.dumps({"text": "Привет 👋 مرحبا"}, ensure_ascii=False).encode()
    signature.verify(body, x_signature(body), SECRET)


@pytest.mark.parametrize(("header", "reason"), [
    (None, "missing"),
    ("", "missing"),
    ("sha256=", "malformed"),
    ("sha1=" + base64.b64encode(b"x" * 32).decode(), "malformed"),
    ("sha256=not base64!", "malformed"),
    ("sha256=" + base64.b64encode(b"short").decode(), "malformed"),
    ("sha256=" + base64.b64encode(b"x" * 32).decode(), "does not match"),
])
def test_bad_or_missing_signatures_are_refused(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        signature.verify(b'{"for_user_id": "1"}', header, SECRET)


def test_signature_with_another_secret_is_refused() -> None:
    body = b'{"for_user_id": "1"}'
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(body, x_signature(body, "someone-else"), SECRET)


def test_nothing_verifies_without_a_configured_secret() -> None:
    body = b"{}"
    with pytest.raises(SignatureError, match="not configured"):
        signature.verify(body, x_signature(body, ""), "")
