"""Opening a ticket in one call with the rules' group, agent (``responder_id``), type (one
of the account's ticket types, e.g. ``Question``), integer priority and ``custom_fields``
as ``{cf_x: value}``; Freshdesk has no brands.

The first message is the ticket's description, not a conversation, so there is no comment
id. A value Freshdesk refuses is left out, and named in a private note (``bridge.refusals``):
never the customer's message.
"""

from __future__ import annotations

from typing import Any

import structlog

from bridge.domain import NewTicket, TicketRef
from bridge.errors import BridgeError
from bridge.freshdesk.client import FreshdeskClient, as_model, fid
from bridge.freshdesk.followup import link_followup
from bridge.freshdesk.mapping import (
    SOURCE_CHAT,
    STATUS_OPEN,
    followup_tag,
    marker_tag,
    priority_value,
    text_to_html,
    ticket_tags,
)
from bridge.freshdesk.notes import add_note, send
from bridge.freshdesk.payloads import ApiTicket
from bridge.freshdesk.refusals import left_out_values, without
from bridge.refusals import create_leaving_out, left_out_note

log = structlog.get_logger(__name__)


def create_ticket(client: FreshdeskClient, ticket: NewTicket) -> TicketRef:
    """The new ticket, linked to the one it follows up, if any."""
    fields: dict[str, Any] = {
        "requester_id": fid(ticket.requester_id, "contact id"),
        "subject": ticket.subject or "(no subject)",
        "description": text_to_html(ticket.comment.body),
        "status": STATUS_OPEN,
        "priority": priority_value(ticket.priority),
        "source": SOURCE_CHAT,
        "tags": ticket_tags(ticket.tags, marker_tag(ticket.marker),
                            followup_tag(ticket.followup_of) if ticket.followup_of else ""),
    }
    fields.update(_assignment(ticket))
    answer, refusals = create_leaving_out(lambda left_out: send(
        client, "tickets", without(fields, left_out), ticket.comment.uploads))
    created = as_model(ApiTicket, answer.body, "ticket")
    if ticket.followup_of:
        link_followup(client, str(created.id), ticket.followup_of, skip_if_by=None)
    if refusals:
        _note_left_out(client, str(created.id), left_out_note(
            "Freshdesk", left_out_values(fields, refusals), refusals))
    return TicketRef(str(created.id))


def _assignment(ticket: NewTicket) -> dict[str, Any]:
    """Group, agent (``responder_id``), type and custom fields of a new ticket; Freshdesk
    has no brands, so ``brand_id`` is not sent."""
    fields: dict[str, Any] = {}
    if ticket.group_id:
        fields["group_id"] = fid(ticket.group_id, "group id")
    if ticket.assignee_id:
        fields["responder_id"] = fid(ticket.assignee_id, "agent id")
    if ticket.ticket_type:
        fields["type"] = ticket.ticket_type
    if ticket.custom_fields:
        fields["custom_fields"] = dict(ticket.custom_fields)
    return fields


def _note_left_out(client: FreshdeskClient, ticket_id: str, body: str) -> None:
    """Best effort: the ticket exists, and failing now would only risk a second one."""
    try:
        add_note(client, ticket_id, body, private=True)
    except BridgeError as exc:
        log.warning("freshdesk_left_out_note_failed", ticket_id=ticket_id, error=str(exc))
