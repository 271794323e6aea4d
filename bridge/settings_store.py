"""Values learned at run time (e.g. a webhook signing secret), kept in the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bridge import clock
from bridge.models import Setting


def put(s: Session, key: str, value: str) -> None:
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(key=key, value=value, updated_at=clock.now()))
    else:
        row.value = value
    s.commit()


def get(s: Session, key: str) -> str | None:
    row = s.get(Setting, key)
    return row.value if row else None
