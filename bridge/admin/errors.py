"""Why the admin store refused a change; each maps to one HTTP status in the API."""

from __future__ import annotations

from collections.abc import Sequence

Problem = tuple[str, str]  # (field path, message); "" when no single field is to blame


class AdminError(Exception):
    status = 400

    def __init__(self, message: str, details: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)


class NotFound(AdminError):
    status = 404


class Conflict(AdminError):
    """Stale version, read-only (TOML) item, or an order that no longer fits the rules."""

    status = 409


class Invalid(AdminError):
    """Well-formed but refused: the helpdesk has no such field, duplicate ids..."""

    status = 422
