"""Zendesk behind the Helpdesk protocol, through zenpy (``client.py``).

Vendor quirks handled here, and why (the session's, ticket creation's, uploads' and the
comments list's are in ``client.py``, ``create.py``, ``uploads.py`` and ``comments.py``):

- zenpy's object cache would hand back stale tickets, so it is disabled.
- The inline requester of a ticket cannot carry an ``external_id``: requesters go through
  ``users/create_or_update`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User

from bridge.config import Settings, get_settings
from bridge.domain import (
    NewComment,
    NewTicket,
    Requester,
    TicketActions,
    TicketRef,
    TicketView,
)
from bridge.errors import ConfigError, PermanentError
from bridge.fields.model import TicketField
from bridge.helpdesk_http import api_url
from bridge.zendesk import create
from bridge.zendesk.client import ZendeskSession, zenpy_errors, zenpy_subdomain, zid
from bridge.zendesk.comments import read_comments
from bridge.zendesk.fields import custom_ticket_fields
from bridge.zendesk.mapping import agent_replies, comment_id_from_audit, normalise_status
from bridge.zendesk.uploads import UploadTokens

SETTABLE_STATUSES = ("open", "pending", "hold", "solved")


class ZendeskHelpdesk:
    """The Helpdesk protocol over the Zendesk Support API (token auth)."""

    name = "zendesk"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        email: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
    ) -> None:
        conf = settings or get_settings()
        configured = conf.ZENDESK_BASE_URL or conf.ZENDESK_SUBDOMAIN
        self.base_url = (base_url or (conf.zendesk_base_url if configured else "")).rstrip("/")
        email, token = email or conf.ZENDESK_EMAIL, token or conf.ZENDESK_API_TOKEN
        if not (self.base_url and email and token):
            raise ConfigError("Zendesk: set ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL), "
                              "ZENDESK_EMAIL and ZENDESK_API_TOKEN")
        self.timeout = timeout or conf.BRIDGE_HTTP_TIMEOUT
        subdomain = zenpy_subdomain(self.base_url, conf.ZENDESK_SUBDOMAIN)
        self.session = ZendeskSession(f"https://{subdomain}.zendesk.com", self.base_url,
                                      self.timeout)
        self._zenpy = Zenpy(subdomain=subdomain, email=email, token=token, session=self.session,
                            timeout=self.timeout, disable_cache=True)
        self._api_user_id: int | None = None
        self._uploads = UploadTokens(self._zenpy)

    # ---- the Helpdesk protocol ---------------------------------------------------------

    def ensure_requester(self, requester: Requester) -> str:
        name = requester.name or requester.external_id  # Zendesk refuses a user without a name
        user = User(external_id=requester.external_id, name=name, role="end-user")
        with zenpy_errors():
            return str(self._zenpy.users.create_or_update(user).id)

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        """See ``create.py``: a value Zendesk refuses is left out and named in a note."""
        return create.create_ticket(self._zenpy, self._uploads, ticket, self.add_internal_note)

    def find_ticket(self, marker: str) -> TicketRef | None:
        """Recovery only: the ticket and its first comment (later recoveries of the same
        conversation must not match that comment again)."""
        with zenpy_errors():
            for found in self._zenpy.tickets(external_id=marker):
                if found.external_id == marker:
                    comments, _ = read_comments(self, str(found.id))
                    first = str(comments[0].id) if comments else None
                    return TicketRef(str(found.id), first)
        return None

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        update = Ticket(id=zid(ticket_id), status="open", comment=self._uploads.comment(comment))
        with zenpy_errors():
            audit = self._zenpy.tickets.update(update)
        self._uploads.forget(comment)
        return TicketRef(ticket_id, comment_id_from_audit(audit.audit.events))

    def find_customer_comment(
        self, ticket_id: str, comment: NewComment, after_comment_id: str | None
    ) -> TicketRef | None:
        after = zid(after_comment_id) if after_comment_id else 0
        author = zid(comment.author_id)
        comments, _ = read_comments(self, ticket_id)
        for found in comments:
            if found.id > after and found.public and found.author_id == author and (
                comment.body in (found.body, found.plain_body)
            ):
                return TicketRef(ticket_id, str(found.id))
        return None

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        note = Ticket(id=zid(ticket_id), comment=Comment(body=body, public=False))
        with zenpy_errors():
            self._zenpy.tickets.update(note)

    def apply_actions(self, ticket_id: str, actions: TicketActions) -> None:
        """One PUT: ``additional_tags`` adds (``tags`` would replace), a private comment."""
        body: dict[str, Any] = {}
        if actions.add_tags:
            body["additional_tags"] = list(actions.add_tags)
        if actions.remove_tags:
            body["remove_tags"] = list(actions.remove_tags)
        if actions.custom_fields:
            body["custom_fields"] = [{"id": zid(key), "value": value}
                                     for key, value in actions.custom_fields]
        if actions.priority:
            body["priority"] = actions.priority
        if actions.group_id:
            body["group_id"] = zid(actions.group_id)
        if actions.note:
            body["comment"] = {"body": actions.note, "public": False}
        if body:
            self.request("PUT", f"tickets/{zid(ticket_id)}", json={"ticket": body})

    def set_status(self, ticket_id: str, status: str) -> None:
        """One PUT; Zendesk's statuses are the normalised ones (``new`` cannot be set back).
        A closed ticket answers 422, which ``error_for_response`` maps to ``TicketClosed``."""
        if status not in SETTABLE_STATUSES:
            raise PermanentError(f"Zendesk: cannot set status {status!r}")
        self.request("PUT", f"tickets/{zid(ticket_id)}", json={"ticket": {"status": status}})

    def read_ticket(self, ticket_id: str) -> TicketView:
        api_user_id = self.api_user_id()
        with zenpy_errors():
            ticket = self._zenpy.tickets(id=zid(ticket_id))
            status, priority, tags = ticket.status, ticket.priority, tuple(ticket.tags or ())
        comments, users = read_comments(self, ticket_id)
        return TicketView(ticket_id, normalise_status(status),
                          agent_replies(comments, users, api_user_id),
                          priority=priority or None, tags=tags)

    def ticket_fields(self) -> tuple[TicketField, ...]:
        """Custom fields only (see ``fields.py``); one call, every field (unpaginated)."""
        with zenpy_errors():
            items = [field.to_dict() for field in self._zenpy.ticket_fields()]
        return custom_ticket_fields(items)

    # ---- shared plumbing (install.py and comments.py use ``request``) --------------------

    def api_user_id(self) -> int:
        """The bridge's own Zendesk user (``users/me``), asked once per instance."""
        if self._api_user_id is None:
            with zenpy_errors():
                self._api_user_id = int(self._zenpy.users.me().id)
        return self._api_user_id

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A raw API call through the same session: ``path`` under /api/v2, or a full URL."""
        url = api_url(f"{self.base_url}/api/v2", path)
        response = self.session.request(method, url, json=json, params=params)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise PermanentError(f"Zendesk answered {method} {path} with non-JSON") from None
        if not isinstance(data, dict):
            raise PermanentError(f"Zendesk answered {method} {path} with a non-object")
        return data
