"""Zendesk webhook signatures: ``X-Zendesk-Webhook-Signature`` and ``-Signature-Timestamp``.

The current documentation signs base64(HMAC-SHA256(secret, timestamp + body)); an older
page's worked example only reproduces as body + timestamp, so both orders are accepted.
The secret is used as its UTF-8 text (it looks like base64 but is not decoded).
A timestamp more than five minutes from our clock, either way, is treated as a replay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from bridge import clock
from bridge.errors import SignatureError

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
MAX_SKEW = timedelta(minutes=5)


def sign(body: bytes, timestamp: str, secret: str, body_first: bool = False) -> str:
    """The signature Zendesk would send (tests and the emulator use it too)."""
    stamp = timestamp.encode("utf-8")
    message = body + stamp if body_first else stamp + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_timestamp(timestamp: str) -> datetime:
    """ISO 8601 (``2024-01-01T12:00:00Z``, fractions and offsets allowed) as aware UTC."""
    try:
        parsed = datetime.fromisoformat(timestamp.strip())
    except ValueError as exc:
        raise SignatureError(f"unreadable signature timestamp {timestamp!r}") from exc
    return clock.aware(parsed).astimezone(UTC)


def verify(body: bytes, signature: str, timestamp: str, secret: str, now: datetime) -> None:
    """Raise ``SignatureError`` unless ``signature`` signs ``body`` at a fresh ``timestamp``."""
    if not secret:
        raise SignatureError("ZENDESK_WEBHOOK_SECRET is not set")
    if not signature or not timestamp:
        raise SignatureError(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}")
    sent_at = parse_timestamp(timestamp)
    if abs(clock.aware(now) - sent_at) > MAX_SKEW:
        raise SignatureError("stale timestamp")
    given = signature.strip().encode("utf-8")
    matches = [
        hmac.compare_digest(given, sign(body, timestamp, secret, body_first).encode("ascii"))
        for body_first in (False, True)
    ]
    if not any(matches):
        raise SignatureError("signature does not match")
