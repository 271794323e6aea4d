"""The handler shapes /api/v1/rules and /api/v1/mappings share: create, replace, delete,
enable and disable one item, each in one session with the caller as the audit's actor.

A path's id is read first (404 for what cannot be an id), then the version a change
started from (422 when missing), then the body (415/400/422): the order the refusals
come in is part of the interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bridge import db
from bridge.admin.views import Entity, Origin
from bridge.web import api_auth
from bridge.web.api_io import int_arg, item_id, json_body, model_response, parse, put_version

D = TypeVar("D", bound=BaseModel)  # a definition: Rule, Mapping
Item = TypeVar("Item", bound=Origin)  # an item as listed: RuleItem, MappingItem

Key = int | str


def create(model: type[D], make: Callable[[Session, D, str], Item], collection: str
           ) -> Response:
    """201 with the new item and its ``Location`` (``/api/v1/<collection>/<id>``)."""
    definition = parse(model, json_body())
    with db.session() as s:
        item = make(s, definition, api_auth.actor())
    response = model_response(item, 201)
    response.headers["Location"] = f"/api/v1/{collection}/{item.id}"
    return response


def replace(ident: str, entity: Entity, model: type[D],
            update: Callable[[Session, Key, D, int, str], Item]) -> Response:
    """PUT: the item as saved; ``version`` is the one the client read."""
    key = item_id(ident, entity)
    version = put_version(key)
    definition = parse(model, json_body())
    with db.session() as s:
        return model_response(update(s, key, definition, version, api_auth.actor()))


def delete(ident: str, entity: Entity,
           remove: Callable[[Session, Key, str, int | None], None]) -> Response:
    """204; ``version`` (optional) guards against deleting a changed item."""
    key = item_id(ident, entity)
    version = int_arg("version", low=1)
    with db.session() as s:
        remove(s, key, api_auth.actor(), version)
    return Response(status=204)


def set_enabled(ident: str, entity: Entity, enabled: bool,
                switch: Callable[[Session, Key, bool, str], Item]) -> Response:
    """Enable or disable: the item as it is now."""
    key = item_id(ident, entity)
    with db.session() as s:
        return model_response(switch(s, key, enabled, api_auth.actor()))
