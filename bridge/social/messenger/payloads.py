"""Typed models of the Messenger webhook (``object == "page"``, ``entry[].messaging[]``).

Tolerant by design: unknown fields are kept (``extra="allow"``) and every event key is
optional, because Meta adds fields and event kinds without notice. Ids are strings;
numbers are coerced, since some senders of test payloads write them unquoted.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True)


class Party(_Model):
    """``sender`` or ``recipient``: a PSID or page id; ``user_ref`` for plugin opt-ins."""

    id: str | None = None
    user_ref: str | None = None


class Coordinates(_Model):
    lat: float
    long: float


class AttachmentPayload(_Model):
    url: str | None = None
    title: str | None = None
    sticker_id: str | None = None  # present on image attachments that are stickers
    coordinates: Coordinates | None = None
    reel_video_id: str | None = None


class MessageAttachment(_Model):
    type: str
    payload: AttachmentPayload | None = None


class QuickReply(_Model):
    payload: str | None = None


class ReplyTo(_Model):
    mid: str | None = None


class Message(_Model):
    mid: str | None = None
    text: str | None = None
    is_echo: bool = False
    app_id: str | None = None
    metadata: str | None = None
    attachments: list[MessageAttachment] = Field(default_factory=list)
    quick_reply: QuickReply | None = None
    reply_to: ReplyTo | None = None
    is_deleted: bool = False
    is_unsupported: bool = False


class Referral(_Model):
    ref: str | None = None
    source: str | None = None
    type: str | None = None
    ad_id: str | None = None


class Postback(_Model):
    mid: str | None = None
    title: str | None = None
    payload: str | None = None
    referral: Referral | None = None


class MessageEdit(_Model):
    """``message_edit``: the message ``mid`` now reads ``text`` (edit number ``num_edit``)."""

    mid: str | None = None
    text: str | None = None
    num_edit: str | None = None


class Delivery(_Model):
    mids: list[str] = Field(default_factory=list)
    watermark: int | None = None


class Read(_Model):
    watermark: int | None = None


class Optin(_Model):
    type: str | None = None
    ref: str | None = None
    user_ref: str | None = None
    payload: str | None = None


class Reaction(_Model):
    mid: str | None = None
    action: str | None = None
    reaction: str | None = None
    emoji: str | None = None


class MessagingItem(_Model):
    """One event; which key is present says what kind it is."""

    sender: Party | None = None
    recipient: Party | None = None
    timestamp: int | None = None
    message: Message | None = None
    postback: Postback | None = None
    referral: Referral | None = None
    delivery: Delivery | None = None
    read: Read | None = None
    optin: Optin | None = None
    reaction: Reaction | None = None
    message_edit: MessageEdit | None = None

    def event_keys(self) -> set[str]:
        """Names of the event keys present, modelled or not."""
        present = {name for name in self.model_fields_set if getattr(self, name) is not None}
        return present | set(self.model_extra or {})


class Entry(_Model):
    id: str
    time: int | None = None
    messaging: list[MessagingItem] | None = None


class PageWebhook(_Model):
    object: str
    entry: list[Entry]
