"""Typed models of the Instagram ``comments`` webhook (``object == "instagram"``,
``entry[].changes[]`` with ``field == "comments"``).

Follows Meta's Webhooks reference for the Instagram object, field ``comments``: the
value has the comment ``id``, its ``text``, ``from {id, username}`` (the commenter's
Instagram-scoped id), ``media {id, media_product_type}`` (plus ``ad_id``/``ad_title``
on ads) and ``parent_id`` when it replies to another comment. It has no time of its
own: ``entry.time`` (epoch seconds) is when it happened. Tolerant: unknown fields kept.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True, frozen=True,
                              populate_by_name=True)


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


class Change(_Model):
    field: str | None = None
    value: Any = None  # read only for the fields this channel handles


class Entry(_Model):
    id: str
    time: int | float | str | None = None
    changes: list[Change] | None = None


class InstagramWebhook(_Model):
    object: str
    entry: list[Entry]
