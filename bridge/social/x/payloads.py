"""Typed models of the Account Activity webhook body and of the v2 API answers.

Tolerant by design: unknown fields are kept (``extra="allow"``) and only what the bridge
reads is modelled. Ids are read from the ``*_str`` fields where X has them: tweet and
user ids exceed 2^53, so the bare numbers are wrong in JavaScript-made captures; the
DM event objects and the ``users`` map already carry ids as strings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bridge.social.json_body import decode_object

# Top-level keys of an Account Activity body that are events (the documented list).
EVENT_KEYS = (
    "tweet_create_events", "favorite_events", "follow_events", "unfollow_events",
    "block_events", "unblock_events", "mute_events", "unmute_events", "user_event",
    "direct_message_events", "direct_message_indicate_typing_events",
    "direct_message_mark_read_events", "tweet_delete_events",
)
# Keys that describe the events rather than being one.
CONTEXT_KEYS = frozenset({"for_user_id", "users", "apps", "user_has_blocked", "is_blocked_by"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


class User(_Model):
    """A v1.1 user object (tweets) or an entry of the ``users`` map (DMs)."""

    id_str: str | None = None
    id: str | None = None
    name: str | None = None
    screen_name: str | None = None
    followers_count: int | None = None
    verified: bool | None = None

    @property
    def user_id(self) -> str | None:
        return self.id_str or self.id


class VideoVariant(_Model):
    url: str
    content_type: str | None = None
    bitrate: int | None = None


class VideoInfo(_Model):
    variants: list[VideoVariant] = Field(default_factory=list)


class Media(_Model):
    id_str: str | None = None
    type: str | None = None  # photo, video, animated_gif
    media_url_https: str | None = None
    media_url: str | None = None
    expanded_url: str | None = None
    video_info: VideoInfo | None = None


class Entities(_Model):
    media: list[Media] = Field(default_factory=list)


class ExtendedTweet(_Model):
    """What a tweet longer than the old 140 characters holds beyond ``text``."""

    full_text: str
    entities: Entities | None = None
    extended_entities: Entities | None = None


class Tweet(_Model):
    id_str: str
    text: str | None = None
    full_text: str | None = None
    truncated: bool = False
    extended_tweet: ExtendedTweet | None = None
    created_at: str | None = None
    timestamp_ms: str | None = None
    user: User
    in_reply_to_status_id_str: str | None = None
    entities: Entities | None = None
    extended_entities: Entities | None = None
    retweeted_status: dict[str, Any] | None = None
    quoted_status_id_str: str | None = None


class DeletedStatus(_Model):
    id: str
    user_id: str | None = None


class TweetDelete(_Model):
    status: DeletedStatus
    timestamp_ms: str | None = None


class DmAttachment(_Model):
    type: str | None = None
    media: Media | None = None


class QuickReplyResponse(_Model):
    type: str | None = None
    metadata: str | None = None


class MessageData(_Model):
    text: str = ""
    attachment: DmAttachment | None = None
    quick_reply_response: QuickReplyResponse | None = None


class DmTarget(_Model):
    recipient_id: str


class MessageCreate(_Model):
    target: DmTarget
    sender_id: str
    source_app_id: str | None = None
    message_data: MessageData = Field(default_factory=MessageData)


class DirectMessageEvent(_Model):
    type: str
    id: str
    created_timestamp: str | None = None
    message_create: MessageCreate | None = None


class ActivityWebhook(_Model):
    """One Account Activity POST; ``for_user_id`` is the subscribed account."""

    for_user_id: str | None = None
    user_has_blocked: bool | None = None
    tweet_create_events: list[Tweet] = Field(default_factory=list)
    direct_message_events: list[DirectMessageEvent] = Field(default_factory=list)
    tweet_delete_events: list[TweetDelete] = Field(default_factory=list)
    users: dict[str, User] = Field(default_factory=dict)

    def event_keys(self) -> list[str]:
        """Keys present that are events, known (in documented order) or not."""
        present = self.model_fields_set | set(self.model_extra or {})
        known = [key for key in EVENT_KEYS if key in present]
        unknown = sorted(present - set(EVENT_KEYS) - CONTEXT_KEYS)
        return known + unknown


# ---- v2 API answers ----------------------------------------------------------------------


class CreatedPost(_Model):
    id: str
    text: str | None = None


class CreatedDm(_Model):
    dm_event_id: str
    dm_conversation_id: str | None = None


def decode(body: bytes) -> dict[str, Any]:
    """The webhook body as a JSON object; ``parse`` reads its keys."""
    return decode_object(body)
