"""``bridge doctor``: what is broken in this installation, each finding with where it is.

Checks, in order: the configuration's notes (``Settings.missing()``: shown, not failures,
since the bridge runs with them), the database (reachable and migrated), the broker, the
TOML file (rules, mappings, SLA), the helpdesk's ticket fields (read now, which refreshes
the cache the admin pages and the worker use), then every enabled mapping and every enabled
rule's field values against those fields, each named with its source (``database`` and its
id, or ``toml:<path>``). Any finding with ``ok = False`` makes the command exit 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bridge import db
from bridge.config import get_settings
from bridge.errors import BridgeError, ConfigError
from bridge.fields import cache
from bridge.fields.model import helpdesk_title
from bridge.fields.validate import mapping_errors, value_errors
from bridge.rules.model import Mapping, Rule

BROKER_TIMEOUT = 3.0
T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    detail: str
    note: bool = False  # worth knowing, not broken


def run() -> list[Finding]:
    """Every check's findings, in order."""
    found = [Finding(True, "configuration", line, note=True)
             for line in get_settings().missing()]
    database = _database()
    found += [database, _broker(), *_config_file()]
    if database.ok:
        with db.session() as s:
            found += _fields_and_items(s)
    return found


def _guarded(what: str, check: Callable[[], str]) -> Finding:
    try:
        return Finding(True, what, check())
    except Exception as exc:  # noqa: BLE001 - whatever failed is the finding
        return Finding(False, what, f"{type(exc).__name__}: {exc}")


def _database() -> Finding:
    def check() -> str:
        with db.session() as s:
            version = s.scalar(text("SELECT version_num FROM alembic_version"))
        return f"reachable, schema at revision {version}"

    return _guarded("database", check)


def _broker() -> Finding:
    def check() -> str:
        from bridge.worker import make_celery  # built now, from the current settings

        with make_celery().connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
        embedded = not get_settings().REDIS_URL
        return "reachable" + (" (the embedded SQLite broker)" if embedded else "")

    return _guarded("broker", check)


def _config_file() -> list[Finding]:
    from bridge.escalation import sla_settings
    from bridge.rules.toml import file_rules

    path = get_settings().BRIDGE_CONFIG
    if not path:
        return []
    found = []
    for what, load in (("rules and mappings", file_rules), ("SLA settings", sla_settings)):
        try:
            load()
            found.append(Finding(True, f"{what} in {path}", "loaded"))
        except ConfigError as exc:
            found.append(Finding(False, f"{what} in {path}", str(exc)))
    return found


def _fields_and_items(s: Session) -> list[Finding]:
    name = get_settings().BRIDGE_HELPDESK
    if not name:
        return [Finding(False, "ticket fields", "no helpdesk configured (BRIDGE_HELPDESK): "
                                                "mappings and rule values cannot be checked")]
    what = f"ticket fields of {helpdesk_title(name)}"
    try:
        cached = cache.refresh(s)
    except BridgeError as exc:
        return [Finding(False, what, str(exc))]
    if cached.error is not None:
        when = f"{cached.fetched_at:%Y-%m-%d %H:%M} UTC"
        found = Finding(False, what, f"could not be read now ({cached.error}); checking "
                                     f"against those read at {when}")
    else:
        found = Finding(True, what, f"{len(cached.fields)} custom fields read")
    return [found, *_items(s, cached)]


def _items(s: Session, cached: cache.CachedFields) -> list[Finding]:
    """Every enabled mapping and rule with field values, checked; one finding per problem,
    or one ``ok`` finding per item that fits."""
    found = []
    for label, mapping in _mappings(s):
        errors = mapping_errors(cached.fields, mapping, cached.helpdesk)
        found += _verdict(label, errors)
    for label, rule in _rules(s):
        errors = value_errors(cached.fields, dict(rule.then.fields), cached.helpdesk)
        found += _verdict(label, errors)
    return found


def _verdict(label: str, errors: list[str]) -> list[Finding]:
    if not errors:
        return [Finding(True, label, "fits the helpdesk's fields")]
    return [Finding(False, label, error) for error in errors]


def _mappings(s: Session) -> list[tuple[str, Mapping]]:
    """Enabled mappings named with their source; the TOML file's only when it loads (its
    failure is a finding of its own)."""
    from bridge.admin.items import mapping_of
    from bridge.admin.models import AdminMapping
    from bridge.rules.toml import toml_mappings

    found = [(f"mapping {_name(m.name, m.field)} ({source}, toml-{n})", m)
             for n, (source, m) in enumerate(_or_none(toml_mappings), 1)]
    for row in s.scalars(select(AdminMapping).order_by(AdminMapping.id)):
        m = mapping_of(row)
        found.append((f"mapping {_name(m.name, m.field)} (database, id {row.id})", m))
    return [(label, m) for label, m in found if m.enabled]


def _rules(s: Session) -> list[tuple[str, Rule]]:
    from bridge.admin.items import rule_of
    from bridge.admin.models import AdminRule
    from bridge.rules.toml import toml_rules

    found = [(f"rule {r.name!r} ({source}, toml-{n})", r)
             for n, (source, r) in enumerate(_or_none(toml_rules), 1)]
    for row in s.scalars(select(AdminRule).order_by(AdminRule.position, AdminRule.id)):
        r = rule_of(row)
        found.append((f"rule {r.name!r} (database, id {row.id})", r))
    return [(label, r) for label, r in found if r.enabled and r.then.fields]


def _name(name: str, field: str) -> str:
    return repr(name) if name else f"to field {field}"


def _or_none(load: Callable[[], list[T]]) -> list[T]:
    try:
        return load()
    except ConfigError:
        return []
