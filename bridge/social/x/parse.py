"""An Account Activity body → the customer's messages, and the reasons for the rest.

Every event kind has a deliberate outcome:
- ``tweet_create_events``: mentions, replies and quotes become messages; the account's own
  posts are ``own``, retweets ``retweet`` (a share, nothing to answer).
- ``direct_message_events``: the customer's DMs become messages; the account's own (sent
  from X's apps or by the bridge: X echoes them) are ``own``.
- ``tweet_delete_events``: a customer's deletion becomes a ``delete`` event on the
  conversation that holds the post; the account deleting its own post is ``own_delete``.
- typing indicators and read receipts (``dm_typing``, ``dm_read``), likes, follows, blocks,
  mutes: recorded as ignored, never ticketed. ``user_event`` means the account revoked the
  app: logged as an error, since nothing arrives after it.
- keys X may add later: ``unknown_event``.
"""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from pydantic import ValidationError

from bridge.domain import Attachment, InboundMessage, ParsedWebhook, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social.base import first_error
from bridge.social.x import mapping
from bridge.social.x.payloads import ActivityWebhook, DirectMessageEvent, Tweet, TweetDelete

log = structlog.get_logger(__name__)

CHANNEL = "x"
IGNORED_KINDS = {
    "favorite_events": "favorite", "follow_events": "follow", "unfollow_events": "unfollow",
    "block_events": "block", "unblock_events": "unblock", "mute_events": "mute",
    "unmute_events": "unmute", "user_event": "authorization_revoked",
    "direct_message_indicate_typing_events": "dm_typing",
    "direct_message_mark_read_events": "dm_read",
}
_READ_KINDS = ("tweet_create_events", "direct_message_events", "tweet_delete_events")


def parse_webhook(payload: Mapping[str, object], account_id: str) -> ParsedWebhook:
    """Messages and ignore reasons of one body; ``account_id`` is ``X_ACCOUNT_ID`` ("" to
    take the body's ``for_user_id``). Raises ``PayloadError`` for a body of the wrong shape.
    """
    try:
        body = ActivityWebhook.model_validate(payload)
    except ValidationError as exc:
        raise PayloadError(f"not an X Account Activity body: {first_error(exc)}") from exc
    keys = body.event_keys()
    if not keys:
        return ParsedWebhook(ignored=("no_events",))
    owner = body.for_user_id or ""
    if any(key in _READ_KINDS for key in keys) and not owner:
        raise PayloadError("body has events but no for_user_id")
    if account_id and owner and owner != account_id:
        return ParsedWebhook(ignored=tuple("other_account" for _ in keys))
    messages: list[InboundMessage] = []
    ignored: list[str] = []
    for key in keys:
        for outcome in _outcomes(body, key, owner, payload.get(key)):
            if isinstance(outcome, str):
                ignored.append(outcome)
            else:
                messages.append(outcome)
    return ParsedWebhook(tuple(messages), tuple(ignored))


def _outcomes(body: ActivityWebhook, key: str, owner: str,
              raw: object) -> list[InboundMessage | str]:
    if key == "tweet_create_events":
        return [_tweet(t, owner) for t in body.tweet_create_events]
    if key == "direct_message_events":
        return [_dm(e, owner, body) for e in body.direct_message_events]
    if key == "tweet_delete_events":
        return [_deletion(d, owner) for d in body.tweet_delete_events]
    reason = IGNORED_KINDS.get(key, "unknown_event")
    if key == "user_event":
        log.error("x_authorization_revoked", user_event=raw)
    return [reason] * (len(raw) if isinstance(raw, list) and raw else 1)


def _tweet(tweet: Tweet, owner: str) -> InboundMessage | str:
    if tweet.user.user_id == owner:
        return "own"
    if tweet.retweeted_status is not None:
        return "retweet"
    author = tweet.user.user_id or ""
    if not tweet.id_str.isdigit() or not author.isdigit():
        raise PayloadError(f"tweet {tweet.id_str!r} has no numeric id or author id")
    return InboundMessage(
        thread=ThreadKey(CHANNEL, owner, mapping.tweet_thread(tweet.id_str)),
        message_id=tweet.id_str,
        sender=mapping.sender_of(tweet.user, author),
        sent_at=mapping.tweet_time(tweet),
        text=mapping.tweet_text(tweet),
        attachments=tuple(mapping.media_attachment(m) for m in mapping.tweet_media(tweet)),
        link=mapping.tweet_link(tweet),
        in_reply_to=tweet.in_reply_to_status_id_str or None,
    )


def _dm(event: DirectMessageEvent, owner: str, body: ActivityWebhook) -> InboundMessage | str:
    if event.type != "message_create":
        return "unknown_dm_event"
    create = event.message_create
    if create is None:
        raise PayloadError(f"DM event {event.id} without message_create")
    if create.sender_id == owner:
        return "own"
    if create.target.recipient_id != owner:
        return "other_conversation"
    if not create.sender_id.isdigit():
        raise PayloadError(f"DM event {event.id} has no numeric sender_id")
    data = create.message_data
    attachments: tuple[Attachment, ...] = ()
    if data.attachment is not None and data.attachment.media is not None:
        attachments = (mapping.media_attachment(data.attachment.media),)
    if not data.text.strip() and not attachments:
        attachments = (Attachment("unsupported", platform_type="unsupported_message"),)
    reply = data.quick_reply_response
    return InboundMessage(
        thread=ThreadKey(CHANNEL, owner, mapping.dm_thread(create.sender_id)),
        message_id=mapping.dm_message_id(event.id),
        sender=mapping.sender_of(body.users.get(create.sender_id), create.sender_id),
        sent_at=mapping.epoch_ms(event.created_timestamp, f"DM event {event.id}"),
        text=data.text,
        attachments=attachments,
        quick_reply=reply.metadata if reply is not None and reply.metadata else None,
    )


def _deletion(event: TweetDelete, owner: str) -> InboundMessage | str:
    status = event.status
    if status.user_id == owner:
        return "own_delete"
    if not status.id.isdigit():
        raise PayloadError(f"tweet deletion of {status.id!r}: not a post id")
    return InboundMessage(
        thread=ThreadKey(CHANNEL, owner, mapping.tweet_thread(status.id)),
        message_id=mapping.delete_message_id(status.id),
        sender=Sender(status.user_id or "unknown"),
        sent_at=mapping.epoch_ms(event.timestamp_ms, f"deletion of {status.id}"),
        kind="delete",
        refers_to=status.id,
        in_reply_to=status.id,  # routing puts it with the deleted post's conversation
    )


