"""Tables of the admin API: rules, mappings and the audit log of every change to them.

``definition`` holds the whole typed model (``bridge.rules.model.Rule`` or ``Mapping``)
as JSON text (ASCII-escaped, so any text survives every database); the other columns
copy what listings sort and filter by. ``version`` counts changes, for optimistic
concurrency: a save names the version it started from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge import clock
from bridge.models import TS, Base


class AdminRule(Base):
    __tablename__ = "admin_rules"
    __table_args__ = (Index("ix_admin_rules_position", "position", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    stop: Mapped[bool] = mapped_column(Boolean, default=True)
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AdminMapping(Base):
    __tablename__ = "admin_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(120))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AuditEntry(Base):
    """One change: who (``actor``), when (``at``), and the entity before and after (JSON;
    null before a create and after a delete)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
