"""``/webhooks/x``: the CRC answer (GET) and Account Activity events (POST).

X signs every POST (``x-twitter-webhooks-signature``, HMAC-SHA256 of the raw body with the
consumer secret); the CRC proves we hold the same secret. Both are answered without a
vendor call: X wants the CRC answer within 3 seconds.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from bridge import accounts, ingest, registry
from bridge.config import get_settings
from bridge.errors import HandshakeError, PayloadError, SignatureError
from bridge.metrics import EVENTS_IGNORED, MESSAGES_STORED, WEBHOOKS, child
from bridge.social.x import signature
from bridge.social.x.payloads import decode
from bridge.web.common import answer, raw_body
from bridge.web.dispatch import inbox
from bridge.web.meta import for_our_accounts

bp = Blueprint("x", __name__)


@bp.get("/webhooks/x")
def crc() -> Response | tuple[Response, int]:
    try:
        token = signature.crc_response(request.args.get("crc_token"), app_secrets()[0])
    except HandshakeError as exc:
        return answer("x", "forbidden", 403, reason=str(exc))
    except ValueError as exc:
        return answer("x", "bad_request", 400, reason=str(exc))
    child(WEBHOOKS, "x", "crc").inc()
    return jsonify(token)  # exactly {"response_token": ...}


@bp.post("/webhooks/x")
def receive() -> tuple[Response, int]:
    body = raw_body()
    try:
        verify(body, request.headers.get(signature.HEADER))
    except SignatureError as exc:
        return answer("x", "unauthorized", 401, reason=str(exc))
    try:
        parsed = registry.channel("x").parse(decode(body))
    except PayloadError as exc:
        return answer("x", "bad_request", 400, reason=str(exc))
    messages, unknown = for_our_accounts(parsed.messages)
    ignored = [*parsed.ignored, *unknown]
    for reason in ignored:
        child(EVENTS_IGNORED, "x", reason).inc()
    stored = ingest.store_messages(messages)
    child(MESSAGES_STORED, "x").inc(len(stored))
    inbox.add(stored)
    return answer("x", "accepted", 200, messages=len(messages), ignored=len(ignored))


def app_secrets() -> list[str]:
    """The consumer secrets of our X apps: ``X_CONSUMER_SECRET``, then each account's
    (accounts of one app share it); ``[""]`` when none is configured."""
    found = [get_settings().X_CONSUMER_SECRET,
             *(a.get("consumer_secret") for a in accounts.accounts("x"))]
    return list(dict.fromkeys(s for s in found if s)) or [""]


def verify(body: bytes, header: str | None) -> None:
    """``SignatureError`` unless one of our apps' secrets signs ``body``."""
    secrets = app_secrets()
    for secret in secrets[:-1]:
        try:
            signature.verify(body, header, secret)
            return
        except SignatureError:
            continue
    signature.verify(body, header, secrets[-1])
