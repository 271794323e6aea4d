"""``page``/``per_page`` pagination with a ``Link: <...>; rel="next"`` header."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from werkzeug.datastructures import MultiDict

from .app import reply
from .errors import validation


def _positive(args: MultiDict[str, str], key: str, default: int, most: int | None) -> int:
    raw = args.get(key)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (most is not None and int(raw) > most):
        bound = f" less than or equal to {most}" if most is not None else ""
        raise validation((key, f"It should be a Positive Integer{bound}", "invalid_value"))
    return int(raw)


def page_args(args: MultiDict[str, str], default: int = 30, most: int = 100) -> tuple[int, int]:
    return _positive(args, "page", 1, None), _positive(args, "per_page", default, most)


def next_link(page: int, per_page: int) -> str:
    query = request.args.to_dict()
    query.update({"page": str(page + 1), "per_page": str(per_page)})
    return f'<{request.base_url}?{urlencode(query)}>; rel="next"'


def paged(items: list[Any], page: int, per_page: int) -> Response:
    """One page of ``items`` as a JSON array; ``Link`` names the next page when there is one."""
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    more = len(items) > start + per_page
    return reply(chunk, headers={"Link": next_link(page, per_page)} if more else None)
