"""Cursor (``page[size]``/``page[after]``) and offset (``page``/``per_page``) pagination."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlencode

from .errors import bad_request
from .state import JSON


def encode_cursor(comment_id: int) -> str:
    raw = json.dumps({"o": "created_at,id", "v": comment_id}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        value = json.loads(base64.b64decode(cursor.encode(), validate=True))["v"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise bad_request(
            "page[after]/page[before] is not a valid cursor", "InvalidPaginationParameter"
        ) from exc
    if not isinstance(value, int):
        raise bad_request("cursor value is not valid", "InvalidPaginationParameter")
    return value


def _page_size(args: dict[str, str], key: str, default: int = 100) -> int:
    try:
        size = int(args.get(key, default))
    except ValueError as exc:
        raise bad_request(f"{key} must be an integer") from exc
    return max(1, min(size, 100))


def _link(url: str, args: dict[str, str], extra: dict[str, Any]) -> str:
    params = {k: v for k, v in args.items() if not k.startswith("page")}
    params.update(extra)
    return f"{url}?{urlencode(params)}"


def cursor_page(items: list[JSON], args: dict[str, str], url: str, ascending: bool) -> JSON:
    """``page[size]``/``page[after]``/``page[before]`` → ``{meta, links}`` plus the page."""
    size = _page_size(args, "page[size]")

    def later(cid: int, ref: int) -> bool:
        return cid > ref if ascending else cid < ref

    if "page[after]" in args:
        ref = decode_cursor(args["page[after]"])
        rest = [c for c in items if later(c["id"], ref)]
        page, has_more = rest[:size], len(rest) > size
    elif "page[before]" in args:
        ref = decode_cursor(args["page[before]"])
        rest = [c for c in items if later(ref, c["id"])]
        page, has_more = rest[-size:], len(rest) > size
    else:
        page, has_more = items[:size], len(items) > size
    after = encode_cursor(page[-1]["id"]) if page else None
    before = encode_cursor(page[0]["id"]) if page else None
    links = {
        "prev": _link(url, args, {"page[before]": before, "page[size]": size}) if before else None,
        "next": _link(url, args, {"page[after]": after, "page[size]": size}) if after else None,
    }
    meta = {"has_more": has_more, "after_cursor": after, "before_cursor": before}
    return {"page": page, "meta": meta, "links": links}


def offset_page(items: list[JSON], args: dict[str, str], url: str) -> JSON:
    """``page``/``per_page`` → ``{next_page, previous_page, count}`` plus the page."""
    per_page = _page_size(args, "per_page")
    try:
        number = max(1, int(args.get("page", "1")))
    except ValueError as exc:
        raise bad_request("page must be an integer") from exc
    start = (number - 1) * per_page
    page = items[start : start + per_page]
    more = start + per_page < len(items)
    next_page = _link(url, args, {"page": number + 1, "per_page": per_page}) if more else None
    prev_page = _link(url, args, {"page": number - 1, "per_page": per_page}) if number > 1 else None
    return {"page": page, "next_page": next_page, "previous_page": prev_page, "count": len(items)}
