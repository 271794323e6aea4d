"""Rows to what the API answers (items), and to what the audit log keeps (snapshots).

TOML items have no database id: they are ``toml-<n>``, the n-th rule (or mapping) of
the file, counted from 1 — stable for as long as the file is."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from bridge.admin.models import AdminMapping, AdminRule
from bridge.admin.views import DATABASE, MappingItem, RuleItem
from bridge.rules.model import Mapping, Rule

TOML_ID = re.compile(r"toml-([1-9][0-9]{0,8})")


def toml_id(index: int) -> str:
    return f"toml-{index}"


def toml_index(ident: str) -> int | None:
    """``toml-3`` → 3; anything else → None."""
    match = TOML_ID.fullmatch(ident)
    return int(match.group(1)) if match else None


def dump(model: BaseModel) -> str:
    """A model as stored: JSON, ASCII-escaped (NUL-free and encoding-proof on every
    database), keys sorted so equal models are equal text."""
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=True, sort_keys=True)


def rule_of(row: AdminRule) -> Rule:
    return Rule.model_validate_json(row.definition)


def mapping_of(row: AdminMapping) -> Mapping:
    return Mapping.model_validate_json(row.definition)


def rule_item(row: AdminRule, position: int) -> RuleItem:
    return RuleItem(id=row.id, position=position, source=DATABASE, read_only=False,
                    version=row.version, created_at=row.created_at,
                    updated_at=row.updated_at, rule=rule_of(row))


def toml_rule_item(index: int, source: str, rule: Rule) -> RuleItem:
    return RuleItem(id=toml_id(index), position=index, source=source, read_only=True,
                    version=None, created_at=None, updated_at=None, rule=rule)


def mapping_item(row: AdminMapping) -> MappingItem:
    return MappingItem(id=row.id, source=DATABASE, read_only=False, version=row.version,
                       created_at=row.created_at, updated_at=row.updated_at,
                       mapping=mapping_of(row))


def toml_mapping_item(index: int, source: str, mapping: Mapping) -> MappingItem:
    return MappingItem(id=toml_id(index), source=source, read_only=True, version=None,
                       created_at=None, updated_at=None, mapping=mapping)


def rule_snapshot(row: AdminRule) -> dict[str, Any]:
    """What the audit keeps of a rule: its definition, place among database rules, version."""
    return {"rule": json.loads(row.definition), "position": row.position,
            "version": row.version}


def mapping_snapshot(row: AdminMapping) -> dict[str, Any]:
    return {"mapping": json.loads(row.definition), "version": row.version}
