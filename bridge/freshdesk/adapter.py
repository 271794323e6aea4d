"""Freshdesk behind the Helpdesk protocol (API v2 over requests, see ``client.py``).

Vendor quirks handled here, and why:

- Requesters are contacts with ``unique_external_id``. We create first (one call for a new
  sender) and treat 409 as "already there": its ``additional_info.user_id``, else the
  contact found by ``GET /contacts?unique_external_id=``. Never a duplicate contact.
- Tickets have no external id: the marker is a tag (``mapping.marker_tag``). ``find_ticket``
  searches it (``/search/tickets``, one call); Freshdesk's search index lags by minutes, so
  when the search finds nothing the newest 100 tickets are scanned too (one more call).
- The first message is the ticket's description, not a conversation: ``create_ticket`` and
  ``find_ticket`` return no comment id. Later messages are notes ``incoming: true,
  private: false`` authored by the contact (``user_id``).
- Freshdesk accepts notes on closed tickets, so ``add_customer_comment`` reads the ticket
  first (two calls per message): Closed (5), trashed, spam or gone (404) raises
  ``TicketClosed``; any other status but Open is set back to Open *before* the note, so a
  retry after a failure in between still finds the ticket open and the note missing.
- A follow-up ticket gets a private note on both tickets naming the other, and the tag
  ``bridge_followup_<old id>``; ``find_ticket`` uses that tag to write notes a crash missed.
- Replies are conversations with ``source`` 0; private notes, public notes, incoming notes
  and the bridge's own agent (``GET /agents/me``) are never mirrored.
- A ticket is opened in one call with the rules' group, agent (``responder_id``), type
  (one of the account's ticket types, e.g. ``Question``), integer priority and
  ``custom_fields`` as ``{cf_x: value}``; Freshdesk has no brands.
- Files go as multipart ``attachments[]`` with the note or the ticket (20 MB in all).
- ``tags`` on update replaces the list and there is no "add tags": escalation actions read
  the ticket's tags first and send the union.
- Rate limits: see ``client.py`` (``pace()`` runs once at the start of every operation).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from bridge.config import Settings, get_settings
from bridge.domain import (
    NewComment,
    NewTicket,
    Requester,
    TicketActions,
    TicketRef,
    TicketView,
    Upload,
)
from bridge.errors import (
    BridgeError,
    ConfigError,
    NotFound,
    PermanentError,
    TicketClosed,
)
from bridge.fields.model import TicketField
from bridge.freshdesk.client import Answer, FileTuple, FreshdeskClient, form_fields
from bridge.freshdesk.fields import custom_ticket_fields
from bridge.freshdesk.mapping import (
    SOURCE_CHAT,
    STATUS_OPEN,
    agent_replies,
    conversation_text,
    followup_note_on_new,
    followup_note_on_old,
    followup_of_from_tags,
    followup_tag,
    is_closed,
    marker_tag,
    normalise_status,
    priority_value,
    same_text,
    text_to_html,
    ticket_tags,
)
from bridge.freshdesk.payloads import ApiAgent, ApiContact, ApiConversation, ApiTicket, SearchPage
from bridge.freshdesk.refusals import left_out_values, without
from bridge.refusals import create_leaving_out, left_out_note

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
MAX_PAGES = 500


def _fid(value: str | None, what: str = "id") -> int:
    try:
        return int(value or "")
    except ValueError:
        raise PermanentError(f"not a Freshdesk {what}: {value!r}") from None


def _model(model: type[M], body: Any, what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PermanentError(f"unexpected Freshdesk {what} body: {exc}") from exc


def freshdesk_base_url(settings: Settings) -> str:
    """FRESHDESK_BASE_URL, else ``https://{FRESHDESK_DOMAIN}.freshdesk.com`` (a full host
    name such as ``acme.freshdesk.com`` is accepted as the domain too)."""
    if settings.FRESHDESK_BASE_URL:
        return settings.FRESHDESK_BASE_URL.rstrip("/").removesuffix("/api/v2")
    domain = settings.FRESHDESK_DOMAIN.strip().removeprefix("https://").strip("/")
    if not domain:
        return ""
    return f"https://{domain}" if "." in domain else f"https://{domain}.freshdesk.com"


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
        external_id = requester.external_id
        body = {"name": requester.name or external_id, "unique_external_id": external_id}
        try:
            answer = self.client.request("POST", "contacts", json=body, allow=(409,))
        except PermanentError as exc:
            if "unique_external_id" not in str(exc):
                raise
            raise PermanentError(f"{exc} (the bridge needs the contact field Unique External "
                                 "ID: is it enabled in this Freshdesk account?)") from exc
        if answer.status != 409:
            return str(_model(ApiContact, answer.body, "contact").id)
        existing = _duplicate_user_id(answer.body)
        if existing is not None:
            return existing
        found = self.client.request("GET", "contacts", params={"unique_external_id": external_id})
        for item in found.body if isinstance(found.body, list) else []:
            contact = _model(ApiContact, item, "contact")
            if (contact.unique_external_id or "").lower() == external_id.lower():
                return str(contact.id)
        raise PermanentError(
            f"Freshdesk says a contact with unique_external_id {external_id!r} exists (409) "
            "but does not list it: it may be deleted or merged; restore it in Freshdesk")

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        self.client.pace()
        fields: dict[str, Any] = {
            "requester_id": _fid(ticket.requester_id, "contact id"),
            "subject": ticket.subject or "(no subject)",
            "description": text_to_html(ticket.comment.body),
            "status": STATUS_OPEN,
            "priority": priority_value(ticket.priority),
            "source": SOURCE_CHAT,
            "tags": ticket_tags(ticket.tags, marker_tag(ticket.marker),
                                followup_tag(ticket.followup_of) if ticket.followup_of else ""),
        }
        fields.update(_assignment(ticket))
        answer, refusals = create_leaving_out(lambda left_out: self._send(
            "tickets", without(fields, left_out), ticket.comment.uploads))
        created = _model(ApiTicket, answer.body, "ticket")
        if ticket.followup_of:
            self._link_followup(str(created.id), ticket.followup_of, check_first=False)
        if refusals:
            self._note_left_out(str(created.id), left_out_note(
                "Freshdesk", left_out_values(fields, refusals), refusals))
        return TicketRef(str(created.id))

    def _note_left_out(self, ticket_id: str, body: str) -> None:
        """Best effort: the ticket exists, and failing now would only risk a second one."""
        try:
            self._note(ticket_id, body, private=True)
        except BridgeError as exc:
            log.warning("freshdesk_left_out_note_failed", ticket_id=ticket_id, error=str(exc))

    def find_ticket(self, marker: str) -> TicketRef | None:
        """Recovery only. No comment id: the first message is the ticket's description."""
        self.client.pace()
        tag = marker_tag(marker)
        found = self._search_tag(tag) or self._recent_with_tag(tag)
        if found is None:
            return None
        old = followup_of_from_tags(found.tags)
        if old is not None:
            self._link_followup(str(found.id), old, check_first=True)
        return TicketRef(str(found.id))

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        self.client.pace()
        ticket = self._ticket_or_closed(ticket_id)
        if ticket.status != STATUS_OPEN:
            self.client.request("PUT", f"tickets/{_fid(ticket_id)}",
                                json={"status": STATUS_OPEN})
        note = self._note(ticket_id, comment.body, private=False, incoming=True,
                          user_id=_fid(comment.author_id, "contact id"), uploads=comment.uploads)
        return TicketRef(ticket_id, str(note.id))

    def find_customer_comment(
        self, ticket_id: str, comment: NewComment, after_comment_id: str | None
    ) -> TicketRef | None:
        self.client.pace()
        after = int(after_comment_id) if after_comment_id and after_comment_id.isdigit() else 0
        author = _fid(comment.author_id, "contact id")
        for found in self._conversations(ticket_id):
            if (found.id > after and found.incoming and not found.private
                    and found.user_id == author and same_text(found, comment.body)):
                return TicketRef(ticket_id, str(found.id))
        return None

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        self.client.pace()
        self._note(ticket_id, body, private=True)

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
            fields["group_id"] = _fid(actions.group_id, "group id")
        if fields:
            self.client.request("PUT", f"tickets/{_fid(ticket_id)}", json=fields)
        if actions.note:
            self._note(ticket_id, actions.note, private=True)

    def set_status(self, ticket_id: str, status: str) -> None:
        """One PUT with Freshdesk's integer status; solved is Resolved (4). A closed (or
        deleted) ticket raises ``TicketClosed``, as the protocol asks."""
        code = SETTABLE.get(status)
        if code is None:
            raise PermanentError(f"Freshdesk: cannot set status {status!r}")
        self.client.pace()
        ticket = self._ticket_or_closed(ticket_id)
        if ticket.status != code:
            self.client.request("PUT", f"tickets/{_fid(ticket_id)}", json={"status": code})

    def read_ticket(self, ticket_id: str) -> TicketView:
        self.client.pace()
        me = self.api_agent().id
        ticket = self._ticket(ticket_id)
        return TicketView(ticket_id, normalise_status(ticket),
                          agent_replies(self._conversations(ticket_id), me),
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
            self._api_agent = _model(ApiAgent, body, "agent")
        return self._api_agent

    def request(self, method: str, path: str, *, json: Mapping[str, Any] | None = None,
                params: Mapping[str, Any] | None = None) -> Answer:
        """A raw API call through the same client (errors mapped, budget observed)."""
        return self.client.request(method, path, json=json, params=params)

    # ---- helpers ---------------------------------------------------------------------------

    def _send(self, path: str, fields: dict[str, Any], uploads: tuple[Upload, ...]) -> Answer:
        """POST as JSON, or as multipart with ``attachments[]`` when there are files."""
        if not uploads:
            return self.client.request("POST", path, json=fields)
        files: list[FileTuple] = [
            ("attachments[]", (u.filename, u.data, u.content_type)) for u in uploads]
        return self.client.request("POST", path, data=form_fields(fields), files=files)

    def _note(self, ticket_id: str, text: str, *, private: bool, incoming: bool = False,
              user_id: int | None = None, uploads: tuple[Upload, ...] = ()) -> ApiConversation:
        fields: dict[str, Any] = {"body": text_to_html(text), "private": private}
        if incoming:
            fields["incoming"] = True
        if user_id is not None:
            fields["user_id"] = user_id
        answer = self._send(f"tickets/{_fid(ticket_id)}/notes", fields, uploads)
        return _model(ApiConversation, answer.body, "note")

    def _ticket(self, ticket_id: str) -> ApiTicket:
        return _model(ApiTicket, self.client.request("GET", f"tickets/{_fid(ticket_id)}").body,
                      "ticket")

    def _ticket_or_closed(self, ticket_id: str) -> ApiTicket:
        answer = self.client.request("GET", f"tickets/{_fid(ticket_id)}", allow=(404,))
        if answer.status == 404:
            raise TicketClosed(f"Freshdesk ticket {ticket_id} no longer exists (404)")
        ticket = _model(ApiTicket, answer.body, "ticket")
        if is_closed(ticket):
            raise TicketClosed(f"Freshdesk ticket {ticket_id} is closed (status "
                               f"{ticket.status}{', deleted' if ticket.deleted else ''})")
        return ticket

    def _conversations(self, ticket_id: str) -> list[ApiConversation]:
        """Every conversation of a ticket (all pages, ``Link`` header), oldest first."""
        found: list[ApiConversation] = []
        url: str | None = f"tickets/{_fid(ticket_id)}/conversations"
        params: dict[str, Any] | None = {"per_page": 100}
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            answer = self.client.request("GET", url, params=params)
            items = answer.body if isinstance(answer.body, list) else []
            found += [_model(ApiConversation, item, "conversation") for item in items]
            url, params = answer.next_url, None
        return sorted(found, key=lambda c: c.id)

    def _search_tag(self, tag: str) -> ApiTicket | None:
        answer = self.client.request("GET", "search/tickets",
                                     params={"query": f"\"tag:'{tag}'\""})
        page = _model(SearchPage, answer.body or {}, "search")
        return next((t for t in page.results if tag in t.tags), None)

    def _recent_with_tag(self, tag: str) -> ApiTicket | None:
        params = {"order_by": "created_at", "order_type": "desc", "per_page": 100}
        answer = self.client.request("GET", "tickets", params=params)
        tickets = _tickets(answer.body)
        return next((t for t in tickets if tag in t.tags), None)

    def _link_followup(self, new_id: str, old_id: str, *, check_first: bool) -> None:
        """Private notes on both tickets naming the other (skipped where one exists)."""
        me = self.api_agent().id if check_first else None
        for ticket_id, text in ((new_id, followup_note_on_new(old_id)),
                                (old_id, followup_note_on_old(new_id))):
            try:
                if check_first and any(
                        c.private and c.user_id == me and conversation_text(c) == text
                        for c in self._conversations(ticket_id)):
                    continue
                self._note(ticket_id, text, private=True)
            except NotFound:
                # The old ticket was deleted for good: nothing to link it to, and the
                # customer's message is already safe on the new ticket.
                continue


PRIORITY_NAMES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}
# The bridge's normalised statuses as Freshdesk's integers (hold: "Waiting on Third Party").
SETTABLE = {"open": 2, "pending": 3, "solved": 4, "hold": 7}


def _assignment(ticket: NewTicket) -> dict[str, Any]:
    """Group, agent (``responder_id``), type and custom fields of a new ticket; Freshdesk
    has no brands, so ``brand_id`` is not sent."""
    fields: dict[str, Any] = {}
    if ticket.group_id:
        fields["group_id"] = _fid(ticket.group_id, "group id")
    if ticket.assignee_id:
        fields["responder_id"] = _fid(ticket.assignee_id, "agent id")
    if ticket.ticket_type:
        fields["type"] = ticket.ticket_type
    if ticket.custom_fields:
        fields["custom_fields"] = dict(ticket.custom_fields)
    return fields


def _tickets(body: Any) -> Iterator[ApiTicket]:
    for item in body if isinstance(body, list) else []:
        yield _model(ApiTicket, item, "ticket")


def _duplicate_user_id(body: Any) -> str | None:
    """``errors[].additional_info.user_id`` of a 409 duplicate, when Freshdesk gives it."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for item in errors if isinstance(errors, list) else []:
        info = item.get("additional_info") if isinstance(item, dict) else None
        user_id = info.get("user_id") if isinstance(info, dict) else None
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            return str(user_id)
    return None
