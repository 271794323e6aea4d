"""WhatsApp Cloud API as a ``SocialChannel``: parse webhooks, send replies and templates.

Account id = our ``phone_number_id`` (from ``value.metadata``), thread id = the
customer's ``wa_id`` (or ``group:{group_id}``). Beyond the protocol:

- ``parse_events(payload)``: edits, deletions, statuses, system notices, account errors, typed;
  ``parse`` turns edits, deletions and failed deliveries into inbox rows (``kind`` ``edit``,
  ``delete``, ``status``) and ``parse_receipts`` the other statuses into receipts.
- ``send_template(thread, name, language, components)``: an approved template; allowed
  outside the 24 h window.
- ``bridge.held.HoldsReplies``: outside the window an agent's reply is held and the
  configured template (``WHATSAPP_TEMPLATE_NAME`` / ``_LANGUAGE``) asks the customer to write.
- ``resolve_media(media_id)`` and ``fetch_attachment(url)``: the bytes behind a
  ``whatsapp-media:{id}`` attachment (a ``rendering.Fetcher``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog

from bridge import accounts, rendering
from bridge.config import Settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import BridgeError, PermanentError, WindowClosed
from bridge.receipts import Receipt
from bridge.social.account_clients import AccountClients, access_token
from bridge.social.whatsapp import choices, events, mapping
from bridge.social.whatsapp.client import CloudApiClient
from bridge.social.whatsapp.events import (
    AccountProblem,
    WhatsAppEvent,
    from_message,
    from_status,
    problems,
)
from bridge.social.whatsapp.webhook import OBJECT, read_message, read_status, values

log = structlog.get_logger(__name__)

_MEDIA_UNGUESSED = ("WhatsApp media without its phone number id: with {} numbers configured, "
                    "none is guessed")


class WhatsAppChannel:
    """WhatsApp Cloud API for the phone numbers one access token may use."""

    kind = "whatsapp"
    sends_attachments = True  # by link, one media message per file; refused ones noted

    def __init__(self, settings: Settings, client: CloudApiClient | None = None) -> None:
        self._settings = settings
        self._clients = AccountClients(settings, CloudApiClient.from_settings, access_token,
                                       client)
        self._client = self._clients.only  # handed one, or own settings: that one token

    # ---- inbound ---------------------------------------------------------------------

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Inbox rows of a ``whatsapp_business_account`` body, in order: customer messages,
        edits, deletions and failed deliveries; every other item (echo, receipt, reaction,
        system...) is one ignore reason."""
        if payload.get("object") != OBJECT:
            return ParsedWebhook(ignored=("not_whatsapp",))
        messages: list[InboundMessage] = []
        ignored: list[str] = []
        for account, value in values(payload, ignored):
            found = [read_message(account, value, item) for item in value.messages]
            found += [read_status(account, status) for status in value.statuses]
            messages += [m for m in found if not isinstance(m, str)]
            ignored += [m for m in found if isinstance(m, str)]
            ignored += ["echo"] * len(value.message_echoes)  # sent from the business app
            if value.errors:
                ignored.append("errors")
        return ParsedWebhook(tuple(messages), tuple(ignored))

    def parse_events(self, payload: Mapping[str, object]) -> tuple[WhatsAppEvent, ...]:
        """Edits, deletions, delivery statuses, system notices and account errors."""
        if payload.get("object") != OBJECT:
            return ()
        events: list[WhatsAppEvent] = []
        for account, value in values(payload, []):
            found = (from_message(account, value.contacts, item) for item in value.messages)
            events += [event for event in found if event is not None]
            events += [from_status(account, status) for status in value.statuses]
            if value.errors:
                events.append(AccountProblem(account, problems(value.errors)))
        return tuple(events)

    def parse_receipts(self, payload: Mapping[str, object]) -> tuple[Receipt, ...]:
        """``sent``, ``delivered`` and ``read`` statuses of our sends."""
        found = (events.as_receipt(event) for event in self.parse_events(payload))
        return tuple(receipt for receipt in found if receipt is not None)

    def profile(self, message: InboundMessage) -> Sender:
        """The sender as parsed: the webhook's ``contacts[].profile.name`` is the only
        name WhatsApp gives (there is no profile API)."""
        return message.sender

    # ---- outbound --------------------------------------------------------------------

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Free text within the 24 h window, split at 4096 characters, in order; quick
        replies become reply buttons or a list under the last part (``choices``). Then
        the agent's files, one media message each (``mapping.media_body``); a file
        WhatsApp refuses is named in the note, not a failure of the reply."""
        self._check_thread(message.thread)
        mapping.check_window(last_customer_at, now)  # outside it nothing is sent
        text, buttons = message.text, message.quick_replies
        kind = choices.kind_of(buttons)
        if kind == "lines":  # no room for buttons: titles as lines
            text, kind = choices.as_lines(text, buttons), None
        parts = mapping.text_parts(text, kind is not None)
        if not parts and not message.attachment_urls:
            raise PermanentError("not sent: the reply has no text")
        to = message.thread.thread_id
        bodies = [mapping.text_body(to, p) for p in parts]
        if kind is not None and parts:  # buttons need a body text: files alone go without
            bodies[-1] = choices.body(to, parts[-1], buttons, kind)
        ids = self._send_all(message.thread, bodies)
        files, skipped = self._send_files(message.thread, message.attachment_urls, bool(ids))
        notes = [f"split into {len(parts)} messages (WhatsApp allows 4096 characters each)"
                 ] if len(parts) > 1 else []
        if skipped and not ids and not files:  # nothing reached the customer
            raise PermanentError("; ".join(skipped))
        return SendResult(ids + files, "; ".join(notes + skipped) or None)

    def _send_files(self, thread: ThreadKey, urls: tuple[str, ...], sent_text: bool
                    ) -> tuple[tuple[str, ...], list[str]]:
        """(message ids, notes) of the files, in order. ``TransientError`` propagates (the
        reply is retried); so does ``WindowClosed`` while nothing of the reply is out, so
        the held-reply path runs. Any other refusal is a note naming the file."""
        sent: list[str] = []
        notes: list[str] = []
        for url in urls:
            try:
                sent += self._send_all(thread, [mapping.media_body(thread.thread_id, url)])
            except PermanentError as exc:
                if isinstance(exc, WindowClosed) and not (sent_text or sent):
                    raise
                notes.append(f"attachment not sent: {mapping.file_name(url)}: {exc}")
            except BridgeError:
                if sent_text or sent:
                    log.warning("whatsapp_reply_partly_sent", sent=sent, files=len(urls))
                raise
        return tuple(sent), notes

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

    # ---- held replies (bridge.held.HoldsReplies) ---------------------------------------

    def reengagement_template(self, thread: ThreadKey) -> str | None:
        name, language = self._template(thread)
        return f"'{name}' ({language})" if name else None

    def missing_template_hint(self) -> str:
        return ("Set WHATSAPP_TEMPLATE_NAME (and WHATSAPP_TEMPLATE_LANGUAGE) to an approved "
                "template: replies are then held and the template asks the customer to write.")

    def send_reengagement(self, thread: ThreadKey) -> SendResult:
        name, language = self._template(thread)
        if not name:
            raise PermanentError("no WhatsApp template is configured (WHATSAPP_TEMPLATE_NAME)")
        return self.send_template(thread, name, language)

    def window_open(self, last_customer_at: datetime | None, now: datetime) -> bool:
        return last_customer_at is not None and now - last_customer_at <= mapping.SERVICE_WINDOW

    def window_failure(self, message: InboundMessage) -> bool:
        return events.window_failure(message)

    def _template(self, thread: ThreadKey) -> tuple[str, str]:
        """(name, language) of the re-engagement template for the thread's number: its
        account's ``template_name``/``template_language``, else the settings'."""
        found = None if self._client else accounts.find(thread.channel, thread.account_id)
        account = found or accounts.Account(self.kind, "")
        return (account.get("template_name") or self._settings.WHATSAPP_TEMPLATE_NAME,
                account.get("template_language") or self._settings.WHATSAPP_TEMPLATE_LANGUAGE
                or "en_US")

    def _check_thread(self, thread: ThreadKey) -> None:
        if thread.channel != self.kind:
            raise PermanentError(f"not a WhatsApp thread: {thread.channel}")

    def _send_all(self, thread: ThreadKey, bodies: list[dict[str, Any]]) -> tuple[str, ...]:
        number = thread.account_id or self._settings.WHATSAPP_PHONE_NUMBER_ID
        client = self._clients.for_thread(thread)
        sent: list[str] = []
        for body in bodies:
            try:
                sent.append(client.send_message(number, body))
            except BridgeError:
                if sent:
                    log.warning("whatsapp_reply_partly_sent", sent=sent, parts=len(bodies))
                raise
        return tuple(sent)

    def _media_client(self, phone_number_id: str | None) -> CloudApiClient:
        """The client of the number a media id arrived on, else the only number's."""
        number = ThreadKey(self.kind, phone_number_id, "") if phone_number_id else None
        return self._clients.for_file(number, self.kind, _MEDIA_UNGUESSED)

    # ---- media -----------------------------------------------------------------------

    def resolve_media(self, media_id: str, phone_number_id: str | None = None
                      ) -> tuple[str, str | None]:
        """(download URL, MIME type) of a media id; the URL lives 5 minutes and the
        download needs the bearer token (``fetch_attachment`` does both). The token is
        that of ``phone_number_id``, the number the media arrived on."""
        info = self._media_client(phone_number_id).media_info(media_id, phone_number_id)
        url, mime = info.get("url"), info.get("mime_type")
        if not isinstance(url, str) or not url:
            raise PermanentError(f"WhatsApp media {media_id} has no URL: {info}")
        return url, mime if isinstance(mime, str) else None

    def fetch_attachment(self, url: str, thread: ThreadKey | None = None
                         ) -> tuple[str, bytes] | None:
        """A ``rendering.Fetcher``: (content type, bytes) of an attachment, or ``None``
        when it cannot be had (media deleted, over ``rendering.MAX_DOWNLOAD``). Raises
        ``TransientError`` when a retry may succeed, so the inbox row is retried rather
        than losing the file (media ids stay valid for 30 days, their URLs 5 minutes).
        ``thread`` names the number whose token reads the media."""
        media_id = mapping.media_id_of(url)
        if media_id is None:
            return rendering.fetch(url, self._settings.BRIDGE_HTTP_TIMEOUT)
        number = thread.account_id if thread is not None else None
        try:
            link, mime = self.resolve_media(media_id, number)
            content_type, data = self._media_client(number).download(link,
                                                                      rendering.MAX_DOWNLOAD)
        except PermanentError as exc:
            log.info("whatsapp_media_unavailable", media_id=media_id, error=str(exc))
            return None
        return mime or content_type, data

