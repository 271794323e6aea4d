"""Typed models of the Instagram ``comments`` webhook (``object == "instagram"``,
``entry[].changes[]`` with ``field == "comments"``).

Follows Meta's Webhooks reference for the Instagram object, field ``comments``: the
value has the comment ``id``, its ``text``, ``from {id, username}`` (the commenter's
Instagram-scoped id), ``media {id, media_product_type}`` (plus ``ad_id``/``ad_title``
on ads) and ``parent_id`` when it replies to another comment. It has no time of its
own: ``entry.time`` (epoch seconds) is when it happened. Tolerant: unknown fields kept.
The envelope (``entry[].changes[]``) is ``bridge.social.meta_comments.CommentWebhook``.
"""

from __future__ import annotations

from pydantic import Field

from bridge.social.meta_comments import CommentModel as _Model


class Author(_Model):
    id: str | None = None
    username: str | None = None


class Media(_Model):
    id: str | None = None
    media_product_type: str | None = None
    ad_id: str | None = None
    ad_title: str | None = None


class CommentValue(_Model):
    id: str | None = None
    text: str | None = None
    parent_id: str | None = None
    author: Author | None = Field(default=None, alias="from")
    media: Media | None = None
