"""``/webhooks/freshdesk``: an automation rule's "Trigger webhook" saying "look at ticket N".

Freshdesk does not sign webhooks: the rule sends a shared secret in ``X-Bridge-Secret``,
compared in constant time. The body is whatever the admin wrote; ``ticket_id`` may sit at
the top level or one level down (Freshdesk's own examples wrap it in ``freshdesk_webhook``).
"""

from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, request

from bridge.config import get_settings
from bridge.errors import PayloadError, SignatureError, UnsupportedEvent
from bridge.freshdesk import payloads, signature
from bridge.metrics import EVENTS_IGNORED, child
from bridge.web.common import answer, raw_body, ticket_event

bp = Blueprint("freshdesk", __name__)


@bp.post("/webhooks/freshdesk")
def receive() -> tuple[Response, int]:
    body = raw_body()
    try:
        signature.verify(request.headers.get("X-Bridge-Secret", ""),
                         get_settings().FRESHDESK_WEBHOOK_SECRET)
    except SignatureError as exc:
        return answer("freshdesk", "unauthorized", 401, reason=str(exc))
    try:
        ticket_id = payloads.ticket_id_from_webhook(json.loads(body))
    except (ValueError, RecursionError, PayloadError) as exc:
        return answer("freshdesk", "bad_request", 400, reason=str(exc))
    except UnsupportedEvent as exc:
        child(EVENTS_IGNORED, "freshdesk", "no_ticket_id").inc()
        return answer("freshdesk", "ignored", 200, reason=str(exc))
    # No delivery id to deduplicate on: every webhook is a (cheap, idempotent) re-read.
    return ticket_event("freshdesk", "freshdesk", f"fd-{uuid.uuid4().hex}", ticket_id)
