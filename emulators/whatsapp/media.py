"""Checks of media sends the spec's schemas cannot express: ``MediaObject`` (image, video,
audio, document) and ``StickerMessage.sticker`` are ``oneOf`` ``id`` / ``link``, which the
validator skips. Exactly one of the two; a ``link`` is an HTTP(S) URL ("HTTP/HTTPS only");
a sticker's branches are closed (nothing else); a caption is at most 1024 characters
(Cloud API media message docs) and a document's ``filename`` is a string."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

JSON = dict[str, Any]

MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
CAPTION_LIMIT = 1024


def media_problem(kind: str, media: JSON) -> str | None:
    """Meta's complaint about the ``media`` object of a ``kind`` send, else ``None``."""
    where = kind
    has_id, has_link = "id" in media, "link" in media
    if has_id == has_link:
        return f"Param {where} must have exactly one of {where}['id'] or {where}['link']."
    if has_link and not _http_url(media["link"]):
        return f"Param {where}['link'] must be a valid HTTP or HTTPS URL."
    if has_id and not (isinstance(media["id"], str) and media["id"]):
        return f"Param {where}['id'] must be a non-empty string."
    if kind == "sticker":
        extra = sorted(set(media) - {"id", "link"})
        return f"Param {where}['{extra[0]}'] is not a known parameter." if extra else None
    caption = media.get("caption")
    if caption is not None and not (isinstance(caption, str) and len(caption) <= CAPTION_LIMIT):
        return f"Param {where}['caption'] must be at most {CAPTION_LIMIT} characters long."
    if "filename" in media and not isinstance(media["filename"], str):
        return f"Param {where}['filename'] must be a string."
    return None


def _http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
