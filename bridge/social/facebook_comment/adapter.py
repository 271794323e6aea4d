"""Facebook page comments as a ``SocialChannel``: account id = page id, thread id = the
top-level comment id. Beyond the protocol, ``send_private_reply`` answers one comment
in Messenger (the public-to-private flow)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import ValidationError

from bridge import accounts
from bridge.config import Settings, get_settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import PayloadError, PermanentError
from bridge.social import meta_comments
from bridge.social.facebook_comment import mapping
from bridge.social.facebook_comment.client import FacebookCommentClient
from bridge.social.facebook_comment.payloads import FeedValue, PageWebhook
from bridge.social.messenger.mapping import MESSAGE_LIMIT
from bridge.social.meta_comments import CommentRules, PrivateReplyResult
from bridge.social.meta_parse import first_error

FIELD = "feed"
RULES = CommentRules(mapping.KIND, "Facebook", mapping.REPLY_LIMIT, MESSAGE_LIMIT)


class FacebookCommentChannel:
    """Comments on one page's posts, from the page ``feed`` webhook."""

    kind = mapping.KIND
    # Where a private reply lands (``bridge.private_reply``): the DM channel of the same
    # account, and what the platform calls the customer's id there.
    private_channel = "messenger"
    private_recipient = "PSID"

    def __init__(self, settings: Settings, client: FacebookCommentClient | None = None) -> None:
        self._settings = settings
        # Handed a client, or built on settings of its own (a test, a tool): that one page.
        # The registry's adapter (the process's settings) finds each thread's own page.
        own = client is not None or settings is not get_settings()
        self._client = (client or FacebookCommentClient.from_settings(settings)) if own else None
        self._clients: dict[str, FacebookCommentClient] = {}

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Comments added, edited and removed in the ``feed`` changes of a page body.

        ``messaging`` entries are Messenger's and are not looked at; other change fields
        and other feed items (reactions, posts...) are ignored with a reason.
        """
        if payload.get("object") != "page":
            return ParsedWebhook(ignored=("not_page",))
        try:
            body = PageWebhook.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not a page feed webhook: {first_error(exc)}") from exc
        messages: list[InboundMessage] = []
        ignored: list[str] = []
        for entry in body.entry:
            for change in entry.changes or ():
                if change.field != FIELD:
                    ignored.append(f"field:{change.field or 'unknown'}")
                    continue
                outcome = mapping.read_change(entry.id, entry.time, _value(change.value))
                if isinstance(outcome, str):
                    ignored.append(outcome)
                else:
                    messages.append(outcome)
        return ParsedWebhook(tuple(messages), tuple(ignored))

    def profile(self, message: InboundMessage) -> Sender:
        """The sender as parsed: the webhook's ``from.name`` is all a page may read."""
        return message.sender

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """A public reply under the thread's top-level comment, split at 8000 characters;
        no window applies. A removed comment raises ``CommentRemoved`` (permanent)."""
        return meta_comments.send_public(self._client_for(message.thread), RULES, message)

    def send_private_reply(
        self, thread: ThreadKey, comment_id: str, text: str, now: datetime,
        commented_at: datetime,
    ) -> PrivateReplyResult:
        """One Messenger message to the author of ``comment_id`` (at most 2000
        characters), within 7 days of the comment; ``recipient_id`` is their PSID.

        Raises ``WindowClosed`` (older than 7 days), ``PrivateReplyUsed`` (the comment
        already had its private reply), ``CommentRemoved``, ``PermanentError`` (too long,
        or Meta refuses), ``TransientError`` (worth a retry).
        """
        return meta_comments.send_private(self._client_for(thread), RULES, thread, comment_id,
                                          text, now, commented_at)

    def _client_for(self, thread: ThreadKey) -> FacebookCommentClient:
        """The client of the thread's own page (one per page); ``PermanentError`` when the
        page is not one of our accounts."""
        if self._client is not None:
            return self._client
        account = accounts.find(thread.channel, thread.account_id)
        if account is None:
            raise PermanentError(accounts.missing(thread.channel, thread.account_id))
        if account.id not in self._clients:
            self._clients[account.id] = FacebookCommentClient.from_settings(
                self._settings, account.get("access_token"))
        return self._clients[account.id]


def _value(raw: object) -> FeedValue:
    if not isinstance(raw, dict):
        raise PayloadError("feed change without a value object")
    try:
        return FeedValue.model_validate(raw)
    except ValidationError as exc:
        raise PayloadError(f"not a feed change value: {first_error(exc)}") from exc
