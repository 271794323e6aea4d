"""``/admin``: the admin pages, static shells that do everything through ``/api/v1``.

No page needs the token to load: each one is HTML with labels and empty tables, and the
scripts under ``/admin/static`` fetch the data with the admin token the admin pasted at
sign-in (kept in ``sessionStorage``, sent as ``Authorization: Bearer``; the admin's name is
sent as ``X-Admin-User`` for the audit log). The choices offered by the forms (channels,
priorities, mapping sources...) come from the typed rule model, so pages and API agree.
"""

from __future__ import annotations

from typing import Any, get_args

from flask import Blueprint, Response, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response as Redirect

from bridge.rules.model import CATEGORIES, ChannelName, Priority, Source, Transform

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static/admin", static_url_path="/static")

# The pages never run inline code and only talk to this origin; the token lives in the
# page's sessionStorage, so nothing may inject a script that could read it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

CHANNEL_LABELS = {
    "messenger": "Messenger", "facebook_comment": "Facebook comment",
    "instagram": "Instagram DM", "instagram_comment": "Instagram comment",
    "whatsapp": "WhatsApp", "x": "X", "telegram": "Telegram",
}
SOURCE_LABELS = {
    "channel": "Channel", "account": "Account (page, number or bot)", "handle": "Sender handle",
    "display_name": "Sender display name", "external_id": "Sender id",
    "profile_url": "Sender profile URL", "language": "Detected language",
    "link": "Link to the message", "follower_count": "Sender follower count",
    "verified": "Sender verified", "returning_customer": "Returning customer",
    "categories": "Categories set by rules", "text": "Message text",
}
TRANSFORM_LABELS = {
    "lower": "Lower-case", "upper": "Upper-case", "lookup": "Look up in a table",
    "default": "Default when empty", "truncate": "Cut to a length",
}


def _choices(literal: Any, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, labels.get(value, value)) for value in get_args(literal)]


def _transform_kinds() -> list[tuple[str, str]]:
    return _choices(Transform.model_fields["kind"].annotation, TRANSFORM_LABELS)


def _page(template: str, **context: Any) -> Response:
    response = make_response(render_template(
        f"admin/{template}",
        channels=_choices(ChannelName, CHANNEL_LABELS),
        categories=[(c, c.replace("_", " ")) for c in CATEGORIES],
        priorities=list(get_args(Priority)),
        sources=_choices(Source, SOURCE_LABELS),
        transform_kinds=_transform_kinds(),
        **context,
    ))
    response.headers.update(SECURITY_HEADERS)
    return response


@bp.get("")
@bp.get("/")
def home() -> Redirect:
    return redirect(url_for("admin.rules"))


@bp.get("/login")
def login() -> Response:
    return _page("login.html", page="login", title="Sign in")


@bp.get("/rules")
def rules() -> Response:
    return _page("rules.html", page="rules", title="Routing rules")


@bp.get("/rules/new")
def rule_new() -> Response:
    return _page("rule_form.html", page="rule-form", title="New rule", entity_id="")


@bp.get("/rules/<entity_id>")
def rule_edit(entity_id: str) -> Response:
    return _page("rule_form.html", page="rule-form", title="Edit rule", entity_id=entity_id)


@bp.get("/mappings")
def mappings() -> Response:
    return _page("mappings.html", page="mappings", title="Field mappings")


@bp.get("/mappings/new")
def mapping_new() -> Response:
    return _page("mapping_form.html", page="mapping-form", title="New mapping", entity_id="")


@bp.get("/mappings/<entity_id>")
def mapping_edit(entity_id: str) -> Response:
    return _page("mapping_form.html", page="mapping-form", title="Edit mapping",
                 entity_id=entity_id)


@bp.get("/audit")
def audit() -> Response:
    return _page("audit.html", page="audit", title="Audit log")


@bp.get("/dry-run")
def dry_run() -> Response:
    return _page("dry_run.html", page="dry-run", title="Dry run")
