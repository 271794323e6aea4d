"""Pure rules for Instagram ``comments`` changes: thread, sender, what is ignored.

One conversation per top-level comment: a reply carries the comment it answers as
``parent_id`` (Instagram threads are two levels deep, replies only go under top-level
comments), a top-level comment has none.
"""

from __future__ import annotations

from bridge.domain import Attachment, InboundMessage, Sender, ThreadKey
from bridge.errors import PayloadError
from bridge.social.instagram_comment.payloads import CommentValue
from bridge.social.meta_parse import meta_time

KIND = "instagram_comment"
FIELD = "comments"
REPLY_LIMIT = 2200  # characters per comment, as for captions
# Other fields of the Instagram object, and why they are no tickets (yet): a live
# comment cannot be answered after the broadcast; a mention carries only ids.
OTHER_FIELDS = {"live_comments": "live_comment", "mentions": "mention"}


def ignore_reason(field: str | None) -> str:
    return OTHER_FIELDS.get(field or "", f"field:{field or 'unknown'}")


def read_comment(account: str, own: set[str], entry_time: int | float | str | None,
                 value: CommentValue) -> InboundMessage | str:
    """An inbound message for one comment, or the reason it is ignored."""
    if not value.id:
        raise PayloadError("comment without id")
    author = value.author
    if author is not None and author.id in own:
        return "echo"  # our own reply, from this app or the Instagram app
    thread = ThreadKey(KIND, account, value.parent_id or value.id)
    attachments: tuple[Attachment, ...] = ()
    if not value.text:
        attachments = (Attachment("unsupported", platform_type="comment_without_text"),)
    at = meta_time(entry_time, "comments entry time")
    return InboundMessage(thread, value.id, sender(value, thread), at, value.text or "",
                          attachments)


def sender(value: CommentValue, thread: ThreadKey) -> Sender:
    """The commenter with their ``@username``; without ``from`` (Meta's dashboard test
    sends only ``id`` and ``text``) the thread gets its own anonymous sender."""
    author = value.author
    if author is None or not author.id:
        return Sender(f"unknown-{thread.thread_id}")
    username = author.username or None
    return Sender(author.id, handle=username,
                  profile_url=f"https://www.instagram.com/{username}/" if username else None)
