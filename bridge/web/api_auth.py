"""Who may use the admin API (bearer ``BRIDGE_ADMIN_TOKEN``) and who did (the audit's actor)."""

from __future__ import annotations

import hmac

from flask import request

from bridge.config import get_settings

CLOSED = "admin API closed: set BRIDGE_ADMIN_TOKEN"
REFUSED = "missing or wrong bearer token (Authorization: Bearer <BRIDGE_ADMIN_TOKEN>)"
ACTOR_HEADER = "X-Admin-User"
MAX_ACTOR = 120


def refusal() -> str | None:
    """Why this request may not pass, or None. Unset token: nobody passes."""
    token = get_settings().BRIDGE_ADMIN_TOKEN
    if not token:
        return CLOSED
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return REFUSED
    # Bytes: compare_digest refuses non-ASCII str, and a header may hold any latin-1 byte.
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        return REFUSED
    return None


def actor() -> str:
    """The ``X-Admin-User`` header (the pages send the admin's name), else ``api``.
    WSGI hands headers over as latin-1; a UTF-8 name is decoded back. Control
    characters are dropped and the name cut to what the audit column holds."""
    raw = request.headers.get(ACTOR_HEADER, "")
    try:
        raw = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    name = "".join(ch for ch in raw if ch.isprintable()).strip()[:MAX_ACTOR]
    return name or "api"
