"""Typed models of what Zendesk sends us: webhook bodies and the API bodies we read raw.

Two webhook families reach ``POST /webhooks/zendesk``:

- event subscriptions: ``{"type": "zen:event-type:ticket.comment_added", "detail": {"id":
  "5158", ...}, "event": {...}, ...}``, where the ticket id is a *string* in ``detail.id``;
- trigger/automation webhooks, whose body the admin writes; ours (``install.py``) sends
  ``{"ticket_id": "{{ticket.id}}"}``, and Zulip-style bodies carry ``ticket_id`` too,
  as a string or an integer.

Either only says "look at ticket N": the worker reads what changed through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from bridge.errors import PayloadError, UnsupportedEvent

TICKET_EVENT_PREFIX = "zen:event-type:ticket."


def _as_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdStr = Annotated[str, BeforeValidator(_as_str)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EventAuthor(_Model):
    id: IdStr | None = None
    name: str | None = None
    is_staff: bool | None = None


class EventComment(_Model):
    """``event.comment`` of ``ticket.comment_added``: enough to log or pre-filter."""

    id: IdStr
    body: str | None = None
    is_public: bool | None = None
    author: EventAuthor | None = None


class ZendeskWebhook(_Model):
    """What one Zendesk webhook body says: the ticket, and the event when it names one."""

    ticket_id: str
    event_type: str | None = None  # "zen:event-type:ticket.comment_added"; None for triggers
    comment: EventComment | None = None
    status_previous: str | None = None
    status_current: str | None = None


def _ticket_id(value: object, where: str) -> str:
    """A positive integer id given as an int or a string of digits."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return str(value)
    # Zendesk ids are 64-bit integers: at most 19 digits.
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 19 \
            and int(value) > 0:
        return value.strip()
    raise PayloadError(f"Zendesk webhook: {where} is not a ticket id: {value!r}")


def _event_webhook(payload: Mapping[str, Any], kind: str) -> ZendeskWebhook:
    if not kind.startswith(TICKET_EVENT_PREFIX):
        raise UnsupportedEvent(f"Zendesk event {kind!r} is not about a ticket")
    detail = payload.get("detail")
    if not isinstance(detail, Mapping):
        raise PayloadError("Zendesk event without a detail object")
    event = payload.get("event")
    event = event if isinstance(event, Mapping) else {}
    raw_comment = event.get("comment")
    try:
        comment = EventComment.model_validate(raw_comment) if raw_comment else None
    except ValidationError as exc:
        raise PayloadError(f"Zendesk event: malformed comment: {exc}") from exc
    previous, current = event.get("previous"), event.get("current")
    is_status = kind.endswith(".status_changed")
    return ZendeskWebhook(
        ticket_id=_ticket_id(detail.get("id"), "detail.id"),
        event_type=kind,
        comment=comment,
        status_previous=str(previous) if is_status and previous is not None else None,
        status_current=str(current) if is_status and current is not None else None,
    )


def parse_webhook(payload: object) -> ZendeskWebhook:
    """Typed view of a decoded webhook body.

    Raises ``PayloadError`` for a body that is not an object or names a ticket badly, and
    ``UnsupportedEvent`` for bodies about something else (no ticket id, non-ticket events).
    """
    if not isinstance(payload, Mapping):
        raise PayloadError(f"Zendesk webhook body is not a JSON object: {type(payload).__name__}")
    kind = payload.get("type")
    if isinstance(kind, str) and kind.startswith("zen:event-type:"):
        return _event_webhook(payload, kind)
    if "ticket_id" in payload:
        return ZendeskWebhook(ticket_id=_ticket_id(payload["ticket_id"], "ticket_id"))
    raise UnsupportedEvent("Zendesk webhook without a ticket id (no ticket_id, no ticket event)")


def ticket_id_from_webhook(payload: dict[str, Any]) -> str:
    """The ticket a webhook is about (see ``parse_webhook`` for the errors)."""
    return parse_webhook(payload).ticket_id


# ---- API bodies the adapter reads without zenpy's object layer ---------------------------


class ApiUser(_Model):
    id: int
    name: str | None = None
    role: str | None = None  # end-user, agent, admin


class ApiAttachment(_Model):
    content_url: str | None = None
    file_name: str | None = None


class ApiComment(_Model):
    id: int
    author_id: int
    body: str | None = None
    plain_body: str | None = None
    html_body: str | None = None
    public: bool = True
    created_at: datetime | None = None
    attachments: tuple[ApiAttachment, ...] = ()


class ApiFieldOption(_Model):
    """A drop-down (``tagger``) or multi-select option: ``value`` is the tag written."""

    name: str
    value: str


class ApiTicketField(_Model):
    """One item of ``GET /api/v2/ticket_fields``; ``removable: false`` marks system fields."""

    id: int
    type: str
    title: str | None = None
    active: bool = True
    required: bool = False
    removable: bool = True
    regexp_for_validation: str | None = None
    custom_field_options: tuple[ApiFieldOption, ...] | None = None


class CommentsPage(_Model):
    """One page of ``GET /api/v2/tickets/{id}/comments?include=users``."""

    comments: tuple[ApiComment, ...] = ()
    users: tuple[ApiUser, ...] = ()


def next_page_url(body: Mapping[str, Any]) -> str | None:
    """The next page of a list: cursor (``meta.has_more`` + ``links.next``) or offset style."""
    meta, links = body.get("meta"), body.get("links")
    if isinstance(meta, Mapping):
        following = links.get("next") if isinstance(links, Mapping) else None
        return following if meta.get("has_more") and isinstance(following, str) else None
    following = body.get("next_page")
    return following if isinstance(following, str) and following else None
