"""``/api/v2/webhooks``: CRUD, ``filter[name_contains]`` and signing secrets."""

from __future__ import annotations

import base64
import copy
import os
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, request

from .app import body, get_state, reply
from .errors import webhook_error
from .state import JSON, EmulatorState

bp = Blueprint("zendesk_hooks", __name__)
API = "/api/v2"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FORMATS = ("json", "xml", "form_encoded")
SECRET_KEYS = ("password", "token", "value")


def new_ulid() -> str:
    """A ULID like Zendesk's webhook ids (``01H...``): 48-bit ms time + 80 random bits."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def new_secret() -> str:
    return base64.b64encode(os.urandom(32)).decode()  # 44 characters


def _nano_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def _public(webhook: JSON) -> JSON:
    """The webhook as the API shows it: credentials are never echoed."""
    out = copy.deepcopy(webhook)
    auth = out.get("authentication")
    if isinstance(auth, dict) and isinstance(auth.get("data"), dict):
        auth["data"] = {k: v for k, v in auth["data"].items() if k not in SECRET_KEYS}
    return out


def _check_webhook(data: JSON) -> None:
    for name in ("name", "endpoint", "http_method", "request_format", "status", "subscriptions"):
        if data.get(name) in (None, "", []):
            raise webhook_error(400, "InvalidInput", f"{name} is required")
    if str(data["http_method"]).upper() not in HTTP_METHODS:
        raise webhook_error(400, "InvalidInput", "http_method is invalid")
    if data["request_format"] not in FORMATS or data["status"] not in ("active", "inactive"):
        raise webhook_error(400, "InvalidInput", "request_format or status is invalid")
    if not isinstance(data["subscriptions"], list):
        raise webhook_error(400, "InvalidInput", "subscriptions must be a list")


def _webhook(state: EmulatorState, webhook_id: str) -> JSON:
    webhook = state.webhooks.get(webhook_id)
    if webhook is None:
        raise webhook_error(404, "WebhookNotFound", f"Webhook {webhook_id} not found")
    return webhook


@bp.post(f"{API}/webhooks")
def create_webhook() -> Response:
    state = get_state()
    data = body("webhook")
    _check_webhook(data)
    wid = new_ulid()
    webhook: JSON = {
        "id": wid,
        "name": data["name"],
        "description": data.get("description", ""),
        "status": data["status"],
        "subscriptions": list(data["subscriptions"]),
        "created_at": _nano_now(),
        "created_by": str(state.API_USER_ID),
        "endpoint": data["endpoint"],
        "http_method": str(data["http_method"]).upper(),
        "request_format": data["request_format"],
    }
    for optional in ("authentication", "custom_headers"):
        if data.get(optional) is not None:
            webhook[optional] = data[optional]
    with state.lock:
        state.webhooks[wid] = webhook
        state.webhook_secrets[wid] = new_secret()
        return reply({"webhook": _public(webhook)}, 201)


@bp.get(f"{API}/webhooks")
def list_webhooks() -> Response:
    state = get_state()
    name = request.args.get("filter[name_contains]", "").lower()
    status = request.args.get("filter[status]")
    with state.lock:
        found = [
            _public(w)
            for w in state.webhooks.values()
            if name in w["name"].lower() and status in (None, w["status"])
        ]
    meta = {"has_more": False, "after_cursor": None, "before_cursor": None}
    return reply({"webhooks": found, "meta": meta, "links": {"next": None, "prev": None}})


@bp.get(f"{API}/webhooks/<webhook_id>")
def show_webhook(webhook_id: str) -> Response:
    state = get_state()
    with state.lock:
        return reply({"webhook": _public(_webhook(state, webhook_id))})


@bp.route(f"{API}/webhooks/<webhook_id>", methods=["PATCH", "PUT"])
def update_webhook(webhook_id: str) -> Response:
    state = get_state()
    data = body("webhook")
    with state.lock:
        webhook = _webhook(state, webhook_id)
        merged = {**webhook, **data} if request.method == "PATCH" else {**data}
        _check_webhook(merged)
        merged.update(
            id=webhook_id,
            created_at=webhook["created_at"],
            created_by=webhook["created_by"],
            http_method=str(merged["http_method"]).upper(),
            updated_at=_nano_now(),
            updated_by=str(state.API_USER_ID),
        )
        state.webhooks[webhook_id] = merged
    return Response(status=204)


@bp.delete(f"{API}/webhooks/<webhook_id>")
def delete_webhook(webhook_id: str) -> Response:
    state = get_state()
    with state.lock:
        _webhook(state, webhook_id)
        del state.webhooks[webhook_id]
        state.webhook_secrets.pop(webhook_id, None)
    return Response(status=204)


@bp.route(f"{API}/webhooks/<webhook_id>/signing_secret", methods=["GET", "POST"])
def signing_secret(webhook_id: str) -> Response:
    """GET shows the secret; POST rotates it."""
    state = get_state()
    with state.lock:
        _webhook(state, webhook_id)
        if request.method == "POST":
            state.webhook_secrets[webhook_id] = new_secret()
        secret = state.webhook_secrets[webhook_id]
    return reply({"signing_secret": {"secret": secret, "algorithm": "SHA256"}})
