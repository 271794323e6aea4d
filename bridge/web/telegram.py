"""``/webhooks/telegram``: updates of the bot, authenticated by the secret-token header.

Telegram has no body signature: ``setWebhook(secret_token=...)`` makes it send the
secret in ``X-Telegram-Bot-Api-Secret-Token``, compared in constant time.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from bridge import ingest, registry
from bridge.config import get_settings
from bridge.errors import PayloadError, SignatureError
from bridge.metrics import EVENTS_IGNORED, MESSAGES_STORED
from bridge.social.telegram import signature
from bridge.social.telegram.payloads import decode
from bridge.web.common import answer, raw_body
from bridge.web.dispatch import inbox

bp = Blueprint("telegram", __name__)


@bp.post("/webhooks/telegram")
def receive() -> tuple[Response, int]:
    body = raw_body()
    try:
        signature.verify(request.headers.get(signature.HEADER),
                         get_settings().TELEGRAM_SECRET_TOKEN)
    except SignatureError as exc:
        return answer("telegram", "unauthorized", 401, reason=str(exc))
    try:
        parsed = registry.channel("telegram").parse(decode(body))
    except PayloadError as exc:
        return answer("telegram", "bad_request", 400, reason=str(exc))
    for reason in parsed.ignored:
        EVENTS_IGNORED.labels("telegram", reason).inc()
    stored = ingest.store_messages(parsed.messages)
    MESSAGES_STORED.labels("telegram").inc(len(stored))
    inbox.add(stored)
    return answer("telegram", "accepted", 200, messages=len(parsed.messages),
                  ignored=len(parsed.ignored))
