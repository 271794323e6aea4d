"""What every Meta webhook shares: Messenger, Page feed, Instagram and WhatsApp.

Meta signs the raw body (``X-Hub-Signature-256: sha256=<lower-case hex>``, HMAC-SHA256
with the app secret). The body is sent with non-ASCII text as ``\\uXXXX`` escapes, so
the signature only reproduces over the bytes received, never over a re-serialised dict.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from typing import Any

from bridge.errors import HandshakeError, PayloadError, SignatureError
from bridge.social.json_body import decode_object

SIGNATURE_HEADER = "X-Hub-Signature-256"
_HEX = frozenset(string.hexdigits)


def verify_signature(body: bytes, header_value: str | None, app_secret: str) -> None:
    """Raise ``SignatureError`` unless ``header_value`` signs ``body`` with ``app_secret``."""
    if not app_secret:
        raise SignatureError("META_APP_SECRET is not configured")
    if not header_value:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    scheme, _, digest = header_value.strip().partition("=")
    if scheme.lower() != "sha256" or len(digest) != 64 or not _HEX.issuperset(digest):
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header")
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), digest.lower().encode()):
        raise SignatureError("signature does not match the body")


def handshake(
    mode: str | None, token: str | None, challenge: str | None, verify_token: str
) -> str:
    """The ``hub.challenge`` to echo back when Meta's subscription check is genuine.

    Meta sends ``hub.mode=subscribe``, ``hub.verify_token`` (the token typed into the
    app dashboard) and ``hub.challenge``; the answer is the challenge as a plain body.
    """
    if not verify_token:
        raise HandshakeError("META_VERIFY_TOKEN is not configured")
    if mode != "subscribe":
        raise HandshakeError("hub.mode is not 'subscribe'")
    if token is None or not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise HandshakeError("hub.verify_token does not match")
    if not challenge:
        raise HandshakeError("missing hub.challenge")
    return challenge


def decode(body: bytes) -> dict[str, Any]:
    """The webhook body as a JSON object with an ``object`` name and an ``entry`` list."""
    data = decode_object(body)
    if not isinstance(data.get("object"), str):
        raise PayloadError("body has no 'object' name")
    if not isinstance(data.get("entry"), list):
        raise PayloadError("body has no 'entry' list")
    return data
