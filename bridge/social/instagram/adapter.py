"""Instagram DMs as a ``SocialChannel``: account id = the Instagram professional account
(``entry.id``), thread id = the customer's IGSID. Same Send API and window as Messenger."""

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
from bridge.social.instagram import mapping
from bridge.social.instagram.client import InstagramClient
from bridge.social.instagram.payloads import (
    InstagramWebhook,
    Message,
    MessageEdit,
    MessagingItem,
)
from bridge.social.messenger.adapter import quick_replies
from bridge.social.messenger.mapping import split_text
from bridge.social.meta_parse import digest, meta_time, read_messaging, read_receipts
from bridge.social.meta_window import SendPolicy, send_policy

log = structlog.get_logger(__name__)


class InstagramChannel:
    """Direct messages of one Instagram professional account."""

    kind = mapping.KIND
    sends_attachments = True  # images, video and audio by URL; other files named in a note

    def __init__(self, settings: Settings, client: InstagramClient | None = None) -> None:
        self._settings = settings
        self._clients = AccountClients(settings, InstagramClient.from_settings, access_token,
                                       client)

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Messages, edits and unsends in the ``messaging`` entries of an ``instagram``
        body; ``changes`` entries (comments, insights) belong to ``instagram_comment``."""
        if payload.get("object") != "instagram":
            return ParsedWebhook(ignored=("not_instagram",))
        try:
            body = InstagramWebhook.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not an Instagram webhook: {first_error(exc)}") from exc
        account = self._settings.INSTAGRAM_ACCOUNT_ID
        return read_messaging(body.entry, lambda entry, item: _read_item(
            entry.id, {entry.id, account} - {""}, item))

    def parse_receipts(self, payload: Mapping[str, object]) -> tuple[Receipt, ...]:
        """The read receipts of a body ``parse`` reported ``read`` in (``bridge.receipts``)."""
        body = InstagramWebhook.model_validate(payload)
        return read_receipts(body.entry, mapping.read_receipt)

    def profile(self, message: InboundMessage) -> Sender:
        """The sender from the User Profile API; the sender as parsed on any failure."""
        sender = message.sender

        def look_up() -> Sender:
            client = self._clients.for_thread(message.thread)
            found = mapping.sender_from_profile(sender.external_id,
                                                client.profile(sender.external_id))
            return replace(found, display_name=found.display_name or sender.display_name)

        return profile_or_parsed(sender, look_up, self.kind, "igsid")

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Send ``message.text`` as one or more Instagram messages (1000 bytes each), then
        its images, video and audio, in order, within the 24 h / 7-day ``HUMAN_AGENT``
        window. Other files are not sent; the result's note names them."""
        if message.thread.channel != self.kind:
            raise PermanentError(f"not an Instagram thread: {message.thread.channel}")
        policy = send_policy(last_customer_at, now, message.human, "Instagram")
        parts = split_text(message.text, mapping.TEXT_LIMIT, mapping.utf8_units)
        if not parts and not message.attachment_urls:
            raise PermanentError("not sent: the reply has no text")
        recipient = message.thread.thread_id
        bodies = [mapping.send_body(recipient, policy, _text(message, part, i == len(parts) - 1))
                  for i, part in enumerate(parts)]
        client = self._clients.for_thread(message.thread)
        sent = self._send_all(client, bodies)
        files, skipped = self._send_files(client, message, policy)
        notes = [policy.note] if policy.note else []
        if len(parts) > 1:
            notes.append(f"split into {len(parts)} messages (Instagram allows "
                         f"{mapping.TEXT_LIMIT} bytes each)")
        notes += skipped
        if not sent and not files:  # files only, none sent: nothing reached the customer
            raise PermanentError("; ".join(skipped))
        return SendResult(tuple(sent + files), "; ".join(notes) or None)

    def _send_all(self, client: InstagramClient, bodies: list[dict[str, Any]]) -> list[str]:
        sent: list[str] = []
        for body in bodies:
            try:
                sent.append(client.send_dm(body))
            except BridgeError:
                if sent:
                    log.warning("instagram_reply_partly_sent", sent=sent, parts=len(bodies))
                raise
        return sent

    def _send_files(self, client: InstagramClient, message: OutboundMessage,
                    policy: SendPolicy) -> tuple[list[str], list[str]]:
        """(message ids, notes): a file Instagram cannot take, or refuses, is a note, not
        a failure of the reply (its text is already out)."""
        sent: list[str] = []
        notes: list[str] = []
        for url in message.attachment_urls:
            kind = mapping.sendable_type(url)
            if kind is None:
                notes.append(f"attachment not sent (Instagram DMs take images, video and "
                             f"audio): {url}")
                continue
            content = {"attachment": {"type": kind, "payload": {"url": url}}}
            try:
                sent.append(client.send_dm(
                    mapping.send_body(message.thread.thread_id, policy, content)))
            except PermanentError as exc:
                notes.append(f"attachment not sent: {url}: {exc}")
        return sent, notes


def _read_item(account: str, own: set[str], item: MessagingItem) -> InboundMessage | str:
    """An inbound event, or the reason this messaging item is ignored."""
    sender = item.sender.id if item.sender else None
    if (item.message is not None and item.message.is_echo) or sender in own:
        return "echo"  # our own sends, from this app or the Instagram app
    if item.message is None and item.postback is None and item.message_edit is None:
        keys = item.event_keys()
        return next((key for key in mapping.IGNORED_KEYS if key in keys), "unknown_event")
    if not sender:
        raise PayloadError("messaging item without sender.id")
    thread = ThreadKey(mapping.KIND, account, sender)
    at = meta_time(item.timestamp, "messaging item timestamp")
    if item.message is not None:
        return _message(thread, at, item.message)
    if item.postback is not None:
        mid = item.postback.mid or f"postback:{sender}:{item.timestamp}"
        title = item.postback.title or item.postback.payload or ""
        return InboundMessage(thread, mid, Sender(sender), at, title)
    if item.message_edit is not None:
        return _edit(thread, at, item.message_edit)
    return "unknown_event"


def _edit(thread: ThreadKey, at: datetime, edit: MessageEdit) -> InboundMessage:
    """``edit:<mid>:<num_edit>``: one event per edit, the same one on a retried webhook."""
    if not edit.mid:
        raise PayloadError("message_edit without mid")
    text = edit.text or ""
    number = str(edit.num_edit) if edit.num_edit is not None else digest(text)
    return InboundMessage(thread, f"edit:{edit.mid}:{number}", Sender(thread.thread_id), at,
                          text, kind="edit", refers_to=edit.mid)


def _message(thread: ThreadKey, at: datetime, message: Message) -> InboundMessage | str:
    if not message.mid:
        raise PayloadError("message without mid")
    sender = Sender(thread.thread_id)
    if message.is_deleted:  # the customer unsent it: the ticket keeps the original
        return InboundMessage(thread, f"delete:{message.mid}", sender, at, kind="delete",
                              refers_to=message.mid)
    if not message.text and mapping.only_likes(message.attachments):
        return mapping.LIKE
    attachments = tuple(mapping.to_attachment(a) for a in message.attachments)
    if message.is_unsupported or (not message.text and not attachments):
        attachments += (Attachment("unsupported", platform_type="unsupported_message"),)
    story = message.reply_to.story if message.reply_to is not None else None
    quick = message.quick_reply.payload if message.quick_reply is not None else None
    return InboundMessage(thread, message.mid, sender, at, message.text or "", attachments,
                          quick_reply=quick or None, link=story.url if story else None)


def _text(message: OutboundMessage, text: str, last: bool) -> dict[str, Any]:
    """A text ``message``; quick replies go under the last part."""
    content: dict[str, Any] = {"text": text}
    if message.quick_replies and last:
        content["quick_replies"] = quick_replies(message.quick_replies)
    return content
