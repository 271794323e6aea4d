"""What the admin API answers: rules and mappings wrapped with where they come from,
audit entries and errors. The OpenAPI document is built from these models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bridge.rules.model import Mapping, Rule

DATABASE = "database"
AuditAction = Literal["create", "update", "delete", "reorder", "enable", "disable"]
Entity = Literal["rule", "mapping"]


class View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(View):
    id: int | str = Field(description="database id, or toml-<n> for the n-th item of the file")
    source: str = Field(description='"database", or "toml:<path>" for the file\'s items')
    read_only: bool = Field(description="true for TOML items: edit the file instead")
    version: int | None = Field(description="changes so far; send it back with a PUT "
                                            "(null for TOML items)")
    created_at: datetime | None
    updated_at: datetime | None


class RuleItem(Origin):
    position: int = Field(ge=1, description="place in evaluation order, 1 = first")
    rule: Rule


class MappingItem(Origin):
    mapping: Mapping
    broken: bool = Field(default=False, description="the helpdesk's current fields no longer "
                                                    "take what this mapping writes")
    problems: list[str] = Field(default=[], description="why it is broken (empty when not)")


class RuleList(View):
    items: list[RuleItem]
    evaluation_order: str


class MappingList(View):
    items: list[MappingItem]
    evaluation_order: str


class AuditItem(View):
    id: int
    at: datetime
    actor: str
    action: AuditAction
    entity: Entity
    entity_id: int | None = Field(description="null for a reorder (it touches every rule)")
    before: dict[str, Any] | None = Field(description="null for a create")
    after: dict[str, Any] | None = Field(description="null for a delete")


class AuditPage(View):
    items: list[AuditItem] = Field(description="newest first")
    next_before: int | None = Field(description="pass as `before` for the next page; "
                                                "null on the last page")


class ErrorDetail(View):
    field: str = Field(description='path of the field to blame, e.g. "when.regex"; '
                                   '"" when no single field is')
    message: str


class ErrorBody(View):
    error: str
    details: list[ErrorDetail]
