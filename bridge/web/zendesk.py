"""``/webhooks/zendesk``: "look at ticket N", signed; the worker reads what changed."""

from __future__ import annotations

import hashlib
import json
import time
import uuid

import structlog
from flask import Blueprint, Response, request
from sqlalchemy import select

from bridge import clock, db
from bridge.config import get_settings
from bridge.errors import PayloadError, SignatureError, UnsupportedEvent
from bridge.metrics import EVENTS_IGNORED, child
from bridge.models import Setting
from bridge.web.common import answer, raw_body, ticket_event
from bridge.zendesk import payloads, signature

bp = Blueprint("zendesk", __name__)
log = structlog.get_logger(__name__)
_secret_cache: tuple[float, str] = (0.0, "")


def webhook_secret() -> str:
    """ZENDESK_WEBHOOK_SECRET, else the secret ``bridge zendesk install`` stored."""
    global _secret_cache
    configured = get_settings().ZENDESK_WEBHOOK_SECRET
    if configured:
        return configured
    fetched_at, value = _secret_cache
    if time.monotonic() - fetched_at < 30 and value:
        return value
    with db.session() as s:
        value = s.scalar(select(Setting.value).where(Setting.key == "zendesk_webhook_secret")) or ""
    _secret_cache = (time.monotonic(), value)
    return value


@bp.post("/webhooks/zendesk")
def receive() -> tuple[Response, int]:
    body = raw_body()
    timestamp = request.headers.get("X-Zendesk-Webhook-Signature-Timestamp", "")
    try:
        signature.verify(body, request.headers.get("X-Zendesk-Webhook-Signature", ""),
                         timestamp, webhook_secret(), clock.now())
    except SignatureError as exc:
        return answer("zendesk", "unauthorized", 401, reason=str(exc))
    try:
        payload = json.loads(body)
        ticket_id = payloads.ticket_id_from_webhook(payload)
    except (ValueError, RecursionError, PayloadError) as exc:
        return answer("zendesk", "bad_request", 400, reason=str(exc))
    except UnsupportedEvent as exc:
        child(EVENTS_IGNORED, "zendesk", "no_ticket_id").inc()
        return answer("zendesk", "ignored", 200, reason=str(exc))
    # A retried delivery keeps its invocation id; two webhooks about one ticket within
    # one second have the same body and timestamp, so content is no key. Re-reading a
    # ticket is idempotent anyway: the key only spares a read on a retried delivery.
    key = (request.headers.get("X-Zendesk-Webhook-Invocation-Id")
           or (payload.get("id") if isinstance(payload.get("id"), str) else None)
           or f"anon-{uuid.uuid4().hex}")
    if len(key) > 64:  # unsigned header: never let its length reach the column limit
        key = "sha256-" + hashlib.sha256(key.encode()).hexdigest()
    return ticket_event("zendesk", "zendesk", key, ticket_id)
