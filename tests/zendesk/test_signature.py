"""Zendesk webhook signatures: both HMAC orders, wrong secret, missing parts, replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.errors import SignatureError
from bridge.zendesk.signature import sign, verify

BODY = b'{"ticket_id": "7"}'
STAMP = "2024-01-01T12:00:00Z"
NOW = datetime(2024, 1, 1, 12, 1, tzinfo=UTC)
SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


def test_timestamp_then_body_is_accepted() -> None:
    verify(BODY, sign(BODY, STAMP, SECRET), STAMP, SECRET, NOW)


def test_older_documents_vector_body_then_timestamp_is_accepted() -> None:
    """The worked example of developer.zendesk.com/documentation/event-connectors/webhooks/
    verifying/ only reproduces as HMAC(secret, body + timestamp)."""
    secret = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
    body, stamp = b'{"say": "hello"}', "2021-07-25T10:00:00Z"
    expected = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
    assert sign(body, stamp, secret, body_first=True) == expected
    verify(body, expected, stamp, secret, datetime(2021, 7, 25, 10, 2, tzinfo=UTC))


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify(BODY, sign(BODY, STAMP, "other"), STAMP, SECRET, NOW)


def test_tampered_body_is_refused() -> None:
    with pytest.raises(SignatureError):
        verify(BODY + b" ", sign(BODY, STAMP, SECRET), STAMP, SECRET, NOW)


@pytest.mark.parametrize("sig, stamp", [("", STAMP), ("x", ""), ("", "")])
def test_missing_header_is_refused(sig: str, stamp: str) -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify(BODY, sig, stamp, SECRET, NOW)


def test_missing_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="ZENDESK_WEBHOOK_SECRET"):
        verify(BODY, sign(BODY, STAMP, ""), STAMP, "", NOW)


JUST_OVER = timedelta(minutes=5, seconds=1)


@pytest.mark.parametrize("skew", [JUST_OVER, -JUST_OVER])
def test_stale_timestamp_either_way_is_refused(skew: timedelta) -> None:
    sent = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(SignatureError, match="stale timestamp"):
        verify(BODY, sign(BODY, STAMP, SECRET), STAMP, SECRET, sent + skew)


@pytest.mark.parametrize("skew", [timedelta(minutes=5), -timedelta(minutes=5)])
def test_five_minutes_is_still_fresh(skew: timedelta) -> None:
    sent = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    verify(BODY, sign(BODY, STAMP, SECRET), STAMP, SECRET, sent + skew)


@pytest.mark.parametrize("stamp", [
    "2024-01-01T12:00:00.123456789Z",  # nanoseconds, as in event webhooks' "time"
    "2024-01-01T12:00:00.5Z",
    "2024-01-01T14:00:00+02:00",
])
def test_fractional_seconds_and_offsets(stamp: str) -> None:
    verify(BODY, sign(BODY, stamp, SECRET), stamp, SECRET, NOW)


def test_unreadable_timestamp_is_refused() -> None:
    with pytest.raises(SignatureError, match="unreadable"):
        verify(BODY, sign(BODY, "yesterday", SECRET), "yesterday", SECRET, NOW)
