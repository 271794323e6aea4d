"""Pure Telegram rules: ids, senders, message content as attachments, replies, text splits.

Files are never resolved while parsing: a webhook request must not call the Bot API, and
a download URL carries the bot token. An attachment's ``url`` is ``telegram-file:<file_id>``;
the worker turns it into a download URL with ``TelegramChannel.resolve_file`` when it
fetches the file.
"""

from __future__ import annotations

import re
from datetime import datetime

from bridge.clock import from_epoch_ms
from bridge.domain import Attachment, AttachmentKind, Sender
from bridge.errors import PayloadError
from bridge.social.messenger.mapping import split_text as _split_text
from bridge.social.telegram.payloads import Chat, FileRef, Message, User

MESSAGE_LIMIT = 4096  # characters of sendMessage.text
FILE_URL_PREFIX = "telegram-file:"

# Message fields that announce a change in the chat rather than carry what someone wrote.
SERVICE_KEYS = frozenset({
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "channel_chat_created", "message_auto_delete_timer_changed", "migrate_to_chat_id",
    "migrate_from_chat_id", "pinned_message", "successful_payment", "refunded_payment",
    "users_shared", "chat_shared", "connected_website", "write_access_allowed",
    "passport_data", "proximity_alert_triggered", "boost_added", "chat_background_set",
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "general_forum_topic_hidden", "general_forum_topic_unhidden", "giveaway_created",
    "giveaway_completed", "video_chat_scheduled", "video_chat_started", "video_chat_ended",
    "video_chat_participants_invited", "web_app_data",
})
# Fields about the message, not its content (Bot API 8.1 ``Message``).
META_KEYS = frozenset({
    "message_id", "message_thread_id", "from", "sender_chat", "sender_boost_count",
    "sender_business_bot", "date", "business_connection_id", "chat", "forward_origin",
    "is_topic_message", "is_automatic_forward", "reply_to_message", "external_reply", "quote",
    "reply_to_story", "via_bot", "edit_date", "has_protected_content", "is_from_offline",
    "media_group_id", "author_signature", "text", "entities", "link_preview_options",
    "effect_id", "caption", "caption_entities", "show_caption_above_media",
    "has_media_spoiler", "reply_markup",
})
# Content the bridge reads; anything else (story, poll, dice, game, invoice, paid media, and
# kinds newer than 8.1) becomes an ``unsupported`` attachment, visible on the ticket.
READ_KEYS = frozenset({
    "photo", "document", "animation", "video", "video_note", "voice", "audio", "sticker",
    "location", "venue", "contact",
})


def bot_id_from_token(token: str) -> str:
    """The bot's user id: the digits before the colon of ``<id>:<secret>``; "" otherwise."""
    prefix, colon, _ = token.partition(":")
    return prefix if colon and prefix.isdigit() else ""


def chat_id(chat: str) -> int | str:
    """A thread id as the Bot API's ``chat_id``: chat ids are integers;
    ``@channelusername`` stays a string."""
    try:
        return int(chat)
    except ValueError:
        return chat


def message_key(chat_id: int | str, message_id: int | str) -> str:
    """Telegram message ids are unique per chat only."""
    return f"{chat_id}:{message_id}"


def sent_at(unix_seconds: int) -> datetime:
    try:
        return from_epoch_ms(unix_seconds * 1000)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError("message date out of range") from exc


def sender_of(message: Message) -> Sender:
    """``from``; an anonymous group admin or a channel writes as ``sender_chat``."""
    if message.sender_chat is not None:
        return _chat_sender(message.sender_chat)
    if message.from_ is not None:
        return user_sender(message.from_)
    raise PayloadError("message without 'from' or 'sender_chat'")


def user_sender(user: User) -> Sender:
    name = " ".join(p.strip() for p in (user.first_name, user.last_name or "") if p.strip())
    return Sender(str(user.id), display_name=name or None, handle=user.username or None)


def _chat_sender(chat: Chat) -> Sender:
    names = (chat.title or "", chat.first_name or "", chat.last_name or "")
    name = " ".join(p.strip() for p in names if p.strip())
    return Sender(str(chat.id), display_name=name or None, handle=chat.username or None)


def text_of(message: Message) -> str:
    """The text or caption byte for byte; a shared contact becomes a line of text."""
    text = message.text if message.text is not None else message.caption or ""
    if message.contact is not None:
        contact = message.contact
        name = " ".join(p for p in (contact.first_name, contact.last_name or "") if p)
        line = " ".join(p for p in ("[contact]", name, contact.phone_number) if p)
        text = f"{text}\n{line}" if text else line
    return text


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    keys = message.keys()
    found = [a for a in (_photo(message), _file(message), _sticker(message), _place(message)) if a]
    found += [Attachment("unsupported", platform_type=k)
              for k in sorted(keys - META_KEYS - READ_KEYS - SERVICE_KEYS)]
    if not found and not text_of(message):
        found.append(Attachment("unsupported", platform_type="unsupported_message"))
    return tuple(found)


def _photo(message: Message) -> Attachment | None:
    if not message.photo:
        return None
    largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
    return Attachment("image", url=file_url(largest.file_id), mime_type="image/jpeg",
                      platform_type="photo")


def _file(message: Message) -> Attachment | None:
    """Documents, videos, voice notes and music; an animation (GIF) also carries a
    ``document`` copy for old clients, so the animation wins."""
    audio = message.audio
    choices: list[tuple[str, FileRef | None, AttachmentKind]] = [
        ("animation", message.animation, "video"), ("video", message.video, "video"),
        ("video_note", message.video_note, "video"), ("voice", message.voice, "audio"),
        ("audio", audio, "audio"), ("document", message.document, "file"),
    ]
    for platform_type, ref, kind in choices:
        if ref is not None:
            title = audio.title if ref is audio and audio is not None else None
            return Attachment(kind, url=file_url(ref.file_id), name=ref.file_name,
                              mime_type=ref.mime_type, title=title, platform_type=platform_type)
    return None


def _sticker(message: Message) -> Attachment | None:
    sticker = message.sticker
    if sticker is None:
        return None
    mime = ("application/x-tgsticker" if sticker.is_animated
            else "video/webm" if sticker.is_video else "image/webp")
    return Attachment("sticker", url=file_url(sticker.file_id), mime_type=mime,
                      title=sticker.emoji, platform_type="sticker")


def _place(message: Message) -> Attachment | None:
    """A venue is a location with a name and an address; a bare location has neither."""
    if message.venue is not None:
        venue = message.venue
        title = ", ".join(p for p in (venue.title, venue.address) if p) or None
        return Attachment("location", title=title, latitude=venue.location.latitude,
                          longitude=venue.location.longitude, platform_type="venue")
    if message.location is not None:
        return Attachment("location", latitude=message.location.latitude,
                          longitude=message.location.longitude, platform_type="location")
    return None


def file_url(file_id: str) -> str:
    return FILE_URL_PREFIX + file_id


def file_id_from_url(url: str) -> str | None:
    """The ``file_id`` of a ``telegram-file:`` attachment URL; ``None`` for any other URL."""
    if url.startswith(FILE_URL_PREFIX) and len(url) > len(FILE_URL_PREFIX):
        return url[len(FILE_URL_PREFIX):]
    return None


_REPLY_REFERENCE = re.compile(r"(?:(-?\d+):)?(\d+)")


def reply_to(reference: str | None, chat_id: str) -> int | None:
    """The message id to reply to, when ``OutboundMessage.reference`` names one in this chat.

    Accepted: the inbound message id as parsed (``"{chat_id}:{message_id}"``) or a bare
    message id. Anything else (the pipeline's ``social-bridge-delivery-N``) is no reply.
    """
    if not reference:
        return None
    match = _REPLY_REFERENCE.fullmatch(reference)
    if match is None or (match.group(1) is not None and match.group(1) != chat_id):
        return None
    message_id = int(match.group(2))
    return message_id if message_id > 0 else None


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-16 units (never more characters than
    Telegram counts), cut at a paragraph, line, sentence or word where one is near the limit,
    never inside a character; the same rules as Messenger's, at Telegram's limit."""
    return _split_text(text, limit)
