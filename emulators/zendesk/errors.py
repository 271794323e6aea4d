"""Zendesk error bodies (shapes from the recorded 404/422 responses) and JSON output helpers."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from .state import JSON

URL_KEYS = ("url", "content_url", "mapped_content_url")


class ApiError(Exception):
    """Raised by handlers; rendered as ``status`` with ``body`` as JSON."""

    def __init__(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid(field: str, description: str, error: str = "InvalidValue") -> ApiError:
    return record_invalid({field: [{"description": description, "error": error}]})


def record_invalid(details: JSON) -> ApiError:
    """A 422 listing every problem of a write (``details``: field name -> entries)."""
    return ApiError(
        422,
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details},
    )


def bad_request(description: str, error: str = "InvalidParameter") -> ApiError:
    return ApiError(400, {"error": error, "description": description})


def webhook_error(status: int, code: str, detail: str) -> ApiError:
    """The webhooks API answers errors as ``{"errors": [{code, title, detail}]}``."""
    return ApiError(status, {"errors": [{"code": code, "title": code, "detail": detail}]})


def absolutize(value: Any, base: str) -> Any:
    """Copy ``value``, prefixing ``base`` to relative ``url``/``content_url`` fields."""
    if isinstance(value, dict):
        out: JSON = {}
        for key, item in value.items():
            if key in URL_KEYS and isinstance(item, str) and item.startswith("/"):
                out[key] = base + item
            else:
                out[key] = absolutize(item, base)
        return out
    if isinstance(value, list):
        return [absolutize(item, base) for item in value]
    return value


def json_response(
    payload: Any, status: int = 200, base: str = "", headers: dict[str, str] | None = None
) -> Response:
    """JSON in insertion order (Flask's ``jsonify`` would sort the keys)."""
    body = json.dumps(absolutize(payload, base))
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    for key, val in (headers or {}).items():
        response.headers[key] = val
    return response
