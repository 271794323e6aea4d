"""The helpdesk's ticket fields, cached in the ``settings`` table (one row per helpdesk).

``load`` answers from the cache while it is younger than ``TTL`` and reads the helpdesk
otherwise; ``refresh`` reads it now (the beat job every ``REFRESH_SECONDS``, and admins on
demand). A failed read never loses what was known: the old fields stay, with the failure
and its time beside them (shown by the admin page and ``bridge doctor``), and ``load``
does not try again for ``RETRY_AFTER_FAILURE`` so a helpdesk outage does not make every
admin request wait for a timeout. Writes commit the session, as ``settings_store`` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge import clock
from bridge.errors import BridgeError
from bridge.fields.model import TicketField, helpdesk_title
from bridge.helpdesk import Helpdesk
from bridge.models import Setting

log = structlog.get_logger(__name__)

TTL = timedelta(minutes=10)
REFRESH_SECONDS = 600.0
RETRY_AFTER_FAILURE = timedelta(minutes=1)
KEY_PREFIX = "ticket_fields:"


class FieldsUnavailable(BridgeError):
    """The helpdesk's ticket fields were never read, and reading them failed now."""


@dataclass(frozen=True)
class CachedFields:
    """The custom ticket fields of one helpdesk as last read, and the last failure."""

    helpdesk: str
    fields: tuple[TicketField, ...]
    fetched_at: datetime
    error: str | None = None  # the last refresh failure, when it came after ``fetched_at``
    failed_at: datetime | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "helpdesk": self.helpdesk, "fetched_at": self.fetched_at.isoformat(),
            "fields": [f.to_json() for f in self.fields],
        }
        if self.error is not None and self.failed_at is not None:
            data.update(error=self.error, failed_at=self.failed_at.isoformat())
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> CachedFields:
        data = json.loads(raw)
        failed = data.get("failed_at")
        return cls(
            helpdesk=data["helpdesk"],
            fields=tuple(TicketField.from_json(item) for item in data["fields"]),
            fetched_at=clock.aware(datetime.fromisoformat(data["fetched_at"])),
            error=data.get("error"),
            failed_at=clock.aware(datetime.fromisoformat(failed)) if failed else None,
        )


def _helpdesk(helpdesk: Helpdesk | None) -> Helpdesk:
    if helpdesk is not None:
        return helpdesk
    from bridge import registry  # the configured one; imported late (registry builds adapters)

    return registry.helpdesk()


def read(session: Session, helpdesk_name: str) -> CachedFields | None:
    """What the cache holds for this helpdesk, without calling it."""
    row = session.get(Setting, KEY_PREFIX + helpdesk_name, populate_existing=True)
    if row is None:
        return None
    try:
        return CachedFields.from_json(row.value)
    except (ValueError, KeyError, TypeError) as exc:  # written by an older version
        log.warning("ticket_fields_cache_unreadable", helpdesk=helpdesk_name, error=str(exc))
        return None


def _store(session: Session, cached: CachedFields) -> None:
    """Insert or update the row; a concurrent first insert is retried as an update."""
    key = KEY_PREFIX + cached.helpdesk
    for attempt in (1, 2):
        row = session.get(Setting, key, populate_existing=True)
        if row is None:
            session.add(Setting(key=key, value=cached.to_json(), updated_at=clock.now()))
        else:
            row.value, row.updated_at = cached.to_json(), clock.now()
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise


def refresh(session: Session, helpdesk: Helpdesk | None = None) -> CachedFields:
    """Read the fields from the helpdesk now and cache them.

    On failure the old fields are kept (and returned) with the error noted; with nothing
    cached yet it raises ``FieldsUnavailable``.
    """
    desk = _helpdesk(helpdesk)
    try:
        fields = desk.ticket_fields()
    except BridgeError as exc:
        return _failed(session, desk.name, exc)
    cached = CachedFields(desk.name, tuple(fields), clock.now())
    _store(session, cached)
    log.info("ticket_fields_refreshed", helpdesk=desk.name, count=len(fields))
    return cached


def _failed(session: Session, name: str, exc: BridgeError) -> CachedFields:
    old = read(session, name)
    log.warning("ticket_fields_refresh_failed", helpdesk=name, error=str(exc),
                kept=len(old.fields) if old else 0)
    if old is None:
        raise FieldsUnavailable(
            f"the ticket fields of {helpdesk_title(name)} could not be read: {exc}") from exc
    noted = CachedFields(old.helpdesk, old.fields, old.fetched_at, str(exc), clock.now())
    _store(session, noted)
    return noted


def load(session: Session, helpdesk: Helpdesk | None = None, *,
         max_age: timedelta = TTL) -> CachedFields:
    """The cached fields, read again when older than ``max_age`` (or absent). Raises
    ``FieldsUnavailable`` only when nothing was ever read and reading fails now."""
    desk = _helpdesk(helpdesk)
    cached = read(session, desk.name)
    if cached is None:
        return refresh(session, desk)
    now = clock.now()
    if now - cached.fetched_at < max_age:
        return cached
    if cached.failed_at is not None and now - cached.failed_at < RETRY_AFTER_FAILURE:
        return cached
    return refresh(session, desk)
