"""The webhook secret token (``X-Telegram-Bot-Api-Secret-Token``) and body decoding."""

from __future__ import annotations

import hmac

import pytest

from bridge.errors import PayloadError, SignatureError
from bridge.social.telegram import signature
from bridge.social.telegram.payloads import decode
from tests.conftest import shared_path

SECRET = "Abc_123-secret-TOKEN"


def test_the_configured_token_passes() -> None:
    signature.verify(SECRET, SECRET)


def test_header_name_is_telegrams() -> None:
    assert signature.HEADER == "X-Telegram-Bot-Api-Secret-Token"


@pytest.mark.parametrize("header", [
    "abc_123-secret-token",  # case matters
    SECRET + " ",
    " " + SECRET,
    SECRET[:-1],
    SECRET + "x",
    "é" + SECRET[1:],  # a Latin-1 character as a header may carry
    "\ud83d",  # a lone surrogate must not crash the comparison
])
def test_a_wrong_token_fails(header: str) -> None:
    with pytest.raises(SignatureError, match="does not match"):
        signature.verify(header, SECRET)


@pytest.mark.parametrize("header", ["", None])
def test_a_missing_token_fails(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing X-Telegram-Bot-Api-Secret-Token"):
        signature.verify(header, SECRET)


@pytest.mark.parametrize("header", ["", None, "anything"])
def test_an_unconfigured_secret_refuses_everything(header: str | None) -> None:
    with pytest.raises(SignatureError, match="TELEGRAM_SECRET_TOKEN is not configured"):
        signature.verify(header, "")


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    signature.verify(SECRET, SECRET)
    assert calls == [(SECRET.encode(), SECRET.encode())]


def test_decode_a_fixture() -> None:
    body = shared_path("fixtures", "telegram", "private_text.json").read_bytes()
    assert decode(body)["update_id"] == 174114370


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b"{}", "no integer 'update_id'"),
    (b'{"update_id": "1"}', "no integer 'update_id'"),
    (b'{"update_id": true}', "no integer 'update_id'"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
])
def test_decode_rejects_malformed_bodies(raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason):
        decode(raw)
