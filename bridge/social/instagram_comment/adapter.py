"""Instagram comments as a ``SocialChannel``: account id = the Instagram professional
account (``entry.id``), thread id = the top-level comment id. Beyond the protocol,
``send_private_reply`` answers one comment in Instagram Direct."""

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
from bridge.social.instagram.mapping import TEXT_LIMIT, utf8_units
from bridge.social.instagram_comment import mapping
from bridge.social.instagram_comment.client import InstagramCommentClient
from bridge.social.instagram_comment.payloads import CommentValue, InstagramWebhook
from bridge.social.meta_comments import CommentRules, PrivateReplyResult
from bridge.social.meta_parse import first_error

RULES = CommentRules(mapping.KIND, "Instagram", mapping.REPLY_LIMIT, TEXT_LIMIT,
                     private_unit=utf8_units, private_unit_name="bytes", private_owner="me")


class InstagramCommentChannel:
    """Comments on one Instagram professional account's media."""

    kind = mapping.KIND
    # Where a private reply lands (``bridge.private_reply``): the DM channel of the same
    # account, and what the platform calls the customer's id there.
    private_channel = "instagram"
    private_recipient = "IGSID"

    def __init__(self, settings: Settings,
                 client: InstagramCommentClient | None = None) -> None:
        self._settings = settings
        # Handed a client, or built on settings of its own (a test, a tool): that one
        # account. The registry's adapter (the process's settings) finds each thread's own.
        own = client is not None or settings is not get_settings()
        self._client = (client or InstagramCommentClient.from_settings(settings)) if own else None
        self._clients: dict[str, InstagramCommentClient] = {}

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Comments in the ``changes`` of an ``instagram`` body; ``messaging`` entries are
        the DM channel's. Other fields (insights, mentions, live comments) are ignored
        with a reason. Instagram sends no webhook for edited or deleted comments."""
        if payload.get("object") != "instagram":
            return ParsedWebhook(ignored=("not_instagram",))
        try:
            body = InstagramWebhook.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not an Instagram webhook: {first_error(exc)}") from exc
        messages: list[InboundMessage] = []
        ignored: list[str] = []
        for entry in body.entry:
            own = {entry.id, self._settings.INSTAGRAM_ACCOUNT_ID} - {""}
            for change in entry.changes or ():
                if change.field != mapping.FIELD:
                    ignored.append(mapping.ignore_reason(change.field))
                    continue
                outcome = mapping.read_comment(entry.id, own, entry.time, _value(change.value))
                if isinstance(outcome, str):
                    ignored.append(outcome)
                else:
                    messages.append(outcome)
        return ParsedWebhook(tuple(messages), tuple(ignored))

    def profile(self, message: InboundMessage) -> Sender:
        """The sender as parsed (``@username``): Instagram's profile API only answers
        for people who wrote to the account in Direct."""
        return message.sender

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """A public reply under the thread's top-level comment, split at 2200 characters;
        no window applies. A removed comment raises ``CommentRemoved`` (permanent)."""
        return meta_comments.send_public(self._client_for(message.thread), RULES, message)

    def send_private_reply(
        self, thread: ThreadKey, comment_id: str, text: str, now: datetime,
        commented_at: datetime,
    ) -> PrivateReplyResult:
        """One Instagram Direct message to the author of ``comment_id`` (at most 1000
        bytes), within 7 days of the comment; ``recipient_id`` is their IGSID.

        Raises ``WindowClosed`` (older than 7 days), ``PrivateReplyUsed`` (the comment
        already had its private reply), ``CommentRemoved``, ``PermanentError`` (too long,
        or Meta refuses), ``TransientError`` (worth a retry).
        """
        return meta_comments.send_private(self._client_for(thread), RULES, thread, comment_id,
                                          text, now, commented_at)

    def _client_for(self, thread: ThreadKey) -> InstagramCommentClient:
        """The client of the thread's own Instagram account (one per account), with its
        linked page's token; ``PermanentError`` when it is not one of our accounts."""
        if self._client is not None:
            return self._client
        account = accounts.find(thread.channel, thread.account_id)
        if account is None:
            raise PermanentError(accounts.missing(thread.channel, thread.account_id))
        if account.id not in self._clients:
            self._clients[account.id] = InstagramCommentClient.from_settings(
                self._settings, account.get("access_token"))
        return self._clients[account.id]


def _value(raw: object) -> CommentValue:
    if not isinstance(raw, dict):
        raise PayloadError("comments change without a value object")
    try:
        return CommentValue.model_validate(raw)
    except ValidationError as exc:
        raise PayloadError(f"not a comments change value: {first_error(exc)}") from exc
