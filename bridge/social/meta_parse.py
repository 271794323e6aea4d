"""Small readers the Meta webhook parsers share: times in every form Meta (and the
captures of it) write them, pydantic errors in one line, content digests for event ids."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from pydantic import ValidationError

from bridge.errors import PayloadError

# Epoch values above this are milliseconds: 10^11 seconds is the year 5138, while
# 10^11 milliseconds is 1973, before any of these platforms existed.
_MS_THRESHOLD = 100_000_000_000


def meta_time(value: int | float | str | None, what: str) -> datetime:
    """Aware UTC from a Meta time: epoch seconds (feed ``created_time``, ``entry.time`` of
    changes), epoch milliseconds (Messenger and Instagram ``timestamp``), a digit string,
    or ISO 8601 (``2021-09-08T06:34:04+0000``, as some captures have it)."""
    if value is None or isinstance(value, bool):
        raise PayloadError(f"{what} is missing")
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            return _iso(text, what)
        value = int(text)
    seconds = value / 1000.0 if value > _MS_THRESHOLD else float(value)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError(f"{what} is out of range") from exc


def _iso(text: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PayloadError(f"{what} is not a time: {text[:40]!r}") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def first_error(exc: ValidationError) -> str:
    """``entry.0.changes.1.value: Input should be...``: where, then what."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def digest(text: str) -> str:
    """A short stable fingerprint of ``text`` for event ids: two edits of one comment
    differ by their text even when Meta gives them the same time."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
