"""Pure Messenger rules: attachment kinds, the messaging window, text splitting."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.domain import Attachment, AttachmentKind
from bridge.errors import WindowClosed
from bridge.social.messenger.payloads import AttachmentPayload, MessageAttachment

MESSAGE_LIMIT = 2000  # characters per text message (Send API)
RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
WINDOW_RULE = "Messenger allows replies for 24 hours, or 7 days for a human agent"

_MEDIA: dict[str, AttachmentKind] = {
    "image": "image", "video": "video", "audio": "audio", "file": "file",
}
# Shared posts, reels and link previews: only a URL and maybe a title are worth keeping.
_LINKS = frozenset({"fallback", "share", "ig_reel", "reel", "template"})


def to_attachment(item: MessageAttachment) -> Attachment:
    """The domain attachment for one Messenger attachment; ``platform_type`` keeps its type."""
    kind, payload = item.type, item.payload or AttachmentPayload()
    if kind == "image" and payload.sticker_id:
        # Stickers (the thumbs-up "like" too) arrive as images with a sticker id.
        return Attachment("sticker", url=payload.url, platform_type=kind)
    if kind in _MEDIA and payload.url:
        return Attachment(_MEDIA[kind], url=payload.url, title=payload.title, platform_type=kind)
    if kind == "location" and payload.coordinates is not None:
        return Attachment(
            "location",
            title=payload.title,
            latitude=payload.coordinates.lat,
            longitude=payload.coordinates.long,
            platform_type=kind,
        )
    if kind in _LINKS and payload.url:
        return Attachment("link", url=payload.url, title=payload.title, platform_type=kind)
    return Attachment("unsupported", url=payload.url, title=payload.title, platform_type=kind)


@dataclass(frozen=True)
class SendPolicy:
    """How a reply may go out: ``messaging_type``, an optional message tag, a note."""

    messaging_type: str
    tag: str | None = None
    note: str | None = None


def send_policy(last_customer_at: datetime | None, now: datetime, human: bool) -> SendPolicy:
    """The Send API parameters the window allows, or ``WindowClosed`` in an agent's words.

    Within 24 h of the customer's last message any reply is a ``RESPONSE``; up to 7 days a
    reply written by a person may carry the ``HUMAN_AGENT`` tag (never automation).
    """
    if last_customer_at is None:
        raise WindowClosed(f"not sent: the customer has not written on Messenger; {WINDOW_RULE}")
    age = now - last_customer_at
    if age <= RESPONSE_WINDOW:
        return SendPolicy("RESPONSE")
    if human and age <= HUMAN_AGENT_WINDOW:
        return SendPolicy("MESSAGE_TAG", "HUMAN_AGENT", "sent with the HUMAN_AGENT tag")
    why = "" if human else " (this reply is automated, so the 7-day rule does not apply)"
    raise WindowClosed(f"not sent: the customer last wrote {_ago(age)}; {WINDOW_RULE}{why}")


def _ago(age: timedelta) -> str:
    if age.days >= 1:
        return f"{age.days} day{'s' if age.days > 1 else ''} ago"
    hours = int(age.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''} ago"


# Break points, best first: (pattern whose group 1 is where to cut, least share of the window
# the first part must fill so that a split does not leave a tiny message).
_BREAKS = (
    (re.compile(r"(\n[ \t]*\n)"), 0.5),
    (re.compile(r"(\n)"), 0.5),
    (re.compile(r"[.!?…。！？؟։।][\"'”’»)\]]*(\s)"), 0.5),
    (re.compile(r"(\s)"), 0.0),
)
_ZWJ = "\u200d"


def utf16_len(text: str) -> int:
    """Length as Meta's JavaScript-era limits count it; never less than ``len(text)``."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, in order.

    Cuts at a paragraph, line, sentence or word boundary where one exists in the second
    half of the allowance, else between characters that do not join (never inside a
    surrogate pair, before a combining mark or around a zero-width joiner). The
    whitespace at a cut is dropped; text that fits is returned unchanged.
    """
    parts: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _cut(rest, limit)
        head = rest[:cut].rstrip()
        if head:
            parts.append(head)
        rest = rest[cut:].lstrip()
    if rest.strip():
        parts.append(rest)
    return parts


def _cut(text: str, limit: int) -> int:
    fit = _fit(text, limit)
    window = text[:fit]
    for pattern, share in _BREAKS:
        cuts = [m.start(1) for m in pattern.finditer(window)]
        if cuts and cuts[-1] > fit * share:
            return cuts[-1]
    cut = fit
    while cut > 1 and _joins(text[cut - 1], text[cut]):
        cut -= 1
    return cut if cut > 1 else fit


def _fit(text: str, limit: int) -> int:
    """How many leading code points fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _joins(before: str, after: str) -> bool:
    """Whether cutting between the two characters would break one visible character."""
    return (
        before == _ZWJ
        or after == _ZWJ
        or unicodedata.category(after).startswith("M")  # combining marks, variation selectors
        or 0x1F3FB <= ord(after) <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= ord(after) <= 0xE007F  # emoji tag sequences (flags of regions)
    )
