"""Pure Messenger rules: attachment kinds, the messaging window, text splitting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bridge.domain import Attachment, AttachmentKind
from bridge.social import files
from bridge.social.messenger.payloads import AttachmentPayload, MessageAttachment
from bridge.social.meta_window import HUMAN_AGENT_WINDOW as HUMAN_AGENT_WINDOW
from bridge.social.meta_window import RESPONSE_WINDOW as RESPONSE_WINDOW
from bridge.social.meta_window import SendPolicy as SendPolicy
from bridge.social.meta_window import send_policy as send_policy
from bridge.social.meta_window import window_rule

MESSAGE_LIMIT = 2000  # characters per text message (Send API)
# Send API attachment types by file extension; any other file goes as ``file`` (Meta
# fetches the URL itself, up to 25 MB).
_SEND_TYPES = {"png": "image", "jpg": "image", "jpeg": "image", "gif": "image",
               "mp4": "video", "mov": "video", "avi": "video", "webm": "video",
               "mp3": "audio", "aac": "audio", "m4a": "audio", "wav": "audio", "ogg": "audio"}
WINDOW_RULE = window_rule("Messenger")

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


def utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def send_type(url: str) -> str:
    """The Send API attachment type for an agent's file (``file`` when not media)."""
    return _SEND_TYPES.get(files.extension(url), "file")


def split_text(text: str, limit: int = MESSAGE_LIMIT,
               unit: Callable[[str], int] = utf16_units) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, in order; ``unit`` says what one
    character counts (UTF-16 units by default; Instagram counts UTF-8 bytes).

    Cuts at a paragraph, line, sentence or word boundary where one exists in the second
    half of the allowance, else between characters that do not join (never inside a
    surrogate pair, before a combining mark or around a zero-width joiner). The
    whitespace at a cut is dropped; text that fits is returned unchanged.
    """
    parts: list[str] = []
    rest = text
    while _fit(rest, limit, unit) < len(rest):
        cut = _cut(rest, limit, unit)
        head = rest[:cut].rstrip()
        if head:
            parts.append(head)
        rest = rest[cut:].lstrip()
    if rest.strip():
        parts.append(rest)
    return parts


def _cut(text: str, limit: int, unit: Callable[[str], int]) -> int:
    fit = _fit(text, limit, unit)
    window = text[:fit]
    for pattern, share in _BREAKS:
        cuts = [m.start(1) for m in pattern.finditer(window)]
        if cuts and cuts[-1] > fit * share:
            return cuts[-1]
    cut = fit
    while cut > 1 and joins(text[cut - 1], text[cut]):
        cut -= 1
    return cut if cut > 1 else fit


def _fit(text: str, limit: int, unit: Callable[[str], int]) -> int:
    """How many leading code points fit in ``limit`` units."""
    units = 0
    for index, char in enumerate(text):
        units += unit(char)
        if units > limit:
            return index
    return len(text)


def joins(before: str, after: str) -> bool:
    """Whether cutting between the two characters would break one visible character."""
    return (
        before == _ZWJ
        or after == _ZWJ
        or unicodedata.category(after).startswith("M")  # combining marks, variation selectors
        or 0x1F3FB <= ord(after) <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= ord(after) <= 0xE007F  # emoji tag sequences (flags of regions)
    )
