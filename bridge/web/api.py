"""The admin API under /api/v1: bearer ``BRIDGE_ADMIN_TOKEN`` on every endpoint (the
OpenAPI document too: one rule, no exceptions), JSON errors everywhere under the prefix
(unknown paths and methods included), and the audit, fields and OpenAPI endpoints.
Rules and mappings live in ``api_rules`` and ``api_mappings``."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from bridge import db
from bridge.admin import audit, sources
from bridge.admin.errors import AdminError
from bridge.admin.views import Entity
from bridge.errors import BridgeError
from bridge.web import api_auth, api_dry_run, api_mappings, api_rules, openapi
from bridge.web.api_io import (
    ItemIdConverter,
    RequestError,
    error_response,
    int_arg,
    model_response,
)

PREFIX = "/api/v1"
AUDIT_PAGE = 50
MAX_AUDIT_PAGE = 200
RETRY_SECONDS = "60"
# How ``bridge.fields.check`` says the helpdesk's fields could not be read: not the body's
# fault, so a 503 the admin may retry rather than a 422.
UNCHECKABLE = "cannot check ticket fields now"

bp = Blueprint("api", __name__, url_prefix=PREFIX)


@bp.record_once
def _item_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["item"] = ItemIdConverter


bp.register_blueprint(api_rules.bp)
bp.register_blueprint(api_mappings.bp)
bp.register_blueprint(api_dry_run.bp)


@bp.before_app_request
def guard() -> Response | None:
    """Runs before routing errors are raised, so an unknown path or method under the
    prefix gets a JSON answer too, and only after the token (no probing without it)."""
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return None
    refusal = api_auth.refusal()
    if refusal is not None:
        response = error_response(401, refusal)
        response.headers["WWW-Authenticate"] = 'Bearer realm="bridge admin"'
        return response
    routing = request.routing_exception
    if isinstance(routing, NotFound | MethodNotAllowed):
        return _http_error(routing)
    return _unknown_query()


def _unknown_query() -> Response | None:
    """A query parameter the document does not name is refused, not ignored: a typo such
    as ``?limt=5`` would otherwise silently do something else than asked."""
    if request.url_rule is None:
        return None
    known = openapi.query_names(request.url_rule.rule, request.method)
    unknown = sorted(set(request.args) - known) if known is not None else []
    if not unknown:
        return None
    return error_response(422, "unknown query parameter", [
        (name[:40], f"not a parameter here; known: {sorted(known or ())}") for name in unknown])


@bp.errorhandler(AdminError)
def admin_error(exc: AdminError) -> Response:
    if exc.status == 422 and exc.details and all(
            message.startswith(UNCHECKABLE) for _, message in exc.details):
        return _unavailable("the helpdesk's ticket fields cannot be read now: retry later",
                            exc.details)
    return error_response(exc.status, exc.message, exc.details)


@bp.errorhandler(BridgeError)
def unavailable(exc: BridgeError) -> Response:
    """The TOML file does not load, or the helpdesk's fields cannot be read: nothing the
    request did wrong, and nothing a 500 would explain. 503 with the reason."""
    return _unavailable(str(exc))


def _unavailable(message: str, details: list[tuple[str, str]] | None = None) -> Response:
    response = error_response(503, message, details or ())
    response.headers["Retry-After"] = RETRY_SECONDS
    return response


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response:
    return _http_error(exc)


def _http_error(exc: HTTPException) -> Response:
    response = error_response(exc.code or 400, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value  # e.g. Allow on a 405
    return response


@bp.get("/audit")
def audit_log() -> Response:
    limit = int_arg("limit", low=1, high=MAX_AUDIT_PAGE) or AUDIT_PAGE
    before = int_arg("before", low=1)
    entity_id = int_arg("entity_id", low=1)
    entity = request.args.get("entity")
    if entity is not None and entity not in ("rule", "mapping"):
        raise RequestError(422, "query parameter entity must be rule or mapping",
                           [("entity", f"got {entity[:40]!r}")])
    with db.session() as s:
        return model_response(audit.page(s, limit, before, cast(Entity | None, entity),
                                         entity_id))


@bp.get("/fields")
def fields() -> Response:
    """The helpdesk's ticket fields, for the pages' mapping form."""
    with db.session() as s:
        return jsonify(sources.helpdesk_fields(s))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())
