"""``create_app()``: the web process (gunicorn 'bridge.app:create_app()')."""

from __future__ import annotations

import structlog
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from bridge import logs
from bridge.config import get_settings
from bridge.web import admin, api, freshdesk, health, meta, telegram, x, zendesk

MAX_BODY = 1024 * 1024
log = structlog.get_logger(__name__)


def create_app() -> Flask:
    logs.configure()
    settings = get_settings()
    app = Flask("bridge")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    for bp in (meta.bp, telegram.bp, x.bp, zendesk.bp, freshdesk.bp, health.bp, admin.bp):
        app.register_blueprint(bp)
    app.register_blueprint(api.bp)  # admin API under /api/v1

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        return jsonify(status="error", reason=exc.description), exc.code or 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled_error", error=str(exc))
        return jsonify(status="error", reason="internal error, logged"), 500

    for note in settings.missing():
        log.warning("configuration", note=note)
    return app
