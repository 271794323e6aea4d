"""The Flask app: ``.json`` suffixes, auth, rate limit, injected faults and the request log."""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from ..serving import build_app
from .errors import ApiError, bad_request, json_response
from .state import JSON, EmulatorState, Fault

EXTENSION = "zendesk_emulator"
RATE_LIMITED = {
    "error": "APIRateLimitExceeded",
    "description": "Number of allowed API requests per minute exceeded",
}


def get_state() -> EmulatorState:
    return cast(EmulatorState, current_app.extensions[EXTENSION])


def base_url() -> str:
    return request.host_url.rstrip("/")


def meta() -> JSON:
    """The audit/comment ``metadata`` of the current request."""
    client = request.headers.get("User-Agent", "")
    return {"system": {"client": client, "ip_address": request.remote_addr}, "custom": {}}


def body(key: str) -> JSON:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise bad_request(f"Expected a JSON object with a '{key}' object")
    return dict(data[key])


def reply(payload: Any, status: int = 200) -> Response:
    return json_response(payload, status, base_url())


def ids_arg(name: str) -> list[str]:
    return [v for v in request.args.get(name, "").split(",") if v]


def listing(key: str, items: list[JSON]) -> Response:
    return reply({key: items, "next_page": None, "previous_page": None, "count": len(items)})


class _StripJsonSuffix:
    """zenpy calls ``/api/v2/tickets/1.json``; route it as ``/api/v2/tickets/1``."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        environ["emulator.raw_path"] = path
        if path.startswith("/api/v2/") and path.endswith(".json"):
            environ["PATH_INFO"] = path[: -len(".json")]
        return cast(Iterable[bytes], self.wsgi_app(environ, start_response))


def _authorized(state: EmulatorState) -> bool:
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None or auth.password is None:
        return False
    user_ok = hmac.compare_digest(auth.username.lower(), f"{state.email}/token".lower())
    return user_ok and hmac.compare_digest(auth.password, state.token)


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    body = fault.body
    if body is None:
        body = (
            RATE_LIMITED
            if status == 429
            else {"error": "ServerError", "description": "Injected fault"}
        )
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return json_response(body, status, headers=headers)


def _before() -> Response | None:
    path = request.path
    if path.startswith("/_emulator"):
        return None
    state = get_state()
    if path.startswith("/api/v2"):
        g.rate = state.take_rate_token()
        if not _authorized(state):
            return json_response({"error": "Couldn't authenticate you"}, 401)
        if not g.rate.allowed:
            return json_response(RATE_LIMITED, 429, headers={"Retry-After": str(g.rate.reset)})
    fault = state.take_fault(request.method, str(request.environ.get("emulator.raw_path", path)))
    if fault is None:
        return None
    g.fault = fault
    if fault.delay and not fault.delay_after_commit:
        time.sleep(fault.delay)
    if fault.status is not None and not fault.delay_after_commit:
        return _fault_response(fault)
    return None


def _after(response: Response) -> Response:
    path = request.path
    if path.startswith("/_emulator"):
        return response
    state = get_state()
    rate = g.get("rate")
    if rate is not None:
        headers = response.headers
        headers["X-Rate-Limit"] = headers["ratelimit-limit"] = headers["rate-limit"] = str(
            rate.limit
        )
        remaining = str(rate.remaining)
        headers["X-Rate-Limit-Remaining"] = headers["ratelimit-remaining"] = remaining
        headers["rate-limit-remaining"] = remaining
        headers["ratelimit-reset"] = headers["rate-limit-reset"] = str(rate.reset)
    if path.startswith("/api/v2"):
        entry = {
            "method": request.method,
            "path": request.environ.get("emulator.raw_path", path),
            "query": request.args.to_dict(),
            "json": request.get_json(silent=True),
            "status": response.status_code,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
        with state.lock:
            state.requests.append(entry)
    fault = g.get("fault")
    if fault is not None and fault.delay and fault.delay_after_commit:
        time.sleep(fault.delay)
    return response


def _handle_api_error(exc: ApiError) -> Response:
    return json_response(exc.body, exc.status, base_url(), exc.headers)


def _handle_http_error(exc: HTTPException) -> Response | HTTPException:
    if not request.path.startswith(("/api/v2", "/_emulator")):
        return exc
    code = exc.code or 500
    if code == 404:
        return json_response({"error": "InvalidEndpoint", "description": "Not found"}, 404)
    return json_response({"error": exc.name.replace(" ", ""), "description": exc.description}, code)


def create_app(state: EmulatorState) -> Flask:
    """A Flask app serving ``state``: ``/api/v2``, ``/attachments/token`` and ``/_emulator``."""
    from .api import bp as api_bp
    from .api_fields import bp as fields_bp
    from .api_triggers import bp as triggers_bp
    from .api_users import bp as users_bp
    from .api_webhooks import bp as webhooks_bp
    from .control import bp as control_bp

    app = build_app(
        "emulators.zendesk",
        (api_bp, fields_bp, users_bp, webhooks_bp, triggers_bp, control_bp),
        before=_before, after=_after,
        errors={ApiError: _handle_api_error, HTTPException: _handle_http_error},
        extensions={EXTENSION: state},
    )
    app.wsgi_app = _StripJsonSuffix(app.wsgi_app)  # type: ignore[method-assign]  # WSGI middleware
    return app
