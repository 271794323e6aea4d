"""The Flask app: auth, rate limit and its headers, injected faults and the request log."""

from __future__ import annotations

import hmac
import json
import math
import time
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from ..serving import build_app
from .errors import JSON, ApiError, coded, json_response
from .state import EmulatorState, Fault

EXTENSION = "freshdesk_emulator"
RATE_LIMITED = {"code": "rate_limit_exceeded",
                "message": "You have exceeded the limit of requests per minute"}
UNAUTHORIZED = {"code": "invalid_credentials",
                "message": "You have to be logged in to perform this action."}


def get_state() -> EmulatorState:
    return cast(EmulatorState, current_app.extensions[EXTENSION])


def base_url() -> str:
    return request.host_url.rstrip("/")


def reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_response(payload, status, headers)


def request_data() -> tuple[JSON, list[Any]]:
    """The body as a dict and the uploaded files: JSON, or multipart form fields
    (``tags[]`` lists, ``custom_fields[cf_x]`` maps, everything else text)."""
    kind = request.mimetype or ""
    if kind == "multipart/form-data":
        data: JSON = {}
        for key in request.form:
            values = request.form.getlist(key)
            if key.endswith("[]"):
                data[key[:-2]] = values
            elif "[" in key and key.endswith("]"):
                outer, inner = key[:-1].split("[", 1)
                data.setdefault(outer, {})[inner] = values[-1]
            else:
                data[key] = values[-1]
        return data, request.files.getlist("attachments[]")
    if kind != "application/json":
        raise coded(415, "invalid_content_type", "Content-Type header should have "
                    "application/json (or multipart/form-data with attachments)")
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise coded(400, "invalid_json", "Request body has invalid json format") from exc
    if not isinstance(body, dict):
        raise coded(400, "invalid_json", "Request body has invalid json format")
    return body, []


def _authorized(state: EmulatorState) -> bool:
    """Basic auth with the API key as user; the password is ignored (``X`` by custom)."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None:
        return False
    return hmac.compare_digest(auth.username.encode(), state.api_key.encode())


def _cost() -> int:
    """One credit per call, plus one per ``include`` embed (as Freshdesk counts them)."""
    includes = [v for v in request.args.get("include", "").split(",") if v]
    return 1 + len(includes)


def _fault_response(fault: Fault) -> Response:
    status = fault.status or 500
    body = fault.body
    if body is None and status != 200:
        body = RATE_LIMITED if status == 429 else {"code": "internal_error",
                                                   "message": "Injected fault"}
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return json_response(body, status, headers)


def _before() -> Response | None:
    path = request.path
    if path.startswith("/_emulator"):
        return None
    state = get_state()
    g.started = time.monotonic()
    if path.startswith("/api/v2"):
        g.rate = state.take_rate_token(_cost())
        if not _authorized(state):
            return json_response(UNAUTHORIZED, 401)
        if not g.rate.allowed:
            return json_response(RATE_LIMITED, 429, {"Retry-After": str(g.rate.retry_after)})
    fault = state.take_fault(request.method, path)
    if fault is None:
        return None
    if fault.delay_after_commit:
        g.fault = fault  # answered for real, then held back: see ``_after``
        return None
    if fault.delay:
        time.sleep(fault.delay)
    if fault.status is not None:
        return _fault_response(fault)
    return None


def _after(response: Response) -> Response:
    """The rate headers and the request log, then a ``delay_after_commit`` wait."""
    response = _log(response)
    fault = g.get("fault")
    if fault is not None and fault.delay:
        time.sleep(fault.delay)  # the write and its log entry are already in the state
    return response


def _log(response: Response) -> Response:
    path = request.path
    if not path.startswith("/api/v2"):
        return response
    state = get_state()
    rate = g.get("rate")
    if rate is not None:
        response.headers["X-RateLimit-Total"] = str(rate.limit)
        response.headers["X-RateLimit-Remaining"] = str(rate.remaining)
        response.headers["X-RateLimit-Used-CurrentRequest"] = str(rate.cost)
    response.headers["X-Request-Id"] = str(uuid.uuid4())
    body: Any = None
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
    elif request.mimetype == "multipart/form-data":
        body = {"form": request.form.to_dict(flat=False),
                "files": [f.filename for f in request.files.getlist("attachments[]")]}
    entry = {
        "method": request.method,
        "path": path,
        "query": request.args.to_dict(),
        "json": body,
        "status": response.status_code,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "ms": math.floor((time.monotonic() - g.get("started", time.monotonic())) * 1000),
    }
    with state.lock:
        state.requests.append(entry)
    return response


def _handle_api_error(exc: ApiError) -> Response:
    return json_response(exc.body, exc.status, exc.headers)


def _handle_http_error(exc: HTTPException) -> Response | HTTPException:
    if not request.path.startswith(("/api/v2", "/_emulator")):
        return exc
    code = exc.code or 500
    if code == 404:
        return json_response(None, 404)
    if code == 405:
        return json_response({"code": "method_not_allowed",
                              "message": f"{request.method} Method is not allowed"}, 405)
    return json_response({"code": exc.name.lower().replace(" ", "_"),
                          "message": exc.description}, code)


def create_app(state: EmulatorState) -> Flask:
    """A Flask app serving ``state``: ``/api/v2`` and the ``/_emulator`` control API."""
    from .api_fields import bp as fields_bp
    from .api_fields import control as field_control_bp
    from .api_people import bp as people_bp
    from .api_tickets import bp as tickets_bp
    from .control import bp as control_bp

    return build_app(
        "emulators.freshdesk",
        (people_bp, fields_bp, field_control_bp, tickets_bp, control_bp),
        before=_before, after=_after,
        errors={ApiError: _handle_api_error, HTTPException: _handle_http_error},
        extensions={EXTENSION: state},
    )
