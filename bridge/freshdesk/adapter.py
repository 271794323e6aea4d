"""Freshdesk behind the Helpdesk protocol (API v2 over requests, see ``client.py``).

Vendor quirks handled here, and why (requesters, ticket creation, finding a ticket by its
marker, follow-up links, notes with files and reading conversations are explained in
``requesters.py``, ``create.py``, ``search.py``, ``followup.py``, ``notes.py`` and
``comments.py``):

- Tickets have no external id: the marker is a tag (``mapping.marker_tag``). The first
  message is the ticket's description, not a conversation: ``create_ticket`` and
  ``find_ticket`` return no comment id. Later messages are notes ``incoming: true,
  private: false`` authored by the contact (``user_id``).
- Freshdesk accepts notes on closed tickets, so ``add_customer_comment`` reads the ticket
  first (two calls per message): Closed (5), trashed, spam or gone (404) raises
  ``TicketClosed``; any other status but Open is set back to Open *before* the note, so a
  retry after a failure in between still finds the ticket open and the note missing.
- Replies are conversations with ``source`` 0; private notes, public notes, incoming notes
  and the bridge's own agent (``GET /agents/me``) are never mirrored.
- ``tags`` on update replaces the list and there is no "add tags": escalation actions read
  the ticket's tags first and send the union.
- Rate limits: see ``client.py`` (``pace()`` runs once at the start of every operation).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bridge.config import Settings, get_settings
from bridge.domain import (
    NewComment,
    NewTicket,
    Requester,
    TicketActions,
    TicketRef,
    TicketView,
)
from bridge.errors import ConfigError, PermanentError, TicketClosed
from bridge.fields.model import TicketField
from bridge.freshdesk import create
from bridge.freshdesk.client import Answer, FreshdeskClient, as_model, fid, freshdesk_base_url
from bridge.freshdesk.comments import read_comments
from bridge.freshdesk.fields import custom_ticket_fields
from bridge.freshdesk.followup import link_followup
from bridge.freshdesk.mapping import (
    STATUS_OPEN,
    agent_replies,
    followup_of_from_tags,
    is_closed,
    marker_tag,
    normalise_status,
    priority_value,
    same_text,
    ticket_tags,
)
from bridge.freshdesk.notes import add_note
from bridge.freshdesk.payloads import ApiAgent, ApiTicket
from bridge.freshdesk.requesters import ensure_contact
from bridge.freshdesk.search import ticket_with_tag


class FreshdeskHelpdesk:
    """The Helpdesk protocol over the Freshdesk API v2 (API key auth)."""

    name = "freshdesk"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
    ) -> None:
        conf = settings or get_settings()
        self.base_url = (base_url or freshdesk_base_url(conf)).rstrip("/").removesuffix("/api/v2")
        api_key = api_key or conf.FRESHDESK_API_KEY
        if not (self.base_url and api_key):
            raise ConfigError("Freshdesk: set FRESHDESK_DOMAIN (or FRESHDESK_BASE_URL) "
                              "and FRESHDESK_API_KEY")
        self.timeout = timeout or conf.BRIDGE_HTTP_TIMEOUT
        self.client = FreshdeskClient(self.base_url, api_key, self.timeout)
        self._api_agent: ApiAgent | None = None

    # ---- the Helpdesk protocol ---------------------------------------------------------

    def ensure_requester(self, requester: Requester) -> str:
        self.client.pace()
        return ensure_contact(self.client, requester)

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        self.client.pace()
        return create.create_ticket(self.client, ticket)

    def find_ticket(self, marker: str) -> TicketRef | None:
        """Recovery only. No comment id: the first message is the ticket's description."""
        self.client.pace()
        found = ticket_with_tag(self.client, marker_tag(marker))
        if found is None:
            return None
        old = followup_of_from_tags(found.tags)
        if old is not None:
            link_followup(self.client, str(found.id), old, skip_if_by=self.api_agent().id)
        return TicketRef(str(found.id))

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        self.client.pace()
        ticket = self._ticket_or_closed(ticket_id)
        if ticket.status != STATUS_OPEN:
            self.client.request("PUT", f"tickets/{fid(ticket_id)}",
                                json={"status": STATUS_OPEN})
        note = add_note(self.client, ticket_id, comment.body, private=False, incoming=True,
                        user_id=fid(comment.author_id, "contact id"), uploads=comment.uploads)
        return TicketRef(ticket_id, str(note.id))

    def find_customer_comment(
        self, ticket_id: str, comment: NewComment, after_comment_id: str | None
    ) -> TicketRef | None:
        self.client.pace()
        after = int(after_comment_id) if after_comment_id and after_comment_id.isdigit() else 0
        author = fid(comment.author_id, "contact id")
        for found in read_comments(self.client, ticket_id):
            if (found.id > after and found.incoming and not found.private
                    and found.user_id == author and same_text(found, comment.body)):
                return TicketRef(ticket_id, str(found.id))
        return None

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        self.client.pace()
        add_note(self.client, ticket_id, body, private=True)

    def apply_actions(self, ticket_id: str, actions: TicketActions) -> None:
        """One PUT for tags, priority and group, then the note (so a retry after a failed
        note repeats only the idempotent PUT). Freshdesk's ``tags`` replaces the list and
        there is no "add tags", so the ticket is read first when tags are added."""
        self.client.pace()
        fields: dict[str, Any] = {}
        if actions.add_tags or actions.remove_tags:
            current = list(self._ticket(ticket_id).tags)
            merged = [t for t in ticket_tags(current + list(actions.add_tags))
                      if t not in set(actions.remove_tags)]
            if merged != current:
                fields["tags"] = merged
        if actions.custom_fields:
            fields["custom_fields"] = dict(actions.custom_fields)
        if actions.priority:
            fields["priority"] = priority_value(actions.priority)
        if actions.group_id:
            fields["group_id"] = fid(actions.group_id, "group id")
        if fields:
            self.client.request("PUT", f"tickets/{fid(ticket_id)}", json=fields)
        if actions.note:
            add_note(self.client, ticket_id, actions.note, private=True)

    def set_status(self, ticket_id: str, status: str) -> None:
        """One PUT with Freshdesk's integer status; solved is Resolved (4). A closed (or
        deleted) ticket raises ``TicketClosed``, as the protocol asks."""
        code = SETTABLE.get(status)
        if code is None:
            raise PermanentError(f"Freshdesk: cannot set status {status!r}")
        self.client.pace()
        ticket = self._ticket_or_closed(ticket_id)
        if ticket.status != code:
            self.client.request("PUT", f"tickets/{fid(ticket_id)}", json={"status": code})

    def read_ticket(self, ticket_id: str) -> TicketView:
        self.client.pace()
        me = self.api_agent().id
        ticket = self._ticket(ticket_id)
        return TicketView(ticket_id, normalise_status(ticket),
                          agent_replies(read_comments(self.client, ticket_id), me),
                          priority=PRIORITY_NAMES.get(ticket.priority or 0),
                          tags=tuple(ticket.tags))

    def ticket_fields(self) -> tuple[TicketField, ...]:
        """Custom (``cf_*``) fields only, see ``fields.py``; one call, never paginated."""
        self.client.pace()
        body = self.client.request("GET", "ticket_fields").body
        return custom_ticket_fields(body if isinstance(body, list) else [])

    # ---- shared plumbing (check.py uses these) ---------------------------------------------

    def api_agent(self) -> ApiAgent:
        """The agent of the API key (``agents/me``), asked once per instance."""
        if self._api_agent is None:
            body = self.client.request("GET", "agents/me").body
            self._api_agent = as_model(ApiAgent, body, "agent")
        return self._api_agent

    def request(self, method: str, path: str, *, json: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None) -> Answer:
        """A raw API call through the same client (errors mapped, budget observed)."""
        return self.client.request(method, path, json=json, params=params)

    # ---- helpers ---------------------------------------------------------------------------

    def _ticket(self, ticket_id: str) -> ApiTicket:
        body = self.client.request("GET", f"tickets/{fid(ticket_id)}").body
        return as_model(ApiTicket, body, "ticket")

    def _ticket_or_closed(self, ticket_id: str) -> ApiTicket:
        answer = self.client.request("GET", f"tickets/{fid(ticket_id)}", allow=(404,))
        if answer.status == 404:
            raise TicketClosed(f"Freshdesk ticket {ticket_id} no longer exists (404)")
        ticket = as_model(ApiTicket, answer.body, "ticket")
        if is_closed(ticket):
            raise TicketClosed(f"Freshdesk ticket {ticket_id} is closed (status "
                               f"{ticket.status}{', deleted' if ticket.deleted else ''})")
        return ticket


PRIORITY_NAMES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
# The bridge's normalised statuses as Freshdesk's integers (hold: "Waiting on Third Party").
SETTABLE = {"open": 2, "pending": 3, "solved": 4, "hold": 7}
