"""Typed models of the Page ``feed`` webhook (``object == "page"``, ``entry[].changes[]``).

Follows Meta's Webhooks reference for the Page object, field ``feed``: ``value.item``
says what changed (``comment``, ``reaction``, ``status``, ``photo``...), ``value.verb``
how (``add``, ``edited``, ``remove``, ``hide``, ``unhide``). A comment carries
``comment_id``, ``post_id``, ``parent_id`` (the post for a top-level comment, the
comment replied to otherwise), ``from {id, name}``, ``message``, ``created_time``
(epoch seconds) and, when it has one, ``photo`` or ``video`` (a URL) and ``post``
(with the post's ``permalink_url``).

The envelope (``entry[].changes[]``) is ``bridge.social.meta_comments.CommentWebhook``;
tolerant like the Messenger models: unknown fields are kept, ids are strings.
"""

from __future__ import annotations

from pydantic import Field

from bridge.social.meta_comments import CommentModel as _Model


class Author(_Model):
    id: str | None = None
    name: str | None = None


class Post(_Model):
    id: str | None = None
    permalink_url: str | None = None
    status_type: str | None = None


class FeedValue(_Model):
    """One feed change; only comments are read closely."""

    item: str | None = None
    verb: str | None = None
    comment_id: str | None = None
    post_id: str | None = None
    parent_id: str | None = None
    author: Author | None = Field(default=None, alias="from")
    message: str | None = None
    created_time: int | float | str | None = None
    photo: str | None = None
    video: str | None = None
    post: Post | None = None
    permalink_url: str | None = None
