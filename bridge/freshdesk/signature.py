"""Freshdesk automation webhooks are unsigned: a shared secret header stands in.

The admin adds the header ``X-Bridge-Secret: <FRESHDESK_WEBHOOK_SECRET>`` to the rule's
"Trigger webhook" action; we compare it in constant time. Surrounding whitespace is
ignored on both sides (a pasted secret often carries a trailing newline).
"""

from __future__ import annotations

import hmac

from bridge.errors import SignatureError

SECRET_HEADER = "X-Bridge-Secret"


def verify(secret_header: str, configured: str) -> None:
    """Raise ``SignatureError`` unless the header carries the configured secret."""
    expected = (configured or "").strip()
    if not expected:
        raise SignatureError("FRESHDESK_WEBHOOK_SECRET is not set")
    given = (secret_header or "").strip()
    if not given:
        raise SignatureError(f"missing {SECRET_HEADER} header")
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise SignatureError(f"{SECRET_HEADER} does not match")
