"""Pure X rules: thread keys, message ids, senders, text, media, times.

One channel kind (``x``) carries two surfaces, told apart by the thread id:
``dm:<customer user id>`` (one conversation per customer) and ``tweet:<tweet id>`` (a
public conversation, keyed by the tweet that started it). Tweet and user ids come from one
id space (snowflakes), hence the prefixes. Inbox message ids are the tweet id for tweets
(so a reply's ``in_reply_to`` names its parent's row), ``dm:<event id>`` for DMs and
``delete:<tweet id>`` for deletions.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from bridge.clock import aware, from_epoch_ms
from bridge.domain import Attachment, AttachmentKind, Sender
from bridge.errors import PayloadError
from bridge.social.x.payloads import Media, Tweet, User

DM_PREFIX = "dm:"
TWEET_PREFIX = "tweet:"
PROFILE_ROOT = "https://x.com/"
_MEDIA_KINDS: dict[str, AttachmentKind] = {
    "photo": "image", "video": "video", "animated_gif": "video",
}


def dm_thread(user_id: str) -> str:
    return DM_PREFIX + user_id


def tweet_thread(tweet_id: str) -> str:
    return TWEET_PREFIX + tweet_id


def dm_message_id(event_id: str) -> str:
    return DM_PREFIX + event_id


def delete_message_id(tweet_id: str) -> str:
    return "delete:" + tweet_id


def is_dm_thread(thread_id: str) -> bool:
    return thread_id.startswith(DM_PREFIX)


def thread_target(thread_id: str) -> str:
    """The customer id of a DM thread, or the root tweet id of a tweet thread."""
    for prefix in (DM_PREFIX, TWEET_PREFIX):
        if thread_id.startswith(prefix) and thread_id[len(prefix):].isdigit():
            return thread_id[len(prefix):]
    raise PayloadError(f"not an X thread id: {thread_id!r}")


def sender_of(user: User | None, fallback_id: str) -> Sender:
    """The customer as X names them; only the id when the body has no user object."""
    if user is None:
        return Sender(fallback_id)
    handle = user.screen_name or None
    return Sender(
        user.user_id or fallback_id,
        display_name=(user.name or "").strip() or None,
        handle=handle,
        profile_url=PROFILE_ROOT + handle if handle else None,
        follower_count=user.followers_count,
        verified=user.verified,
    )


def tweet_text(tweet: Tweet) -> str:
    """The whole text: a tweet past 140 characters arrives ``truncated`` with its full text
    in ``extended_tweet`` (the top-level ``text`` ends in "… https://t.co/..."). Leading
    @names of a reply are kept: they say whom the customer addressed."""
    if tweet.extended_tweet is not None:
        return tweet.extended_tweet.full_text
    return tweet.full_text if tweet.full_text is not None else tweet.text or ""


def tweet_link(tweet: Tweet) -> str:
    handle = tweet.user.screen_name or "i/web"
    return f"{PROFILE_ROOT}{handle}/status/{tweet.id_str}"


def tweet_media(tweet: Tweet) -> list[Media]:
    """Media of the tweet: ``extended_entities`` lists them all (``entities`` only the
    first), and a long tweet keeps them under ``extended_tweet``."""
    holders = [tweet.extended_tweet.extended_entities, tweet.extended_tweet.entities] \
        if tweet.extended_tweet is not None else []
    holders += [tweet.extended_entities, tweet.entities]
    for holder in holders:
        if holder is not None and holder.media:
            return holder.media
    return []


def media_attachment(media: Media) -> Attachment:
    """A photo's image URL, or the best MP4 of a video or GIF (X plays GIFs as video)."""
    kind = _MEDIA_KINDS.get(media.type or "")
    url = media.media_url_https or media.media_url
    mime = "image/jpeg" if kind == "image" else None
    if kind == "video" and media.video_info is not None:
        mp4 = [v for v in media.video_info.variants if v.content_type == "video/mp4"]
        if mp4:
            url, mime = max(mp4, key=lambda v: v.bitrate or 0).url, "video/mp4"
    if kind is None:
        return Attachment("unsupported", url=media.expanded_url or url,
                          platform_type=media.type or "media")
    return Attachment(kind, url=url, mime_type=mime, platform_type=media.type)


def epoch_ms(value: str | None, what: str) -> datetime:
    try:
        return from_epoch_ms(int(value or ""))
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"{what} has no readable timestamp") from exc


def tweet_time(tweet: Tweet) -> datetime:
    """``timestamp_ms`` when present, else ``created_at`` ("Thu Nov 15 23:31:30 +0000 2018")."""
    if tweet.timestamp_ms:
        return epoch_ms(tweet.timestamp_ms, f"tweet {tweet.id_str}")
    try:
        return aware(parsedate_to_datetime(tweet.created_at or ""))
    except (TypeError, ValueError) as exc:
        raise PayloadError(f"tweet {tweet.id_str} has no readable time") from exc
