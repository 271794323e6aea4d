"""Event-subscription webhook payloads, shaped like fixtures/zendesk_webhooks/event_*.json."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from .state import ACCOUNT_ID, BRAND_ID, CUSTOM_STATUS_IDS, JSON, TICKET_FORM_ID, EmulatorState
from .tickets import Change

EVENT_PREFIX = "zen:event-type:ticket."


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _str(value: Any) -> Any:
    return str(value) if value is not None else None


def event_payload(kind: str, change: Change, state: EmulatorState) -> JSON:
    """Shaped like fixtures/zendesk_webhooks/event_*.json."""
    t = change.ticket
    detail: JSON = {
        "id": str(t["id"]),
        "subject": t["subject"],
        "status": _upper(t["status"]),
        "priority": _upper(t["priority"]),
        "created_at": t["created_at"],
        "updated_at": t["updated_at"],
    }
    event: JSON = {}
    if kind == "created":
        detail = {
            "actor_id": _str(change.author_id),
            "assignee_id": _str(t["assignee_id"]),
            "brand_id": str(BRAND_ID),
            "created_at": t["created_at"],
            "custom_status": str(CUSTOM_STATUS_IDS[t["status"]]),
            "description": t["description"],
            "external_id": t["external_id"],
            "form_id": str(TICKET_FORM_ID),
            "group_id": _str(t["group_id"]),
            "id": str(t["id"]),
            "is_public": t["is_public"],
            "organization_id": _str(t["organization_id"]),
            "priority": _upper(t["priority"]),
            "requester_id": str(t["requester_id"]),
            "status": _upper(t["status"]),
            "subject": t["subject"],
            "submitter_id": str(t["submitter_id"]),
            "tags": t["tags"],
            "type": _upper(t["type"]),
            "updated_at": t["updated_at"],
            "via": {"channel": "web_service" if change.channel == "api" else change.channel},
        }
    elif kind == "comment_added" and change.comment is not None:
        author = state.users.get(change.comment["author_id"], {})
        event = {
            "comment": {
                "id": change.comment["id"],
                "body": change.comment["body"],
                "is_public": change.comment["public"],
                "author": {
                    "id": author.get("id"),
                    "is_staff": state.is_staff(author.get("id")),
                    "name": author.get("name"),
                },
            }
        }
    elif kind == "status_changed":
        previous = change.previous["status"] if change.previous else None
        event = {"current": _upper(t["status"]), "previous": _upper(previous)}
    now = datetime.now(UTC)
    return {
        "account_id": ACCOUNT_ID,
        "detail": detail,
        "event": event,
        "id": str(uuid.uuid4()),
        "subject": f"zen:ticket:{t['id']}",
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
        "type": EVENT_PREFIX + kind,
        "zendesk_event_version": "2022-11-06",
    }
