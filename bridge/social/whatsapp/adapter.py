"""WhatsApp Cloud API as a ``SocialChannel``: parse webhooks, send replies and templates.

Account id = our ``phone_number_id`` (from ``value.metadata``), thread id = the
customer's ``wa_id`` (or ``group:{group_id}``). Beyond the protocol:

- ``parse_events(payload)``: edits, deletions, statuses, system notices, account errors
  (``parse`` ignores them with a reason, for metrics).
- ``send_template(thread, name, language, components)``: the approved template of the
  held-reply path; allowed outside the 24 h window.
- ``resolve_media(media_id)`` and ``fetch_attachment(url)``: the bytes behind a
  ``whatsapp-media:{id}`` attachment (a ``rendering.Fetcher``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError

from bridge import rendering
from bridge.config import Settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import BridgeError, PayloadError, PermanentError
from bridge.social.whatsapp import mapping
from bridge.social.whatsapp.client import CloudApiClient
from bridge.social.whatsapp.events import (
    AccountProblem,
    WhatsAppEvent,
    from_message,
    from_status,
    problems,
)
from bridge.social.whatsapp.payloads import Message, Value, WhatsAppWebhook

log = structlog.get_logger(__name__)

OBJECT = "whatsapp_business_account"
MESSAGE_FIELDS = ("messages", "smb_message_echoes")


class WhatsAppChannel:
    """WhatsApp Cloud API for the phone numbers one access token may use."""

    kind = "whatsapp"

    def __init__(self, settings: Settings, client: CloudApiClient | None = None) -> None:
        self._settings = settings
        self._client = client or CloudApiClient.from_settings(settings)

    # ---- inbound ---------------------------------------------------------------------

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Customer messages of a ``whatsapp_business_account`` body, in order; every
        other item (echo, status, reaction, edit, deletion, system...) is one ignore reason."""
        if payload.get("object") != OBJECT:
            return ParsedWebhook(ignored=("not_whatsapp",))
        messages: list[InboundMessage] = []
        ignored: list[str] = []
        for account, value in _values(payload, ignored):
            for item in value.messages:
                outcome = _read_message(account, value, item)
                if isinstance(outcome, str):
                    ignored.append(outcome)
                else:
                    messages.append(outcome)
            ignored += ["echo"] * len(value.message_echoes)  # sent from the business app
            ignored += [f"status_{s.status or 'unknown'}" for s in value.statuses]
            if value.errors:
                ignored.append("errors")
        return ParsedWebhook(tuple(messages), tuple(ignored))

    def parse_events(self, payload: Mapping[str, object]) -> tuple[WhatsAppEvent, ...]:
        """Edits, deletions, delivery statuses, system notices and account errors."""
        if payload.get("object") != OBJECT:
            return ()
        events: list[WhatsAppEvent] = []
        for account, value in _values(payload, []):
            found = (from_message(account, value.contacts, item) for item in value.messages)
            events += [event for event in found if event is not None]
            events += [from_status(account, status) for status in value.statuses]
            if value.errors:
                events.append(AccountProblem(account, problems(value.errors)))
        return tuple(events)

    def profile(self, message: InboundMessage) -> Sender:
        """The sender as parsed: the webhook's ``contacts[].profile.name`` is the only
        name WhatsApp gives (there is no profile API)."""
        return message.sender

    # ---- outbound --------------------------------------------------------------------

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Free text within the 24 h window, split at 4096 characters, in order; up to
        three quick replies become reply buttons under the last part."""
        self._check_thread(message.thread)
        mapping.check_window(last_customer_at, now)  # outside it nothing is sent
        text, buttons = message.text, message.quick_replies
        if len(buttons) > mapping.BUTTON_LIMIT:  # no room for buttons: titles as lines
            text, buttons = "\n".join([text, "", *(title for title, _ in buttons)]), ()
        parts = mapping.text_parts(text, len(buttons))
        if not parts:
            raise PermanentError("not sent: the reply has no text")
        bodies = [mapping.text_body(message.thread.thread_id, p) for p in parts]
        if buttons:
            bodies[-1] = mapping.buttons_body(message.thread.thread_id, parts[-1], buttons)
        ids = self._send_all(message.thread, bodies)
        note = (f"split into {len(parts)} messages (WhatsApp allows 4096 characters each)"
                if len(parts) > 1 else None)
        return SendResult(ids, note)

    def send_template(
        self, thread: ThreadKey, name: str, language: str,
        components: tuple[dict[str, Any], ...] = (),
    ) -> SendResult:
        """Send the approved template ``name`` in ``language`` (e.g. ``en_US``); allowed
        at any time, it is what reopens a conversation after the 24 h window."""
        self._check_thread(thread)
        body = mapping.template_body(thread.thread_id, name, language, components)
        ids = self._send_all(thread, [body])
        return SendResult(ids, f"sent the approved WhatsApp template {name!r} ({language})")

    def _check_thread(self, thread: ThreadKey) -> None:
        if thread.channel != self.kind:
            raise PermanentError(f"not a WhatsApp thread: {thread.channel}")

    def _send_all(self, thread: ThreadKey, bodies: list[dict[str, Any]]) -> tuple[str, ...]:
        number = thread.account_id or self._settings.WHATSAPP_PHONE_NUMBER_ID
        sent: list[str] = []
        for body in bodies:
            try:
                sent.append(self._client.send_message(number, body))
            except BridgeError:
                if sent:
                    log.warning("whatsapp_reply_partly_sent", sent=sent, parts=len(bodies))
                raise
        return tuple(sent)

    # ---- media -----------------------------------------------------------------------

    def resolve_media(self, media_id: str, phone_number_id: str | None = None
                      ) -> tuple[str, str | None]:
        """(download URL, MIME type) of a media id; the URL lives 5 minutes and the
        download needs the bearer token (``fetch_attachment`` does both)."""
        info = self._client.media_info(media_id, phone_number_id)
        url, mime = info.get("url"), info.get("mime_type")
        if not isinstance(url, str) or not url:
            raise PermanentError(f"WhatsApp media {media_id} has no URL: {info}")
        return url, mime if isinstance(mime, str) else None

    def fetch_attachment(self, url: str) -> tuple[str, bytes] | None:
        """A ``rendering.Fetcher``: (content type, bytes) of an attachment, or ``None``
        when it cannot be had (media deleted, over ``rendering.MAX_DOWNLOAD``). Raises
        ``TransientError`` when a retry may succeed, so the inbox row is retried rather
        than losing the file (media ids stay valid for 30 days, their URLs 5 minutes)."""
        media_id = mapping.media_id_of(url)
        if media_id is None:
            return rendering.fetch(url, self._settings.BRIDGE_HTTP_TIMEOUT)
        try:
            link, mime = self.resolve_media(media_id)
            content_type, data = self._client.download(link, rendering.MAX_DOWNLOAD)
        except PermanentError as exc:
            log.info("whatsapp_media_unavailable", media_id=media_id, error=str(exc))
            return None
        return mime or content_type, data


def _values(payload: Mapping[str, object], ignored: list[str]) -> Iterator[tuple[str, Value]]:
    """(phone_number_id, value) of every ``messages``-like change, in order."""
    try:
        body = WhatsAppWebhook.model_validate(payload)
    except ValidationError as exc:
        raise PayloadError(f"not a WhatsApp webhook: {_first_error(exc)}") from exc
    for entry in body.entry:
        if not entry.changes:
            ignored.append("no_changes")
        for change in entry.changes or ():
            if change.field is not None and change.field not in MESSAGE_FIELDS:
                ignored.append(f"field:{change.field}")  # template/account updates
                continue
            try:
                value = Value.model_validate(change.value)
            except ValidationError as exc:
                raise PayloadError(f"not a WhatsApp change value: {_first_error(exc)}") from exc
            account = value.metadata.phone_number_id
            yield mapping.required(account, "metadata.phone_number_id"), value


def _read_message(account: str, value: Value, item: Message) -> InboundMessage | str:
    """An inbound message, or the reason this item is not one."""
    kind = item.type or "unknown"
    if kind in mapping.IGNORED_TYPES:
        return mapping.IGNORED_TYPES[kind]
    if kind == "system":
        return (item.system.type if item.system and item.system.type else None) or "system"
    thread, sender, at = mapping.who(account, value.contacts, item)
    found = mapping.content(item)
    return InboundMessage(thread, mapping.required(item.id, "id"), sender, at, found.text,
                          found.attachments, found.quick_reply)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"
