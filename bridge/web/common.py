"""Small helpers shared by the blueprints: JSON answers and raw-body reading."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from bridge.metrics import WEBHOOKS, child

JSON = "application/json"


def answer(endpoint: str, outcome: str, status: int, **body: Any) -> tuple[Response, int]:
    """A JSON answer counted under ``bridge_webhooks_total``; serialised directly (the
    webhook hot path: Flask's ``jsonify`` costs a fifth of a bare request)."""
    child(WEBHOOKS, endpoint, outcome).inc()
    text = json.dumps({"status": outcome, **body}, separators=(",", ":"))
    return Response(text, status=status, mimetype=JSON), status


def raw_body() -> bytes:
    """The exact bytes received (signatures are over them); 413 past MAX_CONTENT_LENGTH."""
    return request.get_data(cache=True)


def ticket_event(endpoint: str, helpdesk: str, key: str, ticket_id: str) -> tuple[Response, int]:
    """Store "look at ticket N" and run the conversation it belongs to, if any."""
    from bridge import db, ingest, tasks

    with db.session() as s:
        conv = ingest.store_helpdesk_event(s, helpdesk, key, ticket_id)
    if conv is not None:
        tasks.enqueue([conv])
    return answer(endpoint, "accepted", 200, ticket_id=ticket_id, conversation=conv)
