"""The Helpdesk protocol: everything the pipeline asks of Zendesk or Freshdesk.

Every method raises ``TransientError`` (retry, maybe at ``retry_after``) or
``PermanentError`` (give up, visible failed state); ``TicketClosed`` is the one
permanent error the pipeline handles itself, by opening a follow-up ticket.
"""

from __future__ import annotations

from typing import Protocol

from bridge.domain import (
    NewComment,
    NewTicket,
    Requester,
    TicketActions,
    TicketRef,
    TicketView,
)
from bridge.fields.model import TicketField


class Helpdesk(Protocol):
    name: str

    def ensure_requester(self, requester: Requester) -> str:
        """Create or find the user with this external id; return the helpdesk user id."""

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        """Open a ticket whose first comment is ``ticket.comment`` (one API call)."""

    def find_ticket(self, marker: str) -> TicketRef | None:
        """Recovery: the ticket created earlier with this marker, if that call went through."""

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        """Add a public comment by the requester, reopening a pending or solved ticket.

        Raises ``TicketClosed`` when the ticket is closed.
        """

    def find_customer_comment(
        self, ticket_id: str, comment: NewComment, after_comment_id: str | None
    ) -> TicketRef | None:
        """Recovery: the comment with this author and body added after ``after_comment_id``."""

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        """A private note by the API user; never mirrored back to the customer."""

    def read_ticket(self, ticket_id: str) -> TicketView:
        """Status and the public agent comments of a ticket, oldest first."""

    def apply_actions(self, ticket_id: str, actions: TicketActions) -> None:
        """Add and remove tags, set priority, group and custom fields, add an internal note
        (escalation steps, CSAT answers).

        Idempotent: tags are added, not replaced, and values are set, not toggled.
        """

    def set_status(self, ticket_id: str, status: str) -> None:
        """Set the ticket's status (one of the normalised ``open``, ``pending``, ``hold``,
        ``solved``), e.g. when the bridge solves a pending ticket automatically.

        Idempotent: setting the status a ticket already has changes nothing. Raises
        ``TicketClosed`` when the ticket is closed.
        """

    def ticket_fields(self) -> tuple[TicketField, ...]:
        """The helpdesk's custom ticket fields (system fields left out), active or not,
        for validating mappings and rule values (cached by ``bridge.fields.cache``)."""
