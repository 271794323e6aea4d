"""Small helpers shared by the blueprints: JSON errors and raw-body reading."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from bridge.metrics import WEBHOOKS


def answer(endpoint: str, outcome: str, status: int, **body: Any) -> tuple[Response, int]:
    WEBHOOKS.labels(endpoint, outcome).inc()
    return jsonify(status=outcome, **body), status


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
