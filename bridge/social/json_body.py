"""A webhook body as a JSON object: where every platform's ``decode`` starts, before it
checks the keys its own bodies always carry."""

from __future__ import annotations

import json
from typing import Any

from bridge.errors import PayloadError


def decode_object(body: bytes) -> dict[str, Any]:
    """The body parsed as a JSON object; ``PayloadError`` for anything else (bad JSON,
    nesting deep enough to exhaust the parser, an array or a bare value)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise PayloadError("body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    return data
