"""``bridge freshdesk check``: are the credentials good, and what ticket fields exist?

Two calls: ``GET /agents/me`` (the API key works, and whose it is) and
``GET /ticket_fields`` (names, types and allowed values, for the admin's field mappings:
custom fields are named ``cf_*``, dropdown values must match a choice exactly).
``choices`` changes shape with the field type in Freshdesk's answer; they are flattened
to readable lines: ``2 = Open`` (status), ``1 = Low`` (priority, source, group, agent),
``Question`` (lists), ``Country > State > City`` (nested fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.errors import ConfigError, PermanentError
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.freshdesk.payloads import ApiTicketField

MAX_CHOICES_SHOWN = 25


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label: str
    type: str
    custom: bool
    required_for_agents: bool = False
    required_for_closure: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    base_url: str
    agent_id: int
    agent_name: str | None
    agent_email: str | None
    fields: tuple[FieldInfo, ...]
    rate_limit_total: int | None = None
    rate_limit_remaining: int | None = None
    notes: tuple[str, ...] = ()

    def field(self, name: str) -> FieldInfo | None:
        return next((f for f in self.fields if f.name == name), None)

    def lines(self) -> list[str]:
        """The report, one line each, as the CLI prints it."""
        who = " ".join(p for p in (self.agent_name, f"<{self.agent_email}>"
                                   if self.agent_email else None) if p)
        out = [f"Freshdesk {self.base_url}: credentials OK, API agent {self.agent_id} {who}"
               .rstrip()]
        if self.rate_limit_total is not None:
            out.append(f"rate limit: {self.rate_limit_remaining} of {self.rate_limit_total} "
                       "calls left this minute")
        out.append(f"ticket fields ({len(self.fields)}):")
        for f in self.fields:
            flags = [w for w, on in (("custom", f.custom), ("required", f.required_for_agents),
                                     ("required to close", f.required_for_closure)) if on]
            out.append(f"  {f.name} ({f.type}{', ' + ', '.join(flags) if flags else ''})"
                       f" - {f.label}")
            shown = f.choices[:MAX_CHOICES_SHOWN]
            out += [f"      {choice}" for choice in shown]
            if len(f.choices) > len(shown):
                out.append(f"      ... and {len(f.choices) - len(shown)} more")
        out += [f"note: {note}" for note in self.notes]
        return out


def choices_of(raw: Any, nested: bool = False) -> tuple[str, ...]:
    """Allowed values of a field, whatever the shape of its ``choices``."""
    if isinstance(raw, list):
        flat: list[str] = []
        for value in raw:
            flat += choices_of(value, nested) if isinstance(value, dict | list) else [str(value)]
        return tuple(flat)
    if not isinstance(raw, dict):
        return () if raw is None else (str(raw),)
    out: list[str] = []
    for key, value in raw.items():
        if isinstance(value, dict | list) and (nested or not str(key).isdigit()):
            inner = choices_of(value, nested=True)  # dependent (nested) field levels
            out += [f"{key} > {sub}" for sub in inner] or [str(key)]
        elif isinstance(value, list):  # statuses: {"2": ["Open", "Being Processed"]}
            out.append(f"{key} = {value[0]}" if value else str(key))
        else:  # {"Low": 1}: priorities, sources, groups, agents
            out.append(f"{value} = {key}")
    return tuple(out)


def _field(raw: ApiTicketField) -> FieldInfo:
    return FieldInfo(
        name=raw.name,
        label=raw.label or raw.name,
        type=raw.type,
        custom=raw.name.startswith("cf_"),
        required_for_agents=raw.required_for_agents,
        required_for_closure=raw.required_for_closure,
        choices=choices_of(raw.choices),
    )


def check(helpdesk: object) -> CheckResult:
    """Verify the credentials and list the ticket fields (raises ``PermanentError`` with a
    "check FRESHDESK_API_KEY / FRESHDESK_DOMAIN" message when the key is refused)."""
    if not isinstance(helpdesk, FreshdeskHelpdesk):
        raise ConfigError("bridge freshdesk check needs BRIDGE_HELPDESK=freshdesk")
    helpdesk.client.pace()
    agent = helpdesk.api_agent()
    notes: list[str] = []
    fields: tuple[FieldInfo, ...] = ()
    try:
        body = helpdesk.request("GET", "ticket_fields").body
    except PermanentError as exc:
        if "(403)" not in str(exc):
            raise
        notes.append(f"ticket fields not listed: {exc}")
    else:
        items = body if isinstance(body, list) else []
        try:
            fields = tuple(_field(ApiTicketField.model_validate(item)) for item in items)
        except ValueError as exc:
            raise PermanentError(f"unexpected Freshdesk ticket_fields body: {exc}") from exc
    if not any(f.name.startswith("cf_") for f in fields) and fields:
        notes.append("no custom (cf_*) ticket fields: the channel is carried by tags only")
    pacer = helpdesk.client.pacer
    contact = agent.contact
    return CheckResult(
        base_url=helpdesk.base_url,
        agent_id=agent.id,
        agent_name=contact.name if contact else None,
        agent_email=contact.email if contact else None,
        fields=fields,
        rate_limit_total=pacer.total,
        rate_limit_remaining=pacer.remaining,
        notes=tuple(notes),
    )
