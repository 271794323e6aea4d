"""Pure Instagram DM rules: attachment kinds, what is ignored, text size, the profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bridge.domain import Attachment, AttachmentKind, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.receipts import Receipt
from bridge.social import files
from bridge.social.instagram.payloads import AttachmentPayload, MessageAttachment, MessagingItem
from bridge.social.meta_parse import meta_time
from bridge.social.meta_window import SendPolicy

KIND = "instagram"
# Meta's Instagram send guide: "Message text must be UTF-8 and be 1000 bytes or less"
# (elsewhere "less than 1000 characters"); counting bytes satisfies both readings.
TEXT_LIMIT = 1000
PROFILE_FIELDS = "name,username,follower_count,is_verified_user"

# Event keys received but deliberately not tickets; the key is the reason. ``read`` is
# the "messaging_seen" receipt; reactions and likes are not words to answer.
IGNORED_KEYS = (
    "read", "reaction", "referral", "optin", "delivery", "policy_enforcement",
    "pass_thread_control", "take_thread_control", "request_thread_control", "app_roles",
)
LIKE = "like_heart"  # the heart a customer taps instead of writing

_MEDIA: dict[str, AttachmentKind] = {
    "image": "image", "video": "video", "audio": "audio", "file": "file",
    "animated_image": "image",
}
# Shared posts and reels, story mentions: a URL (and maybe a title) is what there is.
_LINKS = {"share": "shared post", "ig_reel": "shared reel", "reel": "shared reel",
          "ig_post": "shared post", "story_mention": "mentioned you in their story",
          "fallback": None}


def utf8_units(char: str) -> int:
    return len(char.encode("utf-8", "surrogatepass"))


def to_attachment(item: MessageAttachment) -> Attachment:
    """The domain attachment; ``platform_type`` keeps Instagram's type."""
    kind, payload = item.type, item.payload or AttachmentPayload()
    if kind in _MEDIA and payload.url:
        return Attachment(_MEDIA[kind], url=payload.url, title=payload.title,
                          platform_type=kind)
    if kind in _LINKS and payload.url:
        return Attachment("link", url=payload.url, title=payload.title or _LINKS[kind],
                          platform_type=kind)
    if kind == LIKE:
        return Attachment("sticker", platform_type=kind)
    return Attachment("unsupported", url=payload.url, title=payload.title, platform_type=kind)


def only_likes(attachments: list[MessageAttachment]) -> bool:
    return bool(attachments) and all(a.type == LIKE for a in attachments)


def sender_from_profile(igsid: str, profile: Mapping[str, Any]) -> Sender:
    """The User Profile API's fields as a ``Sender`` (``name`` may be empty: then the
    ``@username`` is the name agents see)."""
    name, username = _text(profile.get("name")), _text(profile.get("username"))
    followers = profile.get("follower_count")
    verified = profile.get("is_verified_user")
    return Sender(
        igsid,
        display_name=name or (f"@{username}" if username else None),
        handle=username,
        profile_url=f"https://www.instagram.com/{username}/" if username else None,
        follower_count=followers if isinstance(followers, int) else None,
        verified=verified if isinstance(verified, bool) else None,
    )


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


# What an Instagram message may carry besides text (Meta's send guide: png, jpeg, gif
# images; mp4, ogg, avi, mov, webm video; aac, m4a, wav audio), by file name extension.
_SENDABLE = {"png": "image", "jpg": "image", "jpeg": "image", "gif": "image",
             "mp4": "video", "ogg": "video", "avi": "video", "mov": "video", "webm": "video",
             "aac": "audio", "m4a": "audio", "wav": "audio"}


def sendable_type(url: str) -> str | None:
    """Instagram's attachment type for a file URL, judged by its name; None: not sendable."""
    return _SENDABLE.get(files.extension(url))


def send_body(recipient: str, policy: SendPolicy, content: dict[str, Any]) -> dict[str, Any]:
    """A Send API body: ``content`` is the ``message`` (text or attachment)."""
    body: dict[str, Any] = {"recipient": {"id": recipient},
                            "messaging_type": policy.messaging_type, "message": content}
    if policy.tag:
        body["tag"] = policy.tag
    return body


def read_receipt(account: str, item: MessagingItem) -> Receipt | None:
    """Instagram's ``messaging_seen``: ``read.mid`` names the message the customer saw
    (Messenger-style ``read.watermark`` is read too); None for any other item."""
    sender = item.sender.id if item.sender else None
    if item.read is None or not sender or item.timestamp is None:
        return None
    mid, watermark = item.read.get("mid"), item.read.get("watermark")
    thread = ThreadKey(KIND, account, sender)
    try:  # a receipt is never worth a refused webhook: an unreadable one is dropped
        at = meta_time(item.timestamp, "read timestamp")
        if isinstance(mid, str) and mid:
            return Receipt(thread, "read", at, (mid,))
        if isinstance(watermark, int | str):
            return Receipt(thread, "read", at, watermark=meta_time(watermark, "watermark"))
    except PayloadError:
        return None
    return None
