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
from typing import Any, Protocol

import structlog

from bridge.domain import OutboundMessage, SendResult, ThreadKey
from bridge.errors import BridgeError, PermanentError, WindowClosed
from bridge.social.messenger.mapping import split_text, utf16_units
from bridge.social.meta_window import ago

log = structlog.get_logger(__name__)

PRIVATE_REPLY_WINDOW = timedelta(days=7)


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
        notes.append(f"{len(message.attachment_urls)} attachment(s) not sent: a reply to a "
                     f"{rules.platform} comment carries text only; the files stay on the ticket")
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
