"""A customer's message as helpdesk text: the text byte for byte, then one line per
attachment, so nothing is dropped silently and an unsupported kind stays visible.

The body never depends on whether a download worked: recovery after a crash
finds the comment again by comparing bodies.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import requests
import structlog

from bridge.domain import Attachment, InboundMessage, Upload
from bridge.social import files

log = structlog.get_logger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024
CHANNEL_LABELS = {
    "messenger": "Messenger",
    "facebook_comment": "Facebook comment",
    "instagram": "Instagram",
    "instagram_comment": "Instagram comment",
    "whatsapp": "WhatsApp",
    "x": "X",
    "telegram": "Telegram",
}
UPLOADABLE = {"image", "file", "video", "audio", "sticker"}


def attachment_line(a: Attachment) -> str:
    if a.kind == "location":
        where = f"{a.latitude}, {a.longitude}"
        link = f"https://www.openstreetmap.org/?mlat={a.latitude}&mlon={a.longitude}"
        return f"[location] {a.title + ' ' if a.title else ''}{where} {link}"
    if a.kind == "unsupported":
        return f"[unsupported attachment: {a.platform_type or 'unknown'}] {a.url or ''}".rstrip()
    label = f"[{a.kind}]"
    parts = [label, a.title or a.name or "", a.url or ""]
    return " ".join(p for p in parts if p)


def comment_body(msg: InboundMessage) -> str:
    lines = [attachment_line(a) for a in msg.attachments]
    if not msg.text:
        return "\n".join(lines) or "[empty message]"
    if not lines:
        return msg.text
    return msg.text + "\n\n" + "\n".join(lines)


def subject(msg: InboundMessage, sender_name: str) -> str:
    label = CHANNEL_LABELS.get(msg.thread.channel, msg.thread.channel)
    return subject_from_message(msg.text, f"{label} message from {sender_name}")


SUBJECT_LIMIT = 80
ELLIPSIS = "…"


def _joins_previous(char: str) -> bool:
    """Combining marks, joiners, variation selectors and skin tones belong to the char before."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in ("\u200d", "\ufe0e", "\ufe0f")
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def subject_from_message(text: str, fallback: str, limit: int = SUBJECT_LIMIT) -> str:
    """First non-empty line, at most ``limit`` characters with an ellipsis, else ``fallback``."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if not line:
        return fallback
    if len(line) <= limit:
        return line
    cut = limit - len(ELLIPSIS)
    while cut > 0 and (_joins_previous(line[cut]) or line[cut - 1] == "\u200d"):
        cut -= 1
    return line[:cut].rstrip() + ELLIPSIS



Fetcher = Callable[[str], tuple[str, bytes] | None]


def fetch(url: str, timeout: float = 15.0) -> tuple[str, bytes] | None:
    """Download an attachment (content type, bytes); None when it cannot be had."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        with requests.get(url, timeout=timeout, stream=True) as resp:
            if resp.status_code != 200:
                return None
            data = resp.raw.read(MAX_DOWNLOAD + 1, decode_content=True)
            if len(data) > MAX_DOWNLOAD:
                return None
            return resp.headers.get("Content-Type", "application/octet-stream"), data
    except requests.RequestException as exc:
        log.info("attachment_download_failed", url=url, error=str(exc))
        return None


def uploads(msg: InboundMessage, fetcher: Fetcher = fetch) -> tuple[Upload, ...]:
    out: list[Upload] = []
    for i, a in enumerate(msg.attachments):
        if a.kind not in UPLOADABLE or not a.url:
            continue
        got = fetcher(a.url)
        if got is None:
            continue
        content_type, data = got
        name = a.name or _filename(a, i, content_type)
        out.append(Upload(filename=name, content_type=content_type, data=data))
    return tuple(out)


def _filename(a: Attachment, index: int, content_type: str) -> str:
    tail = a.url.rsplit("/", 1)[-1].split("?", 1)[0] if a.url else ""
    if tail and "." in tail and len(tail) <= 100:
        return tail
    ext = content_type.split("/")[-1].split(";")[0] or "bin"
    return f"{a.kind}-{index + 1}.{ext}"


def unsent_attachments(urls: Sequence[str]) -> str:
    """The internal note for an agent's attachments a channel does not send (the text went)."""
    names = ", ".join(attachment_name(u) for u in urls)
    return (f"{len(urls)} attachment(s) not sent to the customer (this channel takes text "
            f"only from the bridge): {names}")


def attachment_name(url: str) -> str:
    """A readable name (``bridge.social.files``), else the whole URL."""
    return files.file_name(url) or url
