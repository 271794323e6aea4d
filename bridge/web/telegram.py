"""``/webhooks/telegram``: updates of the bot, authenticated by the secret-token header.

Telegram has no body signature: ``setWebhook(secret_token=...)`` makes it send the
secret in ``X-Telegram-Bot-Api-Secret-Token``, compared in constant time. Each bot has
its own secret (``[[accounts.telegram]]``), so the secret also says which bot the update
was sent to: its messages are stored under that bot's id.
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, request

from bridge import accounts, ingest, registry
from bridge.accounts import Account
from bridge.errors import PayloadError, SignatureError
from bridge.metrics import EVENTS_IGNORED, MESSAGES_STORED, child
from bridge.social.telegram import signature
from bridge.social.telegram.adapter import TelegramChannel
from bridge.social.telegram.payloads import decode
from bridge.web.common import answer, raw_body
from bridge.web.dispatch import inbox

bp = Blueprint("telegram", __name__)


@bp.post("/webhooks/telegram")
def receive() -> tuple[Response, int]:
    body = raw_body()
    try:
        bot = sent_to(request.headers.get(signature.HEADER))
    except SignatureError as exc:
        return answer("telegram", "unauthorized", 401, reason=str(exc))
    channel = cast(TelegramChannel, registry.channel("telegram"))
    try:
        parsed = channel.parse(decode(body), bot.id)
    except PayloadError as exc:
        return answer("telegram", "bad_request", 400, reason=str(exc))
    for reason in parsed.ignored:
        child(EVENTS_IGNORED, "telegram", reason).inc()
    stored = ingest.store_messages(parsed.messages)
    child(MESSAGES_STORED, "telegram").inc(len(stored))
    inbox.add(stored)
    return answer("telegram", "accepted", 200, messages=len(parsed.messages),
                  ignored=len(parsed.ignored))


def sent_to(header: str | None) -> Account:
    """The bot whose secret token the update carries; ``SignatureError`` for none."""
    bot = accounts.by_secret("telegram", "secret_token", header or "")
    if bot is not None:
        return bot
    if not any(a.get("secret_token") for a in accounts.accounts("telegram")):
        raise SignatureError("TELEGRAM_SECRET_TOKEN is not configured")
    if not header:
        raise SignatureError(f"missing {signature.HEADER} header")
    raise SignatureError(f"{signature.HEADER} matches no bot's secret token")
