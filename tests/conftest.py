"""Shared fixtures: configured environments, databases (SQLite and PostgreSQL), Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bridge import config, db, registry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_SERVICES = os.environ.get("BRIDGE_REQUIRE_SERVICES") == "1"


def shared_path(*parts: str) -> Path:
    """A file or folder in ../shared; skips the test (with a notice) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent ({path}): fixture-driven suite skipped")
    return path


def service_unavailable(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (BRIDGE_REQUIRE_SERVICES=1) but unreachable")
    pytest.skip(f"{what} unreachable: suite skipped")


def postgres_database() -> str:
    """A fresh database on the PostgreSQL server, dropped by the caller."""
    admin = create_engine(db.normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"bridge_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001
        service_unavailable("PostgreSQL")
    finally:
        admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(db.normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "bridge" / "migrations"))
    engine = db.make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/bridge.sqlite3"
        migrate(url)
        yield url
        return
    url = postgres_database()
    try:
        migrate(url)
        yield url
    finally:
        db.reset_engine()
        drop_postgres_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/bridge.sqlite3"
    migrate(url)
    return url


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A clean bridge environment: no inherited settings, caches reset on both ends."""
    for key in list(os.environ):
        if key in config.Settings.model_fields:
            monkeypatch.delenv(key)
    monkeypatch.setenv("BRIDGE_VAR_DIR", str(tmp_path / "var"))
    config.reset_settings()
    registry.reset()
    db.reset_engine()
    yield monkeypatch
    config.reset_settings()
    registry.reset()
    db.reset_engine()


def apply_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    config.reset_settings()
    registry.reset()
    db.reset_engine()


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        service_unavailable("Redis")
    return REDIS_URL
