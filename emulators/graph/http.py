"""Reading a Graph request as Meta does: the token from ``access_token`` or a bearer
header, the body as JSON or as form fields (curl ``-F``) whose objects hold JSON."""

from __future__ import annotations

import json

from flask import request

from emulators.graph.errors import JSON


def token() -> str:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.values.get("access_token", "")


def request_body() -> JSON:
    """JSON body, or form fields whose ``recipient`` and ``message`` hold JSON (curl -F)."""
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    body: JSON = dict(request.form.items())
    for key in ("recipient", "message"):
        try:
            body[key] = json.loads(body[key])
        except (KeyError, ValueError):
            pass
    return body
