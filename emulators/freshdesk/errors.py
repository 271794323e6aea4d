"""Freshdesk error bodies and JSON output helpers.

Shapes: validation ``{"description": "Validation failed", "errors": [{"field", "message",
"code"}]}``; others ``{"code", "message"}``; a missing record is a 404 with no body.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

JSON = dict[str, Any]
Problem = tuple[str, str, str]  # one entry of ``errors``: (field, message, code)


class ApiError(Exception):
    """Raised by handlers; rendered as ``status`` with ``body`` as JSON (None: no body)."""

    def __init__(self, status: int, body: JSON | None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def validation(*errors: Problem, status: int = 400) -> ApiError:
    """``validation(("email", "It should be a valid email address", "invalid_value"))``;
    Freshdesk lists every invalid field of a request in one answer."""
    items = [{"field": f, "message": m, "code": c} for f, m, c in errors]
    return ApiError(status, {"description": "Validation failed", "errors": items})


def not_found() -> ApiError:
    return ApiError(404, None)


def coded(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, {"code": code, "message": message})


def json_response(payload: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    """JSON in insertion order; ``None`` is an empty body."""
    body = "" if payload is None else json.dumps(payload)
    response = Response(body, status=status, mimetype="application/json")
    if payload is not None:
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    for key, val in (headers or {}).items():
        response.headers[key] = val
    return response
