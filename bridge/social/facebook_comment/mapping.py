"""Pure rules for Page ``feed`` changes: which ones are comments, their thread, their id.

One conversation per top-level comment: a top-level comment has ``parent_id ==
post_id`` (or none), a reply carries the comment it answers as ``parent_id``. Facebook
threads are two levels deep, so that parent is the thread's top-level comment.
"""

from __future__ import annotations

from datetime import datetime

from bridge.domain import Attachment, EventKind, InboundMessage, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social.facebook_comment.payloads import FeedValue
from bridge.social.meta_parse import digest, meta_time

Stamp = int | float | str | None
KIND = "facebook_comment"
REPLY_LIMIT = 8000  # characters per comment
VERBS: dict[str, EventKind] = {"add": "message", "edited": "edit", "edit": "edit",
                               "remove": "delete", "delete": "delete"}
# Moderation by the page itself: nothing the customer wrote changes.
MODERATION = {"hide": "comment_hidden", "unhide": "comment_unhidden"}
REACTIONS = frozenset({"reaction", "like"})


def read_change(page_id: str, entry_time: Stamp, value: FeedValue) -> InboundMessage | str:
    """An inbound event for one feed change, or the reason it is ignored."""
    if value.item != "comment":
        return "reaction" if value.item in REACTIONS else f"feed_{value.item or 'unknown'}"
    verb = value.verb or "add"
    if verb in MODERATION:
        return MODERATION[verb]
    if verb not in VERBS:
        return f"comment_{verb}"
    comment_id = value.comment_id
    if not comment_id:
        raise PayloadError("feed comment without comment_id")
    author = value.author
    if author is not None and author.id == page_id:
        return "echo"  # the page's own comment: our reply, or an admin's
    thread = ThreadKey(KIND, page_id, top_comment(value, comment_id))
    kind = VERBS[verb]
    at = _when(kind, value, entry_time)
    text = "" if kind == "delete" else value.message or ""
    attachments = () if kind == "delete" else _attachments(value)
    if kind == "message" and not text and not attachments:
        attachments = (Attachment("unsupported", platform_type="comment_without_text"),)
    return InboundMessage(
        thread=thread, message_id=event_id(kind, comment_id, at, text),
        sender=sender(value, thread), sent_at=at, text=text, attachments=attachments,
        kind=kind, refers_to=None if kind == "message" else comment_id, link=link(value),
    )


def top_comment(value: FeedValue, comment_id: str) -> str:
    parent = value.parent_id
    return parent if parent and parent != value.post_id else comment_id


def event_id(kind: EventKind, comment_id: str, at: datetime, text: str) -> str:
    """The comment id for a new comment; ``edit:<id>:<time>:<text digest>`` for an edit
    (Meta may repeat the comment's own time on edits: the digest tells edits apart, and
    a retried webhook still maps to the same id); ``delete:<id>`` (removed once)."""
    if kind == "edit":
        return f"edit:{comment_id}:{int(at.timestamp())}:{digest(text)}"
    if kind == "delete":
        return f"delete:{comment_id}"
    return comment_id


def sender(value: FeedValue, thread: ThreadKey) -> Sender:
    """The commenter; Meta leaves ``from`` out when the app may not read the person, so
    such a thread gets its own anonymous sender (never one shared by strangers)."""
    author = value.author
    if author is None or not author.id:
        return Sender(f"unknown-{thread.thread_id}")
    return Sender(author.id, display_name=author.name or None)


def link(value: FeedValue) -> str | None:
    """The change's own permalink when it has one, else its post's."""
    post = value.post.permalink_url if value.post is not None else None
    return value.permalink_url or post or None


def _attachments(value: FeedValue) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if value.photo:
        found.append(Attachment("image", url=value.photo, platform_type="photo"))
    if value.video:
        found.append(Attachment("video", url=value.video, platform_type="video"))
    return tuple(found)


def _when(kind: EventKind, value: FeedValue, entry_time: Stamp) -> datetime:
    """A new comment's own time; for an edit or a removal the notification's time, which
    is when it happened (the value may still carry the comment's creation time)."""
    first, second = value.created_time, entry_time
    if kind != "message":
        first, second = second, first
    return meta_time(first if first is not None else second, "feed comment time")
