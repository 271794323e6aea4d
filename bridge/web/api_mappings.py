"""/api/v1/mappings: list, create, read, replace, delete, enable, disable (no order:
mappings do not compete, each fills its own field).

Listed and read mappings carry ``broken`` and ``problems``: what the helpdesk's current
fields (cached, read again when old) say of each enabled mapping. Nothing is flagged when
the fields cannot be read at all (``bridge doctor`` says why)."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy.orm import Session

from bridge import db
from bridge.admin import store
from bridge.admin.views import MappingItem
from bridge.fields import check
from bridge.rules.model import Mapping
from bridge.web import api_items
from bridge.web.api_io import item_id, model_response

bp = Blueprint("api_mappings", __name__)


@bp.get("/mappings")
def list_mappings() -> Response:
    with db.session() as s:
        listing = store.list_mappings(s)
        items = flagged(s, listing.items)
        return model_response(listing.model_copy(update={"items": items}))


@bp.post("/mappings")
def create_mapping() -> Response:
    return api_items.create(Mapping, store.create_mapping, "mappings")


@bp.get("/mappings/<item:ident>")
def get_mapping(ident: str) -> Response:
    with db.session() as s:
        (item,) = flagged(s, [store.get_mapping(s, item_id(ident, "mapping"))])
        return model_response(item)


@bp.put("/mappings/<item:ident>")
def update_mapping(ident: str) -> Response:
    return api_items.replace(ident, "mapping", Mapping, store.update_mapping)


@bp.delete("/mappings/<item:ident>")
def delete_mapping(ident: str) -> Response:
    return api_items.delete(ident, "mapping", store.delete_mapping)


@bp.post("/mappings/<item:ident>/enable")
def enable_mapping(ident: str) -> Response:
    return api_items.set_enabled(ident, "mapping", True, store.set_mapping_enabled)


@bp.post("/mappings/<item:ident>/disable")
def disable_mapping(ident: str) -> Response:
    return api_items.set_enabled(ident, "mapping", False, store.set_mapping_enabled)


def flagged(s: Session, items: list[MappingItem]) -> list[MappingItem]:
    """The items, each broken one with ``broken`` set and its problems."""
    broken = check.broken_mappings(s, [item.mapping for item in items])
    return [item.model_copy(update={"broken": True, "problems": broken[n]}) if n in broken
            else item for n, item in enumerate(items)]
