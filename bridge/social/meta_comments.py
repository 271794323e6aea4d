"""What Facebook page comments and Instagram comments share on the way out.

- Public replies go under the thread's top-level comment (the thread id), as many
  replies as the platform's length limit needs, in order. There is no messaging window
  for them: a comment can be answered at any time, until it is removed.
- Private replies (the public-to-private flow) are one Send API message per comment,
  ``recipient: {"comment_id": ...}``, within 7 days of the comment. Meta answers with the
  customer's PSID (Facebook) or IGSID (Instagram): the DM thread the conversation may
  continue on once the customer answers (the private reply alone opens no window).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError

from bridge.config import Settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import BridgeError, PayloadError, PermanentError, WindowClosed
from bridge.social import files
from bridge.social.account_clients import AccountClients, access_token
from bridge.social.base import first_error
from bridge.social.messenger.mapping import split_text, utf16_units
from bridge.social.meta_window import ago

log = structlog.get_logger(__name__)

PRIVATE_REPLY_WINDOW = timedelta(days=7)

V = TypeVar("V", bound=BaseModel)


class CommentClient(Protocol):
    def reply(self, comment_id: str, text: str) -> str: ...
    def send_message(self, owner: str, body: Mapping[str, Any]) -> tuple[str, str]: ...


@dataclass(frozen=True)
class CommentRules:
    """One platform's comment limits, counted as its API counts them."""

    kind: str  # channel kind
    platform: str  # Facebook, Instagram
    reply_limit: int  # UTF-16 units per public reply
    private_limit: int  # per private reply (one Send API message)
    private_unit: Callable[[str], int] = utf16_units
    private_unit_name: str = "characters"
    private_owner: str | None = None  # ``/{owner}/messages``; None: the page (account id)


@dataclass(frozen=True)
class PrivateReplyResult(SendResult):
    """A sent private reply: ``recipient_id`` is the customer's PSID or IGSID."""

    recipient_id: str = ""


def check_thread(rules: CommentRules, thread: ThreadKey) -> None:
    if thread.channel != rules.kind:
        raise PermanentError(f"not a {rules.kind} thread: {thread.channel}")


def send_public(client: CommentClient, rules: CommentRules, message: OutboundMessage
                ) -> SendResult:
    """Reply under the thread's top-level comment; quick replies become lines of text
    (comments have no buttons)."""
    check_thread(rules, message.thread)
    text = message.text
    if message.quick_replies:
        text = "\n".join([text, "", *(title for title, _ in message.quick_replies)])
    parts = split_text(text, rules.reply_limit)
    if not parts:
        raise PermanentError("not sent: the reply has no text")
    sent: list[str] = []
    for part in parts:
        try:
            sent.append(client.reply(message.thread.thread_id, part))
        except BridgeError:
            if sent:
                log.warning("comment_reply_partly_sent", sent=sent, parts=len(parts))
            raise
    notes = [f"split into {len(parts)} replies ({rules.platform} allows "
             f"{rules.reply_limit} characters per comment)"] if len(parts) > 1 else []
    if message.attachment_urls:
        names = ", ".join(files.file_name(u) or u for u in message.attachment_urls)
        notes.append(f"{len(message.attachment_urls)} attachment(s) not sent: a reply to "
                     f"{rules.platform}'s comments carries text only; the files stay on the "
                     f"ticket: {names}")
    return SendResult(tuple(sent), "; ".join(notes) or None)


def send_private(client: CommentClient, rules: CommentRules, thread: ThreadKey,
                 comment_id: str, text: str, now: datetime, commented_at: datetime
                 ) -> PrivateReplyResult:
    """One private message to the author of ``comment_id``.

    Raises ``WindowClosed`` when the comment is older than 7 days (checked before any
    call, and again by Meta), ``PrivateReplyUsed`` when the comment already had its
    private reply, ``CommentRemoved`` when it is gone, ``PermanentError`` when the text
    does not fit one message (a private reply cannot be split: only one is allowed).
    """
    check_thread(rules, thread)
    age = now - commented_at
    if age > PRIVATE_REPLY_WINDOW:
        raise WindowClosed(f"not sent: {rules.platform} allows a private reply within 7 days "
                           f"of the comment; this comment was written {ago(age)}")
    if not text.strip():
        raise PermanentError("not sent: the private reply has no text")
    size = sum(map(rules.private_unit, text))
    if size > rules.private_limit:
        raise PermanentError(
            f"not sent: a private reply is one message of at most {rules.private_limit} "
            f"{rules.private_unit_name} on {rules.platform}; this one has {size}")
    body = {"recipient": {"comment_id": comment_id}, "messaging_type": "RESPONSE",
            "message": {"text": text}}
    owner = rules.private_owner or thread.account_id
    recipient, message_id = client.send_message(owner, body)
    note = f"sent as a private {rules.platform} message to the author of the comment"
    return PrivateReplyResult((message_id,), note, recipient_id=recipient)


class CommentModel(BaseModel):
    """Tolerant like the Messenger models: unknown fields are kept, ids are strings."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True,
                              populate_by_name=True)


class Change(CommentModel):
    field: str | None = None
    value: Any = None  # read only for the fields a channel handles (``change_value``)


class Entry(CommentModel):
    id: str
    time: int | float | str | None = None
    changes: list[Change] | None = None


class CommentWebhook(CommentModel):
    object: str
    entry: list[Entry]


def _has_changes(entries: object) -> bool:
    """Whether some entry carries ``changes`` (anything not a list of objects is left to
    the model to refuse)."""
    if not isinstance(entries, list):
        return True
    return any(not isinstance(entry, dict) or "changes" in entry for entry in entries)


def change_value(raw: object, model: type[V], field: str) -> V:
    """The ``value`` of a ``field`` change as ``model``; ``PayloadError`` when it is not."""
    if not isinstance(raw, dict):
        raise PayloadError(f"{field} change without a value object")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise PayloadError(f"not a {field} change value: {first_error(exc)}") from exc


class CommentChannel:
    """A comment ``SocialChannel``: account id = the page or Instagram account, thread id =
    the top-level comment id. Beyond the protocol, ``send_private_reply`` answers one
    comment in the DM channel of the same account (the public-to-private flow)."""

    sends_attachments = True  # a comment reply takes text only: its note names the files

    kind: str
    rules: CommentRules
    # Where a private reply lands (``bridge.private_reply``): the DM channel of the same
    # account, and what the platform calls the customer's id there.
    private_channel: str
    private_recipient: str
    webhook_object: str  # the body's ``object``; other bodies are ignored as ``not_<object>``
    webhook_name: str  # names the body in the error when it does not validate

    def __init__(self, settings: Settings, client: CommentClient | None = None) -> None:
        self._settings = settings
        self._clients = AccountClients(settings, self.build_client, access_token, client)

    def build_client(self, settings: Settings, access_token: str | None) -> CommentClient:
        """A client on ``access_token`` (one account's), or the environment's page token."""
        raise NotImplementedError

    def read_change(self, entry: Entry, change: Change) -> InboundMessage | str:
        """One change of ``entry``: a comment event, or the reason it is ignored."""
        raise NotImplementedError

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Comment events in the ``changes`` of the entries; ``messaging`` entries are the
        DM channel's and are not looked at."""
        if payload.get("object") != self.webhook_object:
            return ParsedWebhook(ignored=(f"not_{self.webhook_object}",))
        if not _has_changes(payload.get("entry")):
            # A DM body (the most frequent): nothing here; the DM channel's model
            # validates the same entries, so a second validation would only cost time.
            return ParsedWebhook()
        try:
            body = CommentWebhook.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not {self.webhook_name}: {first_error(exc)}") from exc
        messages: list[InboundMessage] = []
        ignored: list[str] = []
        for entry in body.entry:
            for change in entry.changes or ():
                outcome = self.read_change(entry, change)
                if isinstance(outcome, str):
                    ignored.append(outcome)
                else:
                    messages.append(outcome)
        return ParsedWebhook(tuple(messages), tuple(ignored))

    def profile(self, message: InboundMessage) -> Sender:
        """The sender as parsed: the webhook's author is all the platform lets us read."""
        return message.sender

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """A public reply under the thread's top-level comment, split at the platform's
        limit; no window applies. A removed comment raises ``CommentRemoved`` (permanent)."""
        return send_public(self._clients.for_thread(message.thread), self.rules, message)

    def send_private_reply(
        self, thread: ThreadKey, comment_id: str, text: str, now: datetime,
        commented_at: datetime,
    ) -> PrivateReplyResult:
        """One DM to the author of ``comment_id``, within 7 days of the comment;
        ``recipient_id`` is their id in the DM channel.

        Raises ``WindowClosed`` (older than 7 days), ``PrivateReplyUsed`` (the comment
        already had its private reply), ``CommentRemoved``, ``PermanentError`` (too long,
        or Meta refuses), ``TransientError`` (worth a retry).
        """
        return send_private(self._clients.for_thread(thread), self.rules, thread, comment_id,
                            text, now, commented_at)
