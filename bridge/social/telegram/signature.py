"""The Telegram webhook secret: ``X-Telegram-Bot-Api-Secret-Token``.

Telegram signs nothing. ``setWebhook(url, secret_token=...)`` registers a secret of 1-256
characters from ``A-Z a-z 0-9 _ -``, and Telegram sends it unchanged in this header on every
update POST. So the check is a constant-time comparison with the configured value; without a
configured value every POST is refused (an open endpoint would accept forged updates).
"""

from __future__ import annotations

import hmac

from bridge.errors import SignatureError

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def verify(header_value: str | None, configured: str) -> None:
    """Raise ``SignatureError`` unless ``header_value`` is the configured secret token."""
    if not configured:
        raise SignatureError("TELEGRAM_SECRET_TOKEN is not configured")
    if not header_value:
        raise SignatureError(f"missing {HEADER} header")
    if not hmac.compare_digest(_bytes(header_value), _bytes(configured)):
        raise SignatureError(f"{HEADER} does not match")


def _bytes(value: str) -> bytes:
    # compare_digest takes ASCII-only str; header values may carry any Latin-1 character.
    return value.encode("utf-8", "surrogatepass")
