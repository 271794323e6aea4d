"""Pure WhatsApp rules: message content, threads, the 24 h window, request bodies.

- Media arrive as ids, never URLs: an attachment's ``url`` is ``whatsapp-media:{id}``,
  resolved (``GET /{version}/{media-id}``) and downloaded with the bearer token by the
  adapter's ``fetch_attachment`` when the worker needs the bytes.
- A group conversation is one thread, ``group:{group_id}``; its sender is the member.
- Free text only within 24 h of the customer's last message (the customer-service
  window); after that only an approved template, and never silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bridge.domain import Attachment, AttachmentKind, Sender, ThreadKey
from bridge.errors import PayloadError, WindowClosed
from bridge.social import files

# Meta's splitting rules are the same for every Meta channel (UTF-16 lengths, never inside a
# grapheme); only the limit differs. Re-exported so callers need not know where they live.
from bridge.social.messenger.mapping import split_text as split_text
from bridge.social.messenger.mapping import utf16_len as utf16_len
from bridge.social.meta_window import ago
from bridge.social.whatsapp.payloads import (
    Contact,
    ContactCard,
    Media,
    Message,
    Order,
    PlatformError,
)

TEXT_LIMIT = 4096  # characters of text.body
BUTTON_BODY_LIMIT = 1024  # interactive body.text (buttons and lists: ``choices``)
SERVICE_WINDOW = timedelta(hours=24)
WINDOW_RULE = (
    "WhatsApp allows free-form replies for 24 hours after the customer's last message; "
    "after that only an approved template can be sent"
)
MEDIA_SCHEME = "whatsapp-media:"
GROUP_PREFIX = "group:"
_KINDS: dict[str, AttachmentKind] = {
    "image": "image", "video": "video", "audio": "audio", "document": "file",
    "sticker": "sticker",
}
# What an agent's file goes out as, by its name's extension (Cloud API "Supported media
# types": JPEG/PNG images, MP4/3GPP video, AAC/AMR/MP3/M4A/OGG-Opus audio, WebP stickers);
# anything else is a ``document`` (the customer taps to download it).
_SEND_TYPES = {"jpg": "image", "jpeg": "image", "png": "image", "mp4": "video",
               "3gp": "video", "3gpp": "video", "aac": "audio", "amr": "audio",
               "mp3": "audio", "m4a": "audio", "ogg": "audio", "webp": "sticker"}
DEFAULT_FILENAME = "attachment"
# Message types that carry no customer content: the type is the ignore reason.
IGNORED_TYPES = {"reaction": "reaction", "request_welcome": "request_welcome",
                 "edit": "edited", "revoke": "deleted"}

@dataclass(frozen=True)
class Content:
    """What a customer's message says, as the helpdesk will show it."""

    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    quick_reply: str | None = None  # the id/payload of a tapped button or list row


def media_url(media_id: str) -> str:
    return f"{MEDIA_SCHEME}{media_id}"


def media_id_of(url: str | None) -> str | None:
    if not url or not url.startswith(MEDIA_SCHEME):
        return None
    return url[len(MEDIA_SCHEME):] or None


def thread_id(message: Message) -> str | None:
    """The conversation: the group, else the customer's wa_id."""
    if message.group_id:
        return GROUP_PREFIX + message.group_id
    return message.from_


def who(account: str, contacts: list[Contact], message: Message
        ) -> tuple[ThreadKey, Sender, datetime]:
    """Thread, sender (named by ``contacts[].profile.name``) and time of a message."""
    sender_id = required(message.from_, "from")
    thread = ThreadKey("whatsapp", account, thread_id(message) or sender_id)
    # The name belongs to the contact with the sender's wa_id (a group lists several).
    contact = next((c for c in contacts if c.wa_id == sender_id), None)
    name = contact.profile.name if contact and contact.profile else None
    return thread, Sender(sender_id, display_name=name or None), epoch(message.timestamp)


def required(value: str | None, name: str) -> str:
    if not value:
        raise PayloadError(f"WhatsApp item without {name}")
    return value


def epoch(timestamp: str | None) -> datetime:
    """WhatsApp timestamps: epoch seconds, as a string."""
    try:
        return datetime.fromtimestamp(int(required(timestamp, "timestamp")), UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"WhatsApp timestamp out of range: {timestamp!r}") from exc


def recipient(thread_id: str) -> tuple[str, str]:
    """(``recipient_type``, ``to``) for a send on ``thread_id``."""
    if thread_id.startswith(GROUP_PREFIX):
        return "group", thread_id[len(GROUP_PREFIX):]
    return "individual", thread_id


def content(message: Message) -> Content:
    """The text, attachments and tapped-button payload of any content-carrying type;
    an unknown type is an ``unsupported`` attachment, so nothing is dropped silently."""
    kind = message.type or "unknown"
    found = _content(kind, message)
    if message.referral is not None and message.referral.source_url:
        ad = Attachment("link", url=message.referral.source_url,
                        title=message.referral.headline, platform_type="referral")
        found = Content(found.text, (*found.attachments, ad), found.quick_reply)
    return found


def _content(kind: str, message: Message) -> Content:
    media = message.media()
    if media is not None:
        return _media(kind, media)
    if kind == "text" and message.text is not None:
        return Content(message.text.body)
    if kind == "location" and message.location is not None:
        loc = message.location
        parts = (loc.address,) if loc.name and (loc.address or "").startswith(loc.name) \
            else (loc.name, loc.address)
        title = ", ".join(p for p in parts if p) or None
        return Content(attachments=(Attachment("location", url=loc.url, title=title,
                                               latitude=loc.latitude, longitude=loc.longitude,
                                               platform_type="location"),))
    if kind == "contacts" and message.contacts:
        return Content("\n".join(contact_line(c) for c in message.contacts))
    if kind == "interactive" and message.interactive is not None:
        return _interactive(message)
    if kind == "button" and message.button is not None:
        button = message.button
        return Content(button.text or button.payload or "", quick_reply=button.payload or None)
    if kind == "order" and message.order is not None:
        return Content(order_text(message.order))
    text = message.text.body if message.text is not None else ""
    why = problems(message.errors) or None
    return Content(text, (Attachment("unsupported", title=why, platform_type=kind),))


def _media(kind: str, media: Media) -> Content:
    if not media.id:
        return Content(media.caption or "", (Attachment("unsupported", platform_type=kind),))
    platform = "voice" if kind == "audio" and media.voice else kind
    attachment = Attachment(_KINDS[kind], url=media_url(media.id), name=media.filename,
                            mime_type=media.mime_type, platform_type=platform)
    return Content(media.caption or "", (attachment,))


def _interactive(message: Message) -> Content:
    interactive = message.interactive
    assert interactive is not None
    choice = interactive.button_reply or interactive.list_reply
    if interactive.type in ("button_reply", "list_reply") and choice is not None:
        return Content(choice.title or choice.id or "", quick_reply=choice.id or None)
    if interactive.type == "nfm_reply" and interactive.nfm_reply is not None:
        return Content(flow_text(interactive.nfm_reply.body, interactive.nfm_reply.response_json))
    platform = f"interactive:{interactive.type or 'unknown'}"
    return Content(attachments=(Attachment("unsupported", platform_type=platform),))


def contact_line(card: ContactCard) -> str:
    """``Chandler Bing: +1 555-555-5555 (CELL), chandler@example.com``."""
    name = ""
    if card.name is not None:
        parts = (card.name.first_name, card.name.last_name)
        name = card.name.formatted_name or " ".join(p for p in parts if p)
    details = [f"{p.phone} ({p.type})" if p.type else p.phone for p in card.phones if p.phone]
    details += [e.email for e in card.emails if e.email]
    return f"{name or 'Contact'}: {', '.join(details)}" if details else (name or "Contact")


def order_text(order: Order) -> str:
    """A catalogue order as lines: one per product, then the customer's note."""
    lines = [f"Order from catalogue {order.catalog_id}:" if order.catalog_id else "Order:"]
    for item in order.product_items:
        price = f" at {item.item_price:g} {item.currency or ''}".rstrip() \
            if item.item_price is not None else ""
        lines.append(f"{item.quantity or 1} × {item.product_retailer_id}{price}")
    if order.text:
        lines.append(order.text)
    return "\n".join(lines)


def flow_text(body: str | None, response_json: str | None) -> str:
    """A completed Flow: its body, then each answer (the flow token is ours, not theirs)."""
    lines = [body] if body else []
    try:
        answers = json.loads(response_json) if response_json else {}
    except ValueError:
        answers = response_json
    if isinstance(answers, dict):
        lines += [f"{k}: {v}" for k, v in answers.items() if k != "flow_token"]
    elif answers:
        lines.append(str(answers))
    return "\n".join(lines)


def problems(errors: list[PlatformError]) -> str:
    parts = []
    for error in errors:
        title = error.title or error.message or "error"
        code = f" ({error.code})" if error.code is not None else ""
        detail = error.detail()
        parts.append(f"{title}{code}" + (f": {detail}" if detail and detail != title else ""))
    return "; ".join(parts)


def check_window(last_customer_at: datetime | None, now: datetime) -> None:
    """``WindowClosed`` in an agent's words unless free text may go out now."""
    if last_customer_at is None:
        raise WindowClosed(f"not sent: the customer has not written on WhatsApp; {WINDOW_RULE}")
    age = now - last_customer_at
    if age > SERVICE_WINDOW:
        raise WindowClosed(f"not sent: the customer last wrote {ago(age)}; {WINDOW_RULE}")




def text_parts(text: str, interactive: bool) -> list[str]:
    """The reply in order; with buttons or a list the last part must fit an interactive body."""
    parts = split_text(text, TEXT_LIMIT)
    if interactive and parts and utf16_len(parts[-1]) > BUTTON_BODY_LIMIT:
        parts[-1:] = split_text(parts[-1], BUTTON_BODY_LIMIT)
    return parts


def text_body(thread_id: str, text: str) -> dict[str, Any]:
    kind, to = recipient(thread_id)
    return {"messaging_product": "whatsapp", "recipient_type": kind, "to": to,
            "type": "text", "text": {"body": text, "preview_url": False}}


def template_body(thread_id: str, name: str, language: str,
                  components: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    kind, to = recipient(thread_id)
    template: dict[str, Any] = {"name": name,
                                "language": {"policy": "deterministic", "code": language}}
    if components:
        template["components"] = [dict(c) for c in components]
    return {"messaging_product": "whatsapp", "recipient_type": kind, "to": to,
            "type": "template", "template": template}


def file_name(url: str) -> str:
    """The file's name (``bridge.social.files``), else ``attachment``."""
    return files.file_name(url).strip() or DEFAULT_FILENAME


def media_type(url: str) -> str:
    """The Cloud API message type for a file URL, judged by its name's extension."""
    return _SEND_TYPES.get(files.extension(url), "document")


def media_body(thread_id: str, url: str) -> dict[str, Any]:
    """A media message by ``link`` (WhatsApp fetches the URL itself). A document carries
    its ``filename`` (the client picks the icon by its extension); stickers take only
    ``id`` or ``link`` (the spec closes ``StickerMessage.sticker``)."""
    kind, to = recipient(thread_id)
    message_type = media_type(url)
    media: dict[str, Any] = {"link": url}
    if message_type == "document":
        media["filename"] = file_name(url)
    return {"messaging_product": "whatsapp", "recipient_type": kind, "to": to,
            "type": message_type, message_type: media}
