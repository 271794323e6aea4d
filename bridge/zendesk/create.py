"""Opening a ticket in one call with everything the rules decided: ``assignee_id``,
``type`` (lower case: problem, incident, question, task), ``brand_id``, ``group_id``,
``priority`` and ``custom_fields`` as ``[{id, value}]``.

A group, agent, type, brand or custom field value Zendesk refuses is left out, and named
in a private note (``bridge.refusals``): never the customer's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from zenpy import Zenpy
from zenpy.lib.api_objects import Ticket

from bridge.domain import NewTicket, TicketRef
from bridge.errors import BridgeError
from bridge.refusals import create_leaving_out, left_out_note
from bridge.zendesk.client import zenpy_errors, zid
from bridge.zendesk.mapping import comment_id_from_audit
from bridge.zendesk.refusals import leavable, left_out_values, without
from bridge.zendesk.uploads import UploadTokens

log = structlog.get_logger(__name__)


def create_ticket(zenpy: Zenpy, uploads: UploadTokens, ticket: NewTicket,
                  note: Callable[[str, str], None]) -> TicketRef:
    """The new ticket and its first comment; ``note(ticket_id, body)`` names what was left
    out."""
    audit, refusals = create_leaving_out(
        lambda left_out: _create(zenpy, uploads, without(ticket, left_out)), leavable(ticket))
    uploads.forget(ticket.comment)
    ref = TicketRef(str(audit.ticket.id), comment_id_from_audit(audit.audit.events))
    if refusals:
        values = left_out_values(ticket, refusals)
        try:
            note(ref.ticket_id, left_out_note("Zendesk", values, refusals))
        except BridgeError as exc:  # the ticket exists: failing now risks a second one
            log.warning("zendesk_left_out_note_failed", ticket_id=ref.ticket_id,
                        error=str(exc))
    return ref


def _create(zenpy: Zenpy, uploads: UploadTokens, ticket: NewTicket) -> Any:
    group, assignee, brand = ticket.group_id, ticket.assignee_id, ticket.brand_id
    kind = ticket.ticket_type
    fields = [{"id": zid(key), "value": value} for key, value in ticket.custom_fields]
    new = Ticket(
        requester_id=zid(ticket.requester_id),
        subject=ticket.subject,
        comment=uploads.comment(ticket.comment),
        tags=list(ticket.tags),
        external_id=ticket.marker,
        priority=ticket.priority,
        group_id=zid(group) if group else None,
        assignee_id=zid(assignee) if assignee else None,
        type=kind.lower() if kind else None,
        brand_id=zid(brand) if brand else None,
        custom_fields=fields or None,
        via_followup_source_id=zid(ticket.followup_of) if ticket.followup_of else None,
    )
    with zenpy_errors():
        return zenpy.tickets.create(new)
