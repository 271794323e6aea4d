"""Typed models of the WhatsApp Cloud API webhook (``object == "whatsapp_business_account"``).

Shape: ``entry[].changes[]`` with a ``field`` and a ``value``; for ``field == "messages"``
(and ``"smb_message_echoes"``) the value holds ``metadata.phone_number_id`` (our number),
``contacts[]`` (profile name, ``wa_id``, and since 2025 a business-scoped ``user_id``),
``messages[]``, ``message_echoes[]``, ``statuses[]`` and ``errors[]``.

Tolerant by design, as for Messenger: unknown fields are kept (``extra="allow"``), every
key is optional, ids are strings (numbers coerced). Timestamps are epoch seconds written
as strings, except ``conversation.expiration_timestamp``, which some captures write as a
number (kept unmodelled). Documentation placeholders (``<WHATSAPP_MESSAGE_ID>``) are
ordinary strings here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="allow", coerce_numbers_to_str=True, frozen=True, populate_by_name=True
    )


class Profile(_Model):
    name: str | None = None


class Contact(_Model):
    """``value.contacts[]``: who wrote; ``user_id`` is the business-scoped user id."""

    wa_id: str | None = None
    profile: Profile | None = None
    user_id: str | None = None


class Metadata(_Model):
    phone_number_id: str
    display_phone_number: str | None = None


class ErrorData(_Model):
    details: str | None = None


class PlatformError(_Model):
    """One ``errors[]`` item; captures put the details in ``error_data`` or at the top."""

    code: int | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None

    def detail(self) -> str | None:
        return (self.error_data.details if self.error_data else None) or self.details


class Text(_Model):
    body: str = ""


class Media(_Model):
    """image, video, audio (``voice`` for voice notes), document, sticker (``animated``)."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None
    voice: bool | None = None
    animated: bool | None = None


class Location(_Model):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactName(_Model):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ContactPhone(_Model):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class ContactEmail(_Model):
    email: str | None = None
    type: str | None = None


class ContactCard(_Model):
    """One shared contact of a ``contacts`` message."""

    name: ContactName | None = None
    phones: list[ContactPhone] = Field(default_factory=list)
    emails: list[ContactEmail] = Field(default_factory=list)


class ReplyChoice(_Model):
    """``button_reply`` or ``list_reply``: our button's id and title."""

    id: str | None = None
    title: str | None = None
    description: str | None = None


class FlowReply(_Model):
    """``nfm_reply``: a completed WhatsApp Flow; ``response_json`` is a JSON string."""

    name: str | None = None
    body: str | None = None
    response_json: str | None = None


class Interactive(_Model):
    type: str | None = None
    button_reply: ReplyChoice | None = None
    list_reply: ReplyChoice | None = None
    nfm_reply: FlowReply | None = None


class Button(_Model):
    """A template's quick-reply button (``type == "button"``)."""

    payload: str | None = None
    text: str | None = None


class Reaction(_Model):
    message_id: str | None = None
    emoji: str | None = None


class ProductItem(_Model):
    product_retailer_id: str | None = None
    quantity: int | None = None
    item_price: float | None = None
    currency: str | None = None


class Order(_Model):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class System(_Model):
    """``customer_identity_changed`` or ``user_changed_number`` (new number in ``wa_id``)."""

    type: str | None = None
    body: str | None = None
    wa_id: str | None = None


class Referral(_Model):
    """A click-to-WhatsApp ad or post the conversation started from."""

    source_url: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    headline: str | None = None
    body: str | None = None


class Context(_Model):
    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool | None = None


class Revoke(_Model):
    original_message_id: str | None = None


class Edit(_Model):
    original_message_id: str | None = None
    message: Message | None = None  # the new content, without id, sender or time


class Message(_Model):
    """One ``messages[]`` (or ``message_echoes[]``) item; ``type`` says which key holds it."""

    id: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None  # echoes only
    timestamp: str | None = None
    type: str | None = None
    group_id: str | None = None
    context: Context | None = None
    text: Text | None = None
    image: Media | None = None
    video: Media | None = None
    audio: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[ContactCard] = Field(default_factory=list)
    interactive: Interactive | None = None
    button: Button | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    system: System | None = None
    referral: Referral | None = None
    edit: Edit | None = None
    revoke: Revoke | None = None
    errors: list[PlatformError] = Field(default_factory=list)

    def media(self) -> Media | None:
        """The media object named by ``type``, if this is a media message."""
        value = getattr(self, self.type, None) if self.type in MEDIA_KEYS else None
        return value if isinstance(value, Media) else None


MEDIA_KEYS = ("image", "video", "audio", "document", "sticker")


class Status(_Model):
    """A status of one of our sends: sent, delivered, read, failed (with ``errors``)."""

    id: str | None = None
    status: str | None = None
    timestamp: str | None = None
    recipient_id: str | None = None
    recipient_type: str | None = None  # "group" for sends to a group
    biz_opaque_callback_data: str | None = None
    errors: list[PlatformError] = Field(default_factory=list)


class Value(_Model):
    """``changes[].value`` of the ``messages`` and ``smb_message_echoes`` fields."""

    messaging_product: str | None = None
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    message_echoes: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[PlatformError] = Field(default_factory=list)


class Change(_Model):
    field: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)  # read as ``Value`` per field


class Entry(_Model):
    id: str  # the WhatsApp Business Account id
    changes: list[Change] | None = None


class WhatsAppWebhook(_Model):
    object: str
    entry: list[Entry]


Edit.model_rebuild()
