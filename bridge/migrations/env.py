"""Alembic environment: the URL comes from DATABASE_URL (or the caller's connection)."""

from __future__ import annotations

from alembic import context

import bridge.admin.models  # noqa: F401  (admin tables into the metadata)
from bridge.config import get_settings
from bridge.db import make_engine
from bridge.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().DATABASE_URL)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
