"""Messenger as a ``SocialChannel``: parse page webhooks, look up names, send replies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError

from bridge.config import Settings
from bridge.domain import (
    Attachment,
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import BridgeError, PayloadError, PermanentError
from bridge.receipts import Receipt
from bridge.social.account_clients import AccountClients, access_token
from bridge.social.base import first_error, profile_or_parsed
from bridge.social.messenger import events
from bridge.social.messenger.client import GraphClient
from bridge.social.messenger.mapping import (
    SendPolicy,
    send_policy,
    send_type,
    split_text,
    to_attachment,
)
from bridge.social.messenger.payloads import Message, MessagingItem, PageWebhook, Postback
from bridge.social.meta_parse import read_messaging, read_receipts

log = structlog.get_logger(__name__)

# Event keys we receive but deliberately do not turn into messages; the key is the reason.
IGNORED_KEYS = (
    "optin", "delivery", "read", "reaction", "referral", "account_linking",
    "policy_enforcement", "pass_thread_control", "take_thread_control",
    "request_thread_control", "app_roles", "game_play",
)


QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE = 20


class MessengerChannel:
    """Facebook Messenger for one page: account id = page id, thread id = customer PSID."""

    kind = "messenger"
    sends_attachments = True  # every file, by URL, after the text

    def __init__(self, settings: Settings, client: GraphClient | None = None) -> None:
        self._settings = settings
        self._clients = AccountClients(settings, GraphClient.from_settings, access_token,
                                       client)

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Messages and ignore reasons of an ``object == "page"`` body.

        The caller routes by ``object``; any other object belongs to another channel and is
        ignored here as ``"not_page"``. Entries carrying feed ``changes`` belong to the
        ``facebook_comment`` channel and are not counted here; an entry with neither
        ``messaging`` nor ``changes`` is ignored as ``"no_messaging"``.
        """
        if payload.get("object") != "page":
            return ParsedWebhook(ignored=("not_page",))
        try:
            body = PageWebhook.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not a Messenger webhook: {first_error(exc)}") from exc
        return read_messaging(body.entry, lambda entry, item: _read_item(entry.id, item))

    def parse_receipts(self, payload: Mapping[str, object]) -> tuple[Receipt, ...]:
        """``delivery`` and ``read`` items: recorded on our replies (``bridge.receipts``)."""
        if payload.get("object") != "page":
            return ()
        try:
            body = PageWebhook.model_validate(payload)
        except ValidationError:
            return ()  # ``parse`` has answered for the body already
        return read_receipts(body.entry, events.receipt)

    def profile(self, message: InboundMessage) -> Sender:
        """The sender named from the Graph user profile; the sender as parsed on any failure."""
        sender = message.sender

        def look_up() -> Sender:
            client = self._clients.for_thread(message.thread)
            name = _display_name(client.user_profile(sender.external_id))
            return replace(sender, display_name=name) if name else sender

        return profile_or_parsed(sender, look_up, self.kind, "psid")

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Send ``message.text`` as one or more Messenger messages, then the agent's files
        (by URL: Meta fetches them), in order. A file Meta refuses is named in the note;
        the reply stands."""
        if message.thread.channel != self.kind:
            raise PermanentError(f"not a Messenger thread: {message.thread.channel}")
        policy = send_policy(last_customer_at, now, message.human)
        parts = split_text(message.text)
        if not parts and not message.attachment_urls:
            raise PermanentError("not sent: the reply has no text")
        page_id = message.thread.account_id or self._settings.META_PAGE_ID
        client = self._clients.for_thread(message.thread)
        sent: list[str] = []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1  # quick replies belong under the last part
            try:
                sent.append(client.send_message(
                    page_id, _send_body(message, policy, _text(message, part, last))))
            except BridgeError:
                if sent:
                    log.warning("messenger_reply_partly_sent", sent=sent, parts=len(parts))
                raise
        skipped: list[str] = []
        for url in message.attachment_urls:
            content = {"attachment": {"type": send_type(url),
                                      "payload": {"url": url, "is_reusable": False}}}
            try:
                sent.append(client.send_message(page_id, _send_body(message, policy, content)))
            except PermanentError as exc:
                skipped.append(f"attachment not sent: {url}: {exc}")
        if not sent:  # files only, every one refused: nothing reached the customer
            raise PermanentError("; ".join(skipped))
        return SendResult(tuple(sent), _note(policy, len(parts), skipped))


def _read_item(page_id: str, item: MessagingItem) -> InboundMessage | str:
    """An inbound message, or the reason this messaging item is ignored."""
    if item.message is not None and item.message.is_echo:
        # Echoes of the page's own sends; some captures have sender and recipient swapped,
        # so the flag decides, not the direction.
        return "echo"
    if item.optin is not None:
        return "optin"  # checkbox-plugin opt-ins carry no sender, only optin.user_ref
    psid = item.sender.id if item.sender else None
    if not psid:
        if item.sender is not None and item.sender.user_ref:
            return "user_ref_sender"  # chat-plugin guests: no PSID to open a thread with
        raise PayloadError("messaging item without sender.id")
    thread = ThreadKey("messenger", page_id, psid)
    if item.message is not None and item.message.is_deleted:
        return events.deleted(thread, item, item.message.mid)
    if item.message is not None:
        return _message(thread, item, item.message)
    if item.message_edit is not None:
        return events.edited(thread, item, item.message_edit)
    if item.postback is not None:
        return _postback(thread, item, item.postback)
    keys = item.event_keys()
    return next((key for key in IGNORED_KEYS if key in keys), "unknown_event")


def _message(thread: ThreadKey, item: MessagingItem, message: Message) -> InboundMessage:
    if not message.mid:
        raise PayloadError("message without mid")
    attachments = tuple(to_attachment(a) for a in message.attachments)
    if not message.text and not attachments:
        attachments = (Attachment("unsupported", platform_type="unsupported_message"),)
    payload = message.quick_reply.payload if message.quick_reply is not None else None
    return _inbound(thread, item, message.mid, message.text or "", attachments, payload or None)


def _postback(thread: ThreadKey, item: MessagingItem, postback: Postback) -> InboundMessage:
    """A tapped button is the customer writing its title; the id is stable across retries."""
    mid = postback.mid or f"postback:{thread.thread_id}:{item.timestamp}"
    return _inbound(thread, item, mid, postback.title or postback.payload or "", ())


def _inbound(
    thread: ThreadKey, item: MessagingItem, mid: str, text: str,
    attachments: tuple[Attachment, ...], quick_reply: str | None = None,
) -> InboundMessage:
    return InboundMessage(
        thread=thread,
        message_id=mid,
        sender=Sender(thread.thread_id),
        sent_at=events.at_of(item),
        text=text,
        attachments=attachments,
        quick_reply=quick_reply,
    )


def _text(message: OutboundMessage, text: str, last: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if message.reference:
        content["metadata"] = message.reference  # comes back on the echo
    if message.quick_replies and last:
        content["quick_replies"] = quick_replies(message.quick_replies)
    return content


def _send_body(message: OutboundMessage, policy: SendPolicy,
               content: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recipient": {"id": message.thread.thread_id},
        "messaging_type": policy.messaging_type,
        "message": content,
    }
    if policy.tag:
        body["tag"] = policy.tag
    return body


def quick_replies(buttons: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """Send API ``quick_replies``: at most 13, titles cut to 20 characters (Meta refuses
    longer ones), payloads up to 1000."""
    return [{"content_type": "text", "title": title[:QUICK_REPLY_TITLE].rstrip() or payload[:20],
             "payload": payload[:1000]} for title, payload in buttons[:QUICK_REPLY_LIMIT]]


def _note(policy: SendPolicy, parts: int, skipped: list[str]) -> str | None:
    notes = [policy.note] if policy.note else []
    if parts > 1:
        notes.append(f"split into {parts} messages (Messenger allows 2000 characters each)")
    return "; ".join(notes + skipped) or None


def _display_name(profile: Mapping[str, Any]) -> str | None:
    names = [profile.get(key) for key in ("first_name", "last_name")]
    full = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    name = profile.get("name")
    return full or (name.strip() if isinstance(name, str) and name.strip() else None)


