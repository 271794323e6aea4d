"""Typed models of what Freshdesk sends us: automation-webhook bodies and API bodies.

Freshdesk webhooks are automation-rule actions ("Trigger webhook"), and their body is
whatever the admin wrote. Ours is ``{"ticket_id": "{{ticket.id}}"}``; Freshdesk's own
examples (and Zulip's fixtures) wrap the placeholders one level down, in
``{"freshdesk_webhook": {"ticket_id": "11", "triggered_event": "{note_type:private}"}}``.
Either way the body only says "look at ticket N": the worker reads what changed through
the API, so the other placeholders are kept for logs only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bridge.errors import PayloadError, UnsupportedEvent

MAX_ID_DIGITS = 19  # Freshdesk ids are 64-bit integers


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FreshdeskWebhook(_Model):
    """What one automation-rule body says: the ticket, and what the rule reported."""

    ticket_id: str
    wrapper: str | None = None  # the key that held ``ticket_id``, e.g. "freshdesk_webhook"
    triggered_event: str | None = None  # e.g. "{note_type:public}", "{status:{from:4,to:6}}"
    ticket_status: str | None = None  # the status *name*, e.g. "Waiting on Customer"


def _ticket_id(value: object, where: str) -> str:
    """A positive id given as an int, digits, or ``#digits`` (the ticket's display form)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return str(value)
    if isinstance(value, str):
        text = value.strip().removeprefix("#").strip()
        if text.isdigit() and len(text) <= MAX_ID_DIGITS and int(text) > 0:
            return str(int(text))
        if "{{" in text:
            raise PayloadError(f"Freshdesk webhook: {where} is an unreplaced placeholder "
                               f"{value!r}: the rule's body must use {{{{ticket.id}}}}")
    raise PayloadError(f"Freshdesk webhook: {where} is not a ticket id: {value!r}")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def parse_webhook(payload: object) -> FreshdeskWebhook:
    """Typed view of a decoded automation-rule body.

    ``ticket_id`` is read at the top level, else one level down (any key). Raises
    ``PayloadError`` for a body that is not an object, names a ticket badly or names two
    different tickets, and ``UnsupportedEvent`` for a body without any ``ticket_id``.
    """
    if not isinstance(payload, Mapping):
        raise PayloadError(
            f"Freshdesk webhook body is not a JSON object: {type(payload).__name__}")
    if "ticket_id" in payload:
        source: Mapping[str, Any] = payload
        wrapper = None
        ticket_id = _ticket_id(payload["ticket_id"], "ticket_id")
    else:
        nested = [(str(key), value) for key, value in payload.items()
                  if isinstance(value, Mapping) and "ticket_id" in value]
        if not nested:
            raise UnsupportedEvent("Freshdesk webhook without a ticket_id "
                                   "(neither at the top level nor one level down)")
        ids = {_ticket_id(value["ticket_id"], f"{key}.ticket_id") for key, value in nested}
        if len(ids) > 1:
            raise PayloadError(f"Freshdesk webhook names several tickets: {sorted(ids)}")
        wrapper, source = nested[0]
        ticket_id = ids.pop()
    return FreshdeskWebhook(
        ticket_id=ticket_id,
        wrapper=wrapper,
        triggered_event=_text(source.get("triggered_event")),
        ticket_status=_text(source.get("ticket_status")),
    )


def ticket_id_from_webhook(payload: object) -> str:
    """The ticket a webhook is about (see ``parse_webhook`` for the errors)."""
    return parse_webhook(payload).ticket_id


# ---- API bodies ---------------------------------------------------------------------------


class ApiAgentContact(_Model):
    name: str | None = None
    email: str | None = None


class ApiAgent(_Model):
    """``GET /api/v2/agents/me`` (and ``/agents/{id}``): the user is in ``contact``."""

    id: int
    contact: ApiAgentContact | None = None


class ApiContact(_Model):
    id: int
    name: str | None = None
    email: str | None = None
    unique_external_id: str | None = None
    deleted: bool = False


class ApiAttachment(_Model):
    id: int | None = None
    name: str | None = None
    content_type: str | None = None
    attachment_url: str | None = None


class ApiConversation(_Model):
    """One item of ``GET /tickets/{id}/conversations``, or a created note or reply.

    ``source`` 0 is a reply (emailed to the requester), 2 a note; ``incoming`` marks what
    came from outside (the customer); ``private`` notes are for agents only.
    """

    id: int
    body: str | None = None  # HTML
    body_text: str | None = None
    incoming: bool = False
    private: bool = False
    user_id: int | None = None
    source: int | None = None
    ticket_id: int | None = None
    from_email: str | None = None
    created_at: datetime | None = None
    attachments: tuple[ApiAttachment, ...] = ()


class ApiTicket(_Model):
    id: int
    status: int
    priority: int | None = None
    source: int | None = None
    requester_id: int | None = None
    group_id: int | None = None
    subject: str | None = None
    description: str | None = None  # HTML (``description_html`` in some older bodies)
    description_text: str | None = None
    tags: tuple[str, ...] = ()
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    deleted: bool = False
    spam: bool = False
    attachments: tuple[ApiAttachment, ...] = ()


class SearchPage(_Model):
    """``GET /api/v2/search/tickets``: ``{"total": N, "results": [...]}`` (30 per page)."""

    total: int = 0
    results: tuple[ApiTicket, ...] = ()


class ApiNestedField(_Model):
    """A lower level of a dependent (``nested_field``) field: its own ``cf_*`` name."""

    name: str
    label: str | None = None
    level: int | None = None


class ApiTicketField(_Model):
    """One item of ``GET /api/v2/ticket_fields``; ``choices`` changes shape with ``type``."""

    id: int | None = None
    name: str
    label: str | None = None
    type: str
    default: bool = False
    required_for_agents: bool = False
    required_for_closure: bool = False
    choices: Any = None
    nested_ticket_fields: tuple[ApiNestedField, ...] = ()


_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


def next_page_url(link_header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (Freshdesk's list pagination)."""
    found = _LINK.search(link_header or "")
    return found.group(1) if found else None
