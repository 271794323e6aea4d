"""/api/v1/messages and /api/v1/dry-run: recent inbox messages to pick from, and the
dry run of a draft against the saved rules (``bridge.admin.dry_run``). Nothing is written."""

from __future__ import annotations

from flask import Blueprint, Response

from bridge import db
from bridge.admin import dry_run
from bridge.web.api_io import int_arg, json_body, model_response, parse

MESSAGES_PAGE = 20
MAX_MESSAGES = 100

bp = Blueprint("api_dry_run", __name__)


@bp.get("/messages")
def recent_messages() -> Response:
    limit = int_arg("limit", low=1, high=MAX_MESSAGES) or MESSAGES_PAGE
    with db.session() as s:
        return model_response(dry_run.recent(s, limit))


@bp.post("/dry-run")
def run_dry_run() -> Response:
    request = parse(dry_run.DryRunRequest, json_body())
    with db.session() as s:
        answer = dry_run.run(s, request)
        s.rollback()  # nothing the dry run read may be written back
    return model_response(answer)
