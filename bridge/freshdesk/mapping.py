"""Pure helpers between the bridge's domain and Freshdesk's shapes: no I/O.

Freshdesk quirks handled here, and why:

- Statuses and priorities are integers (2 Open, 3 Pending, 4 Resolved, 5 Closed; 6 and
  up are the account's custom statuses, 6 "Waiting on Customer" and 7 "Waiting on Third
  Party" in a new account); priorities 1 Low to 4 Urgent.
- There is no social ``source``: tickets are created as Chat (7) and the origin is
  carried by the tags ``social`` and the channel kind.
- Tickets have no external id, so our idempotency marker is a tag, ``bridge_`` + 20 hex
  digits of its SHA-256 (short, lower case, no spaces: safe in any tag and search query).
- Descriptions and notes are HTML. A customer's text is sent HTML-escaped, newlines as
  ``<br>``, ``\\r`` as ``&#13;``, inside ``<div style="white-space: pre-wrap">`` so agents
  see spaces and tabs as written; ``text_from_html`` inverts exactly that encoding, so
  the text reads back byte for byte. HTML written by people is reduced to its text.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable
from datetime import UTC
from email.utils import parseaddr

from bridge.domain import AgentReply
from bridge.error_body import error_object
from bridge.errors import BridgeError, NotFound, PermanentError, RefusedFields, TransientError
from bridge.freshdesk.payloads import ApiConversation, ApiTicket
from bridge.freshdesk.refusals import refused_fields
from bridge.html_text import html_to_text as shared_html_to_text
from bridge.retry_after import retry_after_seconds

STATUS_OPEN, STATUS_PENDING, STATUS_RESOLVED, STATUS_CLOSED = 2, 3, 4, 5
STATUS_NAMES = {2: "open", 3: "pending", 4: "solved", 5: "closed", 6: "pending", 7: "hold"}
PRIORITIES = {"low": 1, "normal": 2, "medium": 2, "high": 3, "urgent": 4}
SOURCE_REPLY, SOURCE_NOTE = 0, 2
SOURCE_CHAT = 7
MARKER_TAG_PREFIX = "bridge_"
FOLLOWUP_TAG_PREFIX = "bridge_followup_"
CREDENTIALS_HINT = "check FRESHDESK_API_KEY / FRESHDESK_DOMAIN (or FRESHDESK_BASE_URL)"
PRE_WRAP = '<div style="white-space: pre-wrap">'


def normalise_status(ticket: ApiTicket) -> str:
    """Freshdesk's status as one of new/open/pending/hold/solved/closed.

    A deleted (trashed) ticket reads as closed; unknown custom statuses read as open so
    that replies are still considered.
    """
    if ticket.deleted:
        return "closed"
    return STATUS_NAMES.get(ticket.status, "open")


def is_closed(ticket: ApiTicket) -> bool:
    """Closed (5), trashed or spam: a new message goes to a follow-up ticket."""
    return ticket.status == STATUS_CLOSED or ticket.deleted or ticket.spam


def priority_value(priority: str | None) -> int:
    """Our priority (Zendesk words, Freshdesk words or 1-4) as Freshdesk's integer."""
    if priority is None or not priority.strip():
        return 1
    word = priority.strip().lower()
    if word.isdigit() and 1 <= int(word) <= 4:
        return int(word)
    if word in PRIORITIES:
        return PRIORITIES[word]
    raise PermanentError(f"Freshdesk has no priority {priority!r} (low, medium, high, urgent)")


# ---- tags -------------------------------------------------------------------------------


def marker_tag(marker: str) -> str:
    """The tag that finds the ticket created with ``marker`` (27 characters)."""
    return MARKER_TAG_PREFIX + hashlib.sha256(marker.encode("utf-8")).hexdigest()[:20]


def followup_tag(ticket_id: str) -> str:
    return f"{FOLLOWUP_TAG_PREFIX}{ticket_id}"


def followup_of_from_tags(tags: Iterable[str]) -> str | None:
    for tag in tags:
        rest = tag.removeprefix(FOLLOWUP_TAG_PREFIX)
        if rest != tag and rest.isdigit():
            return rest
    return None


def ticket_tags(*groups: Iterable[str] | str) -> list[str]:
    """Tags in order, trimmed, without duplicates or empties (Freshdesk refuses commas)."""
    out: list[str] = []
    for group in groups:
        for raw in [group] if isinstance(group, str) else group:
            tag = raw.replace(",", " ").strip()
            if tag and tag not in out:
                out.append(tag)
    return out


def followup_note_on_new(old_id: str) -> str:
    return (f"Follow-up of ticket #{old_id}, which is closed: the customer wrote again "
            "in the same social conversation.")


def followup_note_on_old(new_id: str) -> str:
    return f"The customer wrote again after this ticket was closed: continued in ticket #{new_id}."


# ---- text and HTML ----------------------------------------------------------------------


def text_to_html(text: str) -> str:
    """A customer's exact text as Freshdesk HTML (see the module docstring)."""
    escaped = html.escape(text, quote=False).replace("\r", "&#13;")
    return PRE_WRAP + "<br>".join(escaped.split("\n")) + "</div>"


_OURS = re.compile(r'\s*<div style="white-space: ?pre-wrap;?">(.*)</div>\s*', re.DOTALL)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def text_from_html(body: str) -> str:
    """The exact text of HTML made by ``text_to_html``; other HTML reduced to its text."""
    found = _OURS.fullmatch(body)
    inner = found.group(1) if found else body
    if "<" in _BR.sub("", inner) or (not found and "\n" in inner):
        return html_to_text(body)
    return "\n".join(html.unescape(part) for part in _BR.split(inner))


def html_to_text(body: str) -> str:
    """The text of HTML written by a person; Freshdesk's quoted history is dropped."""
    return shared_html_to_text(body, dropped_class="freshdesk_quote")


def conversation_text(conversation: ApiConversation) -> str:
    """Plain text of a conversation: its HTML ``body`` decoded, else ``body_text``."""
    if conversation.body is not None:
        return text_from_html(conversation.body)
    return conversation.body_text or ""


def same_text(conversation: ApiConversation, text: str) -> bool:
    """Recovery match: exact, or equal once whitespace is normalised (HTML rewritten)."""
    if conversation_text(conversation) == text:
        return True
    squeezed = " ".join(text.split())
    return any(" ".join(candidate.split()) == squeezed for candidate in (
        conversation.body_text or "", html_to_text(conversation.body or "")))


# ---- replies ----------------------------------------------------------------------------


def is_agent_reply(conversation: ApiConversation, api_agent_id: int | None) -> bool:
    """A public reply by a person: ``source`` 0, not private, not incoming.

    Loop guard: replies by the bridge's own agent (the API key's) are never mirrored.
    Notes (``source`` 2), even public ones, are not replies: Freshdesk does not send
    them to the requester either.
    """
    return (conversation.source == SOURCE_REPLY and not conversation.private
            and not conversation.incoming and conversation.user_id != api_agent_id)


def agent_replies(
    conversations: Iterable[ApiConversation], api_agent_id: int | None
) -> tuple[AgentReply, ...]:
    """Public agent replies, oldest first (conversation ids increase)."""
    return tuple(
        AgentReply(
            comment_id=str(c.id),
            body=conversation_text(c),
            author_name=parseaddr(c.from_email or "")[0] or None,
            created_at=c.created_at.astimezone(UTC) if c.created_at else None,
            attachment_urls=tuple(a.attachment_url for a in c.attachments if a.attachment_url),
        )
        for c in sorted(conversations, key=lambda c: c.id)
        if is_agent_reply(c, api_agent_id)
    )


# ---- errors -----------------------------------------------------------------------------


def _item_text(item: object) -> str:
    if not isinstance(item, dict):
        return str(item)
    field, message, code = item.get("field"), item.get("message"), item.get("code")
    text = f"{field}: {message}" if field else str(message or "")
    return f"{text} ({code})" if code else text


def error_text(body: str) -> str:
    """Freshdesk's error body in one line: ``description`` and each of ``errors[]``
    (``field: message (code)``), or ``code``/``message``; any other body as text."""
    data = error_object(body)
    if isinstance(data, str):
        return data
    text = ": ".join(str(data[k]) for k in ("description", "message") if data.get(k))
    errors = data.get("errors")
    if data.get("code") and not errors:
        text = f"{text} ({data['code']})".strip()
    if isinstance(errors, list) and errors:
        detail = "; ".join(_item_text(item) for item in errors)
        text = f"{text}: {detail}" if text else detail
    return text[:500] or json.dumps(data, ensure_ascii=False)[:500]


def error_for_response(status: int, body: str, retry_after: str | None) -> BridgeError | None:
    """The bridge error for a Freshdesk answer, or ``None`` when it succeeded."""
    if status < 400:
        return None
    text = error_text(body)
    wait = retry_after_seconds(retry_after)
    if status == 429:
        return TransientError(f"Freshdesk rate limit (429): {text}", wait)
    if status >= 500 or status == 408:
        return TransientError(f"Freshdesk error ({status}): {text}", wait)
    if status == 401:
        return PermanentError(f"Freshdesk refused the credentials (401): {text}; "
                              + CREDENTIALS_HINT)
    if status == 403:
        return PermanentError(f"Freshdesk refused access (403): {text}; {CREDENTIALS_HINT} "
                              "(and that the key's agent may do this)")
    if status == 404:
        return NotFound(f"Freshdesk: not found (404): {text}")
    refused = refused_fields(body) if status == 400 else ()
    if refused:
        return RefusedFields(f"Freshdesk rejected the request ({status}): {text}", refused)
    return PermanentError(f"Freshdesk rejected the request ({status}): {text}")
