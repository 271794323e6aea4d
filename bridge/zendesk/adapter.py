"""Zendesk behind the Helpdesk protocol; the only module that imports zenpy.

Vendor quirks handled here, and why:

- zenpy always builds ``https://{subdomain}.zendesk.com/api/v2/...``; ``ZendeskSession``
  rewrites that prefix to ``ZENDESK_BASE_URL`` (a sandbox such as ``http://127.0.0.1:9100``).
- zenpy sleeps through a 429 inside ``_call_api``. A worker must never sleep: the session
  raises ``TransientError(retry_after=...)`` before zenpy sees the response, and maps every
  other failure to a bridge error the same way (see ``mapping.error_for_response``).
- zenpy's object cache would hand back stale tickets, so it is disabled.
- The inline requester of a ticket cannot carry an ``external_id``: requesters go through
  ``users/create_or_update`` first.
- A ticket is opened in one call with everything the rules decided: ``assignee_id``,
  ``type`` (lower case: problem, incident, question, task), ``brand_id``, ``group_id``,
  ``priority`` and ``custom_fields`` as ``[{id, value}]``.
- Comment authors' roles come from the ``include=users`` sideload of the comments list,
  which zenpy's object layer drops, so that list is read raw through the same session.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests
import structlog
from pydantic import ValidationError
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User
from zenpy.lib.exception import ZenpyException

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
from bridge.errors import BridgeError, ConfigError, PermanentError, TransientError
from bridge.fields.model import TicketField
from bridge.refusals import create_leaving_out, left_out_note
from bridge.zendesk.fields import custom_ticket_fields
from bridge.zendesk.mapping import (
    REFUSABLE,
    agent_replies,
    comment_id_from_audit,
    error_for_response,
    normalise_status,
)
from bridge.zendesk.payloads import ApiComment, ApiUser, CommentsPage, next_page_url

log = structlog.get_logger(__name__)
SETTABLE_STATUSES = ("open", "pending", "hold", "solved")


class ZendeskSession(requests.Session):
    """A requests session that points zenpy at ``base_url`` and never lets it sleep.

    zenpy only deserialises a response whose request URL names ``{subdomain}.zendesk.com``,
    so the response carries a copy of its request with that canonical URL; the wire (and
    the sandbox's own pagination links) use ``base_url``.
    """

    def __init__(self, zenpy_prefix: str, base_url: str, timeout: float) -> None:
        super().__init__()
        self.zenpy_prefix = zenpy_prefix.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        canonical = _swap_prefix(url, self.base_url, self.zenpy_prefix)
        wire = _swap_prefix(canonical, self.zenpy_prefix, self.base_url)
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        try:
            response = super().request(method, wire, *args, **kwargs)
        except requests.Timeout as exc:
            raise TransientError(f"Zendesk timed out ({method} {wire}): {exc}") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise TransientError(f"Zendesk unreachable ({method} {wire}): {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"Zendesk request failed ({method} {wire}): {exc}") from exc
        status = response.status_code
        if status >= 400 and (error := error_for_response(
                status, response.text, response.headers.get("Retry-After"))):
            raise error
        shown = response.request.copy()
        shown.url = canonical
        response.request = shown
        return response


def _swap_prefix(url: str, old: str, new: str) -> str:
    return new + url[len(old):] if url.startswith(old + "/") else url


@contextmanager
def _zenpy_errors() -> Iterator[None]:
    """zenpy's own complaints (a body it cannot map) are not worth a retry."""
    try:
        yield
    except ZenpyException as exc:
        raise PermanentError(f"unexpected Zendesk response: {exc}") from exc


def _zid(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentError(f"not a Zendesk id: {value!r}") from None


def _subdomain(base_url: str, configured: str) -> str:
    found = re.match(r"https?://([^./]+)\.zendesk\.com", base_url)
    return configured or (found.group(1) if found else "sandbox")


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
        subdomain = _subdomain(self.base_url, conf.ZENDESK_SUBDOMAIN)
        self.session = ZendeskSession(f"https://{subdomain}.zendesk.com", self.base_url,
                                      self.timeout)
        self._zenpy = Zenpy(subdomain=subdomain, email=email, token=token, session=self.session,
                            timeout=self.timeout, disable_cache=True)
        self._api_user_id: int | None = None
        self._tokens: dict[tuple[str, str], str] = {}  # upload tokens not attached yet

    # ---- the Helpdesk protocol ---------------------------------------------------------

    def ensure_requester(self, requester: Requester) -> str:
        name = requester.name or requester.external_id  # Zendesk refuses a user without a name
        user = User(external_id=requester.external_id, name=name, role="end-user")
        with _zenpy_errors():
            return str(self._zenpy.users.create_or_update(user).id)

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        """A group, agent, type or brand Zendesk refuses is left out, and named in a
        private note (``bridge.refusals``): never the customer's message."""
        audit, refusals = create_leaving_out(lambda left_out: self._create(ticket, left_out))
        self._forget_uploads(ticket.comment)
        ref = TicketRef(str(audit.ticket.id), comment_id_from_audit(audit.audit.events))
        if refusals:
            values = [(name, getattr(ticket, REFUSABLE[name]))
                      for refusal in refusals for name in refusal.fields]
            try:
                self.add_internal_note(ref.ticket_id,
                                       left_out_note("Zendesk", values, refusals))
            except BridgeError as exc:  # the ticket exists: failing now risks a second one
                log.warning("zendesk_left_out_note_failed", ticket_id=ref.ticket_id,
                            error=str(exc))
        return ref

    def _create(self, ticket: NewTicket, left_out: tuple[str, ...]) -> Any:
        leave = {REFUSABLE[name] for name in left_out}

        def chosen(attr: str) -> str | None:
            value: str | None = getattr(ticket, attr)
            return None if attr in leave else value

        group, assignee, brand = chosen("group_id"), chosen("assignee_id"), chosen("brand_id")
        kind = chosen("ticket_type")
        fields = [{"id": _zid(key), "value": value} for key, value in ticket.custom_fields]
        new = Ticket(
            requester_id=_zid(ticket.requester_id),
            subject=ticket.subject,
            comment=self._comment(ticket.comment),
            tags=list(ticket.tags),
            external_id=ticket.marker,
            priority=ticket.priority,
            group_id=_zid(group) if group else None,
            assignee_id=_zid(assignee) if assignee else None,
            type=kind.lower() if kind else None,
            brand_id=_zid(brand) if brand else None,
            custom_fields=fields or None,
            via_followup_source_id=_zid(ticket.followup_of) if ticket.followup_of else None,
        )
        with _zenpy_errors():
            return self._zenpy.tickets.create(new)

    def find_ticket(self, marker: str) -> TicketRef | None:
        """Recovery only: the ticket and its first comment (later recoveries of the same
        conversation must not match that comment again)."""
        with _zenpy_errors():
            for found in self._zenpy.tickets(external_id=marker):
                if found.external_id == marker:
                    comments, _ = self._read_comments(str(found.id))
                    first = str(comments[0].id) if comments else None
                    return TicketRef(str(found.id), first)
        return None

    def add_customer_comment(self, ticket_id: str, comment: NewComment) -> TicketRef:
        update = Ticket(id=_zid(ticket_id), status="open", comment=self._comment(comment))
        with _zenpy_errors():
            audit = self._zenpy.tickets.update(update)
        self._forget_uploads(comment)
        return TicketRef(ticket_id, comment_id_from_audit(audit.audit.events))

    def find_customer_comment(
        self, ticket_id: str, comment: NewComment, after_comment_id: str | None
    ) -> TicketRef | None:
        after = _zid(after_comment_id) if after_comment_id else 0
        author = _zid(comment.author_id)
        comments, _ = self._read_comments(ticket_id)
        for found in comments:
            if found.id > after and found.public and found.author_id == author and (
                comment.body in (found.body, found.plain_body)
            ):
                return TicketRef(ticket_id, str(found.id))
        return None

    def add_internal_note(self, ticket_id: str, body: str) -> None:
        note = Ticket(id=_zid(ticket_id), comment=Comment(body=body, public=False))
        with _zenpy_errors():
            self._zenpy.tickets.update(note)

    def apply_actions(self, ticket_id: str, actions: TicketActions) -> None:
        """One PUT: ``additional_tags`` adds (``tags`` would replace), a private comment."""
        body: dict[str, Any] = {}
        if actions.add_tags:
            body["additional_tags"] = list(actions.add_tags)
        if actions.remove_tags:
            body["remove_tags"] = list(actions.remove_tags)
        if actions.custom_fields:
            body["custom_fields"] = [{"id": _zid(key), "value": value}
                                     for key, value in actions.custom_fields]
        if actions.priority:
            body["priority"] = actions.priority
        if actions.group_id:
            body["group_id"] = _zid(actions.group_id)
        if actions.note:
            body["comment"] = {"body": actions.note, "public": False}
        if body:
            self.request("PUT", f"tickets/{_zid(ticket_id)}", json={"ticket": body})

    def set_status(self, ticket_id: str, status: str) -> None:
        """One PUT; Zendesk's statuses are the normalised ones (``new`` cannot be set back).
        A closed ticket answers 422, which ``error_for_response`` maps to ``TicketClosed``."""
        if status not in SETTABLE_STATUSES:
            raise PermanentError(f"Zendesk: cannot set status {status!r}")
        self.request("PUT", f"tickets/{_zid(ticket_id)}", json={"ticket": {"status": status}})

    def read_ticket(self, ticket_id: str) -> TicketView:
        api_user_id = self.api_user_id()
        with _zenpy_errors():
            ticket = self._zenpy.tickets(id=_zid(ticket_id))
            status, priority, tags = ticket.status, ticket.priority, tuple(ticket.tags or ())
        comments, users = self._read_comments(ticket_id)
        return TicketView(ticket_id, normalise_status(status),
                          agent_replies(comments, users, api_user_id),
                          priority=priority or None, tags=tags)

    def ticket_fields(self) -> tuple[TicketField, ...]:
        """Custom fields only (see ``fields.py``); one call, every field (unpaginated)."""
        with _zenpy_errors():
            items = [field.to_dict() for field in self._zenpy.ticket_fields()]
        return custom_ticket_fields(items)

    # ---- shared plumbing (install.py uses ``request``) ------------------------------------

    def api_user_id(self) -> int:
        """The bridge's own Zendesk user (``users/me``), asked once per instance."""
        if self._api_user_id is None:
            with _zenpy_errors():
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
        url = path if "://" in path else f"{self.base_url}/api/v2/{path.lstrip('/')}"
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

    def _comment(self, comment: NewComment) -> Any:
        """A public comment by ``comment.author_id``, its files uploaded first (one call each).

        Tokens are remembered by content: when Zendesk refuses the comment (a closed
        ticket) the follow-up ticket reuses them instead of uploading the files again.
        """
        tokens = [self._upload(upload) for upload in comment.uploads]
        return Comment(body=comment.body, author_id=_zid(comment.author_id), public=True,
                       uploads=tokens or None)

    def _upload(self, upload: Upload) -> str:
        key = (upload.filename, hashlib.sha256(upload.data).hexdigest())
        if key in self._tokens:
            return self._tokens[key]
        token = self._upload_now(upload)
        if len(self._tokens) > 256:
            self._tokens.clear()
        self._tokens[key] = token
        return token

    def _forget_uploads(self, comment: NewComment) -> None:
        """Attached tokens are spent: a later message with the same file uploads it anew."""
        for upload in comment.uploads:
            self._tokens.pop((upload.filename, hashlib.sha256(upload.data).hexdigest()), None)

    def _upload_now(self, upload: Upload) -> str:
        with _zenpy_errors():
            result = self._zenpy.attachments.upload(
                io.BytesIO(upload.data), target_name=upload.filename,
                content_type=upload.content_type,
            )
            return str(result.token)

    def _read_comments(self, ticket_id: str) -> tuple[list[ApiComment], dict[int, ApiUser]]:
        """Every comment of a ticket (all pages, oldest first) and the sideloaded authors."""
        comments: list[ApiComment] = []
        users: dict[int, ApiUser] = {}
        url: str | None = f"tickets/{_zid(ticket_id)}/comments"
        params: dict[str, Any] | None = {"include": "users", "page[size]": 100}
        seen: set[str] = set()
        while url and url not in seen:
            seen.add(url)
            body = self.request("GET", url, params=params)
            try:
                page = CommentsPage.model_validate(body)
            except ValidationError as exc:
                raise PermanentError(f"unexpected Zendesk comments body: {exc}") from exc
            comments.extend(page.comments)
            users.update((user.id, user) for user in page.users)
            url, params = next_page_url(body), None
        return sorted(comments, key=lambda c: c.id), users
