"""Routing rules and field mappings as admins write them (API, pages, TOML): typed models.

One shape for every source, so the engine, the store, the admin API's OpenAPI document
and the pages agree. Helpdesk-neutral: a mapping's ``field`` is a Zendesk custom field id
(digits) or a Freshdesk ``cf_*`` name, checked against the live helpdesk's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ChannelName = Literal[
    "messenger", "facebook_comment", "instagram", "instagram_comment", "whatsapp", "x",
    "telegram",
]
Priority = Literal["low", "normal", "high", "urgent"]
# Ready-made categories: each is added as a tag of the same name.
Category = Literal["sales_lead", "custom_request", "incident", "technical_issue", "ugc"]
CATEGORIES: tuple[str, ...] = ("sales_lead", "custom_request", "incident", "technical_issue",
                               "ugc")
TAG_PATTERN = r"^[^\s,]{1,80}$"  # helpdesk tags: no spaces, no commas


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    """Every part that is set must hold (AND); within a list, any item matches (OR).
    An empty condition matches every message."""

    channels: list[ChannelName] = []
    accounts: list[str] = []
    languages: list[str] = Field(default=[], description="ISO 639-1 codes, e.g. en, ar, th")
    keywords: list[str] = Field(
        default=[], description="any of; case- and diacritics-insensitive, whole words where "
                                "the script separates words")
    regex: str | None = Field(default=None, description="Python regex over the normalised text")
    min_followers: int | None = Field(default=None, ge=0)
    verified: bool | None = None
    returning_customer: bool | None = None
    business_hours: bool | None = Field(
        default=None, description="true: only within business hours; false: only outside")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        import re

        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"regex does not compile: {exc}") from None
            from bridge.rules.patterns import regex_risk

            risk = regex_risk(value)
            if risk:
                raise ValueError(risk)
        return value


class Actions(Strict):
    tags: list[str] = Field(default=[], description="tags to add")
    categories: list[Category] = []
    priority: Priority | None = None
    severity: str | None = Field(default=None, description="written as tag severity_<value>")
    group_id: str | None = None
    assignee_id: str | None = None
    ticket_type: str | None = None
    brand_id: str | None = Field(default=None, description="Zendesk only")
    fields: dict[str, Any] = Field(default={}, description="helpdesk field → value")
    take_private: bool = Field(default=False, description="answer the public comment in private")
    suppress: bool = Field(default=False, description="spam: no ticket, counted")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        import re

        for tag in value:
            if not re.fullmatch(TAG_PATTERN, tag):
                raise ValueError(f"tag {tag!r}: no spaces or commas, 1 to 80 characters")
        return value


class Rule(Strict):
    name: str = Field(min_length=1, max_length=120)
    enabled: bool = True
    stop: bool = Field(default=True, description="stop at this rule when it matches; "
                                                 "false: continue with the next rules")
    when: Condition = Condition()
    then: Actions = Actions()


Source = Literal[
    "channel", "account", "handle", "display_name", "external_id", "profile_url", "language",
    "link", "follower_count", "verified", "returning_customer", "categories", "text",
]


class Transform(Strict):
    """``lower``/``upper``; ``lookup`` (``table``, unmatched values pass through unless
    ``value`` is set as the fallback); ``default`` (``value`` when the input is empty);
    ``truncate`` (``length`` characters)."""

    kind: Literal["lower", "upper", "lookup", "default", "truncate"]
    table: dict[str, str] | None = None
    value: str | None = None
    length: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _complete(self) -> Transform:
        needs = {"lookup": ("table", self.table), "default": ("value", self.value),
                 "truncate": ("length", self.length)}
        if self.kind in needs and needs[self.kind][1] is None:
            raise ValueError(f"{self.kind} needs {needs[self.kind][0]}")
        return self


class Mapping(Strict):
    name: str = Field(default="", max_length=120)
    enabled: bool = True
    source: Source
    field: str = Field(min_length=1, max_length=120,
                       description="Zendesk custom field id or Freshdesk cf_* name")
    transforms: list[Transform] = []


# ---- what the engine reads and what it decides -------------------------------------


@dataclass(frozen=True)
class Facts:
    """What is known about one inbound message when its ticket is opened."""

    channel: str
    account_id: str
    text: str = ""
    language: str | None = None
    external_id: str = ""
    handle: str | None = None
    display_name: str | None = None
    profile_url: str | None = None
    link: str | None = None
    follower_count: int | None = None
    verified: bool | None = None
    returning_customer: bool = False
    business_hours: bool | None = None


@dataclass(frozen=True)
class Decision:
    """What the rules and mappings make of one message."""

    fired: tuple[str, ...] = ()  # names of the rules that matched, in order
    tags: tuple[str, ...] = ()
    priority: str | None = None
    severity: str | None = None
    group_id: str | None = None
    assignee_id: str | None = None
    ticket_type: str | None = None
    brand_id: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    take_private: bool = False
    suppress: bool = False
    skipped_fields: tuple[str, ...] = field(default=())  # broken mappings left out, why
