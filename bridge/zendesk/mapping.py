"""Pure helpers between the bridge's domain and Zendesk's shapes: no I/O, no zenpy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from bridge.domain import AgentReply
from bridge.error_body import error_object
from bridge.errors import BridgeError, PermanentError, RefusedFields, TicketClosed, TransientError
from bridge.html_text import html_to_text
from bridge.rendering import subject_from_message  # noqa: F401 - re-exported
from bridge.retry_after import retry_after_seconds
from bridge.zendesk.payloads import ApiComment, ApiUser
from bridge.zendesk.refusals import refused_fields

AGENT_ROLES = ("agent", "admin")
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
CREDENTIALS_HINT = "check ZENDESK_EMAIL / ZENDESK_API_TOKEN (and that the token is active)"
CLOSED_MARKER = "closed prevents ticket update"


def normalise_status(value: str | None) -> str:
    """Zendesk's status (``open``, or ``OPEN`` in event webhooks) as one of ``STATUSES``.

    ``deleted`` reads as closed (nothing more can happen); anything unknown reads as open
    so that replies are still considered.
    """
    status = (value or "").strip().lower()
    if status in STATUSES:
        return status
    return "closed" if status == "deleted" else "open"


def ticket_tags(channel: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """``social``, the channel kind, then ``extra``: lower case, no spaces, no duplicates."""
    tags: list[str] = []
    for raw in ("social", channel, *extra):
        tag = re.sub(r"\s+", "_", raw.strip().lower())
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _detail(field: str, item: object) -> str:
    """One entry of a 422 ``details`` map, keyed by field name (``base``: the record)."""
    text = (item.get("description") or item.get("error")) if isinstance(item, dict) else item
    return str(text) if field == "base" else f"{field}: {text}"


def error_text(body: str) -> str:
    """Zendesk's error body in one line, whatever its shape (JSON variants or plain text)."""
    data = error_object(body)
    if isinstance(data, str):
        return data
    parts: list[str] = []
    error = data.get("error")
    if isinstance(error, dict):
        parts += [str(error[k]) for k in ("title", "message") if error.get(k)]
    elif error:
        parts.append(str(error))
    parts += [str(data[k]) for k in ("description", "message") if data.get(k)]
    for item in data.get("errors") or []:  # the webhooks API: [{code, title, detail}]
        if isinstance(item, dict):
            parts.append(" - ".join(str(item[k]) for k in ("code", "detail") if item.get(k)))
    details = data.get("details")
    if isinstance(details, dict):
        for field, items in details.items():
            listed = items if isinstance(items, list) else [items]
            parts += [_detail(field, item) for item in listed]
    return ": ".join(parts)[:500] or json.dumps(data, ensure_ascii=False)[:500]


def error_for_response(status: int, body: str, retry_after: str | None) -> BridgeError | None:
    """The bridge error for a Zendesk answer, or ``None`` when it succeeded.

    408 and 409 (Zendesk: "collision - please try again") are worth a retry like 5xx.
    """
    if status < 400:
        return None
    text = error_text(body)
    if status == 429:
        return TransientError(f"Zendesk rate limit (429): {text}", retry_after_seconds(retry_after))
    if status >= 500 or status in (408, 409):
        return TransientError(f"Zendesk error ({status}): {text}", retry_after_seconds(retry_after))
    if status in (401, 403):
        return PermanentError(f"Zendesk refused the credentials ({status}): {text}; "
                              + CREDENTIALS_HINT)
    if status == 404:
        return PermanentError(f"Zendesk: not found (404): {text}")
    if status == 422 and CLOSED_MARKER in text.lower():
        return TicketClosed(f"Zendesk ticket is closed (422): {text}")
    refused = refused_fields(body) if status == 422 else ()
    if refused:
        return RefusedFields(f"Zendesk rejected the request ({status}): {text}", refused)
    return PermanentError(f"Zendesk rejected the request ({status}): {text}")


def comment_id_from_audit(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The id of the comment an audit (ticket create or update response) added."""
    for event in events:
        if event.get("type") == "Comment" and event.get("id") is not None:
            return str(event["id"])
    return None


def comment_text(comment: ApiComment) -> str:
    """Plain text of a comment: ``plain_body``, else ``body``, else the HTML reduced."""
    if comment.plain_body is not None:
        return comment.plain_body
    if comment.body is not None:
        return comment.body
    return html_to_text(comment.html_body or "")


def agent_replies(
    comments: Iterable[ApiComment], users: Mapping[int, ApiUser], api_user_id: int | None
) -> tuple[AgentReply, ...]:
    """Public comments by agents or admins, oldest first (ids increase).

    Loop guard: public comments by the bridge's own API user are never replies, and
    neither are comments by end-users or by authors Zendesk did not sideload.
    """
    replies: list[AgentReply] = []
    for comment in sorted(comments, key=lambda c: c.id):
        author = users.get(comment.author_id)
        if not comment.public or author is None or author.role not in AGENT_ROLES:
            continue
        if comment.author_id == api_user_id:
            continue
        replies.append(AgentReply(
            comment_id=str(comment.id),
            body=comment_text(comment),
            author_name=author.name,
            created_at=comment.created_at.astimezone(UTC) if comment.created_at else None,
            attachment_urls=tuple(a.content_url for a in comment.attachments if a.content_url),
        ))
    return tuple(replies)
