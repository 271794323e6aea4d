"""Typed models of the Instagram messaging webhook (``object == "instagram"``,
``entry[].messaging[]``), as Meta's Messenger Platform for Instagram sends it.

The shape is Messenger's, plus Instagram's own: ``message.reply_to.story`` (a reply to
a story), ``message.is_deleted`` (unsent), ``message_edit``, attachments of type
``story_mention``, ``share``, ``ig_reel``, ``like_heart``. Times are epoch milliseconds;
some captures write ISO strings, so both are accepted. Tolerant: unknown fields kept.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True)


class Party(_Model):
    id: str | None = None


class AttachmentPayload(_Model):
    url: str | None = None
    title: str | None = None
    sticker_id: str | None = None
    reel_video_id: str | None = None


class MessageAttachment(_Model):
    type: str
    payload: AttachmentPayload | None = None


class StoryRef(_Model):
    id: str | None = None
    url: str | None = None


class ReplyTo(_Model):
    mid: str | None = None
    story: StoryRef | None = None


class QuickReply(_Model):
    payload: str | None = None


class Message(_Model):
    mid: str | None = None
    text: str | None = None
    is_echo: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False
    attachments: list[MessageAttachment] = Field(default_factory=list)
    quick_reply: QuickReply | None = None
    reply_to: ReplyTo | None = None


class Postback(_Model):
    mid: str | None = None
    title: str | None = None
    payload: str | None = None


class MessageEdit(_Model):
    mid: str | None = None
    text: str | None = None
    num_edit: int | None = None


class MessagingItem(_Model):
    """One event; which key is present says what kind it is."""

    sender: Party | None = None
    recipient: Party | None = None
    timestamp: int | float | str | None = None
    message: Message | None = None
    postback: Postback | None = None
    message_edit: MessageEdit | None = None
    read: dict[str, Any] | None = None
    reaction: dict[str, Any] | None = None

    def event_keys(self) -> set[str]:
        """Names of the event keys present, modelled or not."""
        present = {name for name in self.model_fields_set if getattr(self, name) is not None}
        return present | set(self.model_extra or {})


class Entry(_Model):
    id: str
    time: int | float | str | None = None
    messaging: list[MessagingItem] | None = None


class InstagramWebhook(_Model):
    object: str
    entry: list[Entry]
