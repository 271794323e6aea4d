"""Engine and sessions. SQLite (WAL, busy timeout) by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bridge.config import get_settings

_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg2, the driver we ship (it costs
    about half of psycopg 3's CPU per statement on the webhook path)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping: it costs a round trip per checkout on the webhook path. A connection
    # that died with the server fails one request and is then dropped from the pool.
    return create_engine(url, pool_size=5, max_overflow=5, pool_recycle=1800)


def get_engine() -> Engine:
    global _engine, _factory
    if _engine is None:
        _engine = make_engine(get_settings().DATABASE_URL)
        _factory = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def reset_engine(close: bool = True) -> None:
    """Drop the engine (tests switch databases; forked workers reconnect with close=False)."""
    global _engine, _factory
    if _engine is not None:
        _engine.dispose(close=close)
    _engine = None
    _factory = None


@contextmanager
def session() -> Iterator[Session]:
    """A session that rolls back on error; callers commit explicitly."""
    get_engine()
    assert _factory is not None
    s = _factory()
    try:
        yield s
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def db_time(value: datetime, sqlite_dialect: bool) -> datetime | str:
    """A datetime as the driver should get it, matching ``models.UTCDateTime`` storage."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite_dialect else value


def is_postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def insert_ignore(s: Session, table: Any, values: dict[str, Any], keys: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted."""
    dialect = postgresql if is_postgres(s) else sqlite
    pk = next(iter(table.__table__.primary_key.columns))
    stmt = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=keys)
        .returning(pk)
    )
    return s.execute(stmt).first() is not None
