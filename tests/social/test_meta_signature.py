"""Meta webhook signature (X-Hub-Signature-256), handshake and body decoding."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from bridge.errors import HandshakeError, PayloadError, SignatureError
from bridge.social import meta

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIXTURE = SHARED / "fixtures" / "meta_messenger" / "text_message.json"
SECRET = "test-app-secret"


@pytest.fixture
def body() -> bytes:
    if not FIXTURE.is_file():
        pytest.skip(f"shared fixtures not found at {FIXTURE} (../shared is absent)")
    return FIXTURE.read_bytes()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_good_signature_passes(body: bytes) -> None:
    meta.verify_signature(body, sign(body), SECRET)


def test_upper_case_hex_is_accepted(body: bytes) -> None:
    meta.verify_signature(body, sign(body).upper().replace("SHA256=", "sha256="), SECRET)


def test_signature_over_other_bytes_fails(body: bytes) -> None:
    with pytest.raises(SignatureError, match="does not match"):
        meta.verify_signature(body + b" ", sign(body), SECRET)


def test_signature_with_other_secret_fails(body: bytes) -> None:
    with pytest.raises(SignatureError, match="does not match"):
        meta.verify_signature(body, sign(body, "another-secret"), SECRET)


@pytest.mark.parametrize("header", ["", None])
def test_missing_signature_fails(body: bytes, header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing"):
        meta.verify_signature(body, header, SECRET)


@pytest.mark.parametrize(
    "header",
    ["sha1=" + "0" * 40, "sha256=abc", "sha256=" + "z" * 64, "sha256" + "0" * 64, "sha256=é" * 2],
)
def test_malformed_signature_fails(body: bytes, header: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        meta.verify_signature(body, header, SECRET)


def test_unset_secret_refuses_everything(body: bytes) -> None:
    with pytest.raises(SignatureError, match="not configured"):
        meta.verify_signature(body, sign(body, ""), "")


def test_handshake_returns_the_challenge() -> None:
    assert meta.handshake("subscribe", "verify-me", "1158201444", "verify-me") == "1158201444"


def test_handshake_with_wrong_token_fails() -> None:
    with pytest.raises(HandshakeError, match="does not match"):
        meta.handshake("subscribe", "guess", "1158201444", "verify-me")


@pytest.mark.parametrize("mode", ["unsubscribe", "", None])
def test_handshake_with_wrong_mode_fails(mode: str | None) -> None:
    with pytest.raises(HandshakeError, match="subscribe"):
        meta.handshake(mode, "verify-me", "1158201444", "verify-me")


def test_handshake_without_token_fails() -> None:
    with pytest.raises(HandshakeError):
        meta.handshake("subscribe", None, "1158201444", "verify-me")


def test_handshake_without_configured_token_fails() -> None:
    with pytest.raises(HandshakeError, match="not configured"):
        meta.handshake("subscribe", "", "1158201444", "")


def test_decode_fixture(body: bytes) -> None:
    data = meta.decode(body)
    assert data["object"] == "page"
    assert data["entry"][0]["id"] == "1234567890"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"entry": []}', "no 'object'"),
        (b'{"object": "page"}', "no 'entry'"),
        (b'{"object": "page", "entry": {}}', "no 'entry'"),
    ],
)
def test_decode_rejects_malformed_bodies(raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        meta.decode(raw)
