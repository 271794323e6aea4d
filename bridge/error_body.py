"""A helpdesk's error body, before each helpdesk reads its own JSON shape: no I/O."""

from __future__ import annotations

import json
from typing import Any


def error_object(body: str) -> dict[str, Any] | str:
    """The body's JSON object; any other body already in one line (at most 500 characters)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return " ".join(body.split())[:500] or "(empty body)"
    if not isinstance(data, dict):
        return json.dumps(data, ensure_ascii=False)[:500]
    return data
