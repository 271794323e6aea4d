"""Small readers the Meta webhook parsers share: times in every form Meta (and the
captures of it) write them, content digests for event ids, the ``messaging`` entries of
Messenger and Instagram and the receipts among them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bridge.domain import InboundMessage, ParsedWebhook
from bridge.errors import PayloadError
from bridge.receipts import Receipt

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


def digest(text: str) -> str:
    """A short stable fingerprint of ``text`` for event ids: two edits of one comment
    differ by their text even when Meta gives them the same time."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def read_messaging(entries: Iterable[Any],
                   read: Callable[[Any, Any], InboundMessage | str]) -> ParsedWebhook:
    """Each ``messaging`` item of Messenger or Instagram entries through ``read(entry,
    item)`` (a message, or the reason it is ignored). Entries carrying ``changes`` belong to
    the comment channels and are not counted here; an entry with neither is ``standby``
    (handover: another app owns the thread) or ``no_messaging``."""
    messages: list[InboundMessage] = []
    ignored: list[str] = []
    for entry in entries:
        extra = entry.model_extra or {}
        if not entry.messaging and "changes" not in extra:
            ignored.append("standby" if "standby" in extra else "no_messaging")
        for item in entry.messaging or ():
            outcome = read(entry, item)
            if isinstance(outcome, str):
                ignored.append(outcome)
            else:
                messages.append(outcome)
    return ParsedWebhook(tuple(messages), tuple(ignored))


def read_receipts(entries: Iterable[Any],
                  read: Callable[[str, Any], Receipt | None]) -> tuple[Receipt, ...]:
    """The receipts ``read(entry id, item)`` finds among the ``messaging`` items."""
    found = (read(entry.id, item) for entry in entries for item in entry.messaging or ())
    return tuple(receipt for receipt in found if receipt is not None)
