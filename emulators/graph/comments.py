"""What the Graph emulator knows of comments, and Meta's rules for answering them.

Comments the tests register (``book.add``) carry their platform, author, time and
parent; a comment the emulator never heard of is taken as a fresh top-level one, so a
sandbox works without setup. The rules reproduced, each as Graph words it:

- a removed comment takes no reply, public or private: code 100, subcode 33;
- Instagram replies only go under top-level comments: code 100;
- one private reply per comment: code 10900 "Activity already replied to";
- a private reply more than 7 days after the comment: code 10, subcode 2018278;
- length: Facebook comments 8000 characters, Instagram comments 2200, private replies
  2000 characters (Messenger) or 1000 bytes (Instagram).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from emulators.graph.errors import JSON, graph_error

PRIVATE_REPLY_WINDOW = timedelta(days=7)
REPLY_LIMITS = {"facebook": 8000, "instagram": 2200}
EDGES = {"comments": "facebook", "replies": "instagram"}
INSTAGRAM_TEXT_BYTES = 1000  # Instagram DMs and private replies: UTF-8 bytes of the text
MESSENGER_TEXT = 2000  # Messenger private replies: characters
MISSING = ("Unsupported {method} request. Object with ID '{id}' does not exist, cannot be "
           "loaded due to missing permissions, or does not support this operation.")


@dataclass
class Comment:
    id: str
    platform: str  # facebook, instagram
    author: str
    created_at: datetime
    parent_id: str | None = None
    removed: bool = False
    private_replied: bool = False


@dataclass
class CommentBook:
    """The comments, guarded by the emulator state's lock."""

    clock: Callable[[], datetime]
    comments: dict[str, Comment] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, comment_id: str, platform: str, author: str,
            created_at: datetime | None = None, parent_id: str | None = None) -> Comment:
        comment = Comment(comment_id, platform, author, created_at or self.clock(), parent_id)
        with self.lock:
            self.comments[comment_id] = comment
        return comment

    def remove(self, comment_id: str) -> None:
        with self.lock:
            self.get(comment_id, "facebook").removed = True

    def clear(self) -> None:
        with self.lock:
            self.comments.clear()

    def get(self, comment_id: str, platform: str) -> Comment:
        """The comment; an unknown one is made on first sight (the caller holds the lock)."""
        if comment_id not in self.comments:
            self.comments[comment_id] = Comment(comment_id, platform, f"user-{comment_id}",
                                                self.clock())
        return self.comments[comment_id]

    def public_reply_problem(self, comment_id: str, edge: str, text: object) -> JSON | None:
        """Graph's error body for ``POST /{comment_id}/{edge}``, or None when allowed."""
        platform = EDGES[edge]
        with self.lock:
            comment = self.get(comment_id, platform)
            if comment.removed or comment.platform != platform:
                return graph_error(MISSING.format(method="post", id=comment_id), 100, 33)
            if platform == "instagram" and comment.parent_id:
                return graph_error("(#100) Replies are only allowed on top-level comments", 100)
        if not isinstance(text, str) or not text.strip():
            return graph_error("(#100) The parameter message is required", 100)
        if len(text) > REPLY_LIMITS[platform]:
            return graph_error(f"(#100) A comment may have at most {REPLY_LIMITS[platform]} "
                               "characters", 100)
        return None

    def private_reply(self, comment_id: str, text: str) -> tuple[Comment | None, JSON | None]:
        """(the comment, None) when a private reply is allowed, and counts it as made;
        (None, Graph's error body) when not."""
        with self.lock:
            comment = self.get(comment_id, "facebook")
            if comment.removed:
                return None, graph_error(MISSING.format(method="post", id=comment_id), 100, 33)
            if comment.private_replied:
                return None, graph_error("(#10900) Activity already replied to", 10900)
            if self.clock() - comment.created_at > PRIVATE_REPLY_WINDOW:
                return None, graph_error(
                    "(#10) This message is sent outside of allowed window.", 10, 2018278)
            if _too_long(comment.platform, text):
                return None, graph_error("(#100) Param message[text] is too long", 100)
            comment.private_replied = True
            return comment, None


def _too_long(platform: str, text: str) -> bool:
    if platform == "instagram":
        return len(text.encode("utf-8")) > INSTAGRAM_TEXT_BYTES
    return len(text) > MESSENGER_TEXT


def new_comment_id() -> str:
    return str(10**16 + secrets.randbelow(9 * 10**16))
