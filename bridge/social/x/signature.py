"""X webhook security: the CRC answer and the ``x-twitter-webhooks-signature`` check.

Both use one primitive: HMAC-SHA256 keyed with the app's consumer secret (API secret key,
never a bearer or access token), base64-encoded, prefixed ``sha256=``. The CRC signs the
``crc_token`` query value (X sends it at registration, hourly, and on demand, and wants the
answer within 3 s); POSTs carry the same scheme over the raw body bytes, so the check runs
on the bytes received, never on re-serialised JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from bridge.errors import HandshakeError, SignatureError

HEADER = "x-twitter-webhooks-signature"
_PREFIX = "sha256="
_DIGEST_BYTES = 32


def sign(message: bytes, consumer_secret: str) -> str:
    """``sha256=`` + base64 HMAC-SHA256 of ``message`` with the consumer secret."""
    digest = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return _PREFIX + base64.b64encode(digest).decode("ascii")


def crc_response(crc_token: str | None, consumer_secret: str) -> dict[str, str]:
    """The JSON body answering a CRC: ``{"response_token": "sha256=..."}``.

    Raises ``HandshakeError`` without a configured secret (no answer could be right) and
    ``ValueError`` without a token.
    """
    if not consumer_secret:
        raise HandshakeError("X_CONSUMER_SECRET is not configured")
    if not crc_token:
        raise ValueError("missing crc_token")
    return {"response_token": sign(crc_token.encode(), consumer_secret)}


def verify(body: bytes, header_value: str | None, consumer_secret: str) -> None:
    """Raise ``SignatureError`` unless ``header_value`` signs ``body``."""
    if not consumer_secret:
        raise SignatureError("X_CONSUMER_SECRET is not configured")
    if not header_value:
        raise SignatureError(f"missing {HEADER} header")
    scheme, _, encoded = header_value.strip().partition("=")
    try:
        digest = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if scheme.lower() != "sha256" or len(digest) != _DIGEST_BYTES:
        raise SignatureError(f"malformed {HEADER} header")
    expected = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, digest):
        raise SignatureError("signature does not match the body")
