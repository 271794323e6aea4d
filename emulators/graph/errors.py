"""Graph error bodies as Meta writes them (shared by the emulator's modules)."""

from __future__ import annotations

import secrets
from typing import Any

JSON = dict[str, Any]


def graph_error(message: str, code: int, subcode: int | None = None) -> JSON:
    """A Graph error body as Meta writes it."""
    error: JSON = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = secrets.token_urlsafe(9)
    return {"error": error}
