"""Automated messages from the ``[automation]`` part of the ``BRIDGE_CONFIG`` TOML file.

```toml
[automation]
language = "en"                      # the default language of every text

[automation.acknowledgement]         # a section turns its job on (`enabled = false`: off)
delay = "0s"
reply_within = "2h"                  # optional; default: the SLA policy's first-reply target
channels = ["messenger"]             # optional; default: every channel
text.en.open = "Thanks! Ticket {ticket}: we usually answer within {first_reply}."
text.en.away = "Thanks! Ticket {ticket}: we are away now; we answer from {next_open}."
channel_text.whatsapp.fr.open = "..."   # a channel's own text wins over `text`

[automation.checkin]
after = "3d"                         # after the ticket was solved
text.en = "Is everything all right with ticket {ticket}?"

[automation.csat]
after = "0s"
good_tag = "csat_good"
bad_tag = "csat_bad"
field = "360012345678"               # optional custom field: "good" or "bad"
text.en = { question = "How did we do?", good = "👍 Good", bad = "👎 Bad" }

[automation.pending_reminder]        # after = "24h"
[automation.auto_solve]              # after = "7d": solves the pending ticket, final message
[automation.on_solved]               # status mirroring: text when an agent solves
[automation.on_reopened]             # ... and when a ticket is reopened
[automation.keepalive]               # before = "1h": before the 24 h window closes
```

With no file, or no section for a job, the job is off: every automated message is the
operator's choice (and a new conversation keeps costing two helpdesk calls, not three:
each message sent is also an internal note). Errors are ``ConfigError``s naming the file
and field, like the SLA settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

from bridge.automation.texts import DEFAULTS, Texts, fields_allowed, placeholders
from bridge.config_file import per_config_path, read_config
from bridge.domain import ChannelKind
from bridge.sla.durations import parse_duration
from bridge.sla.toml_table import Table

CHANNELS = get_args(ChannelKind)
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


@dataclass(frozen=True)
class Spec:
    """A kind of job: its timing field and its default, extra fields."""

    timing: str | None
    wait: timedelta
    extra: tuple[str, ...] = ()


SPECS: Mapping[str, Spec] = {
    "acknowledgement": Spec("delay", timedelta(0), ("reply_within",)),
    "checkin": Spec("after", timedelta(days=3)),
    "csat": Spec("after", timedelta(0), extra=("good_tag", "bad_tag", "field")),
    "pending_reminder": Spec("after", timedelta(hours=24)),
    "auto_solve": Spec("after", timedelta(days=7)),
    "on_solved": Spec(None, timedelta(0)),
    "on_reopened": Spec(None, timedelta(0)),
    "keepalive": Spec("before", timedelta(hours=1)),
}


@dataclass(frozen=True)
class Job:
    """One kind of automated job as configured; ``wait`` is its delay, ``after`` or
    ``before`` (see ``SPECS``)."""

    kind: str
    enabled: bool
    wait: timedelta
    texts: Texts
    channels: tuple[str, ...] = ()

    def applies(self, channel: str) -> bool:
        return self.enabled and (not self.channels or channel in self.channels)


@dataclass(frozen=True)
class AutomationSettings:
    language: str = "en"
    jobs: Mapping[str, Job] = field(default_factory=dict)
    reply_within: timedelta | None = None
    csat_good_tag: str = "csat_good"
    csat_bad_tag: str = "csat_bad"
    csat_field: str | None = None

    def job(self, kind: str, channel: str) -> Job | None:
        """The job when it is on for this channel."""
        found = self.jobs.get(kind)
        return found if found is not None and found.applies(channel) else None

    def text(self, kind: str, name: str, channel: str, language: str | None) -> str:
        return self.jobs[kind].texts.template(name, channel, language, self.language)


def default_jobs() -> dict[str, Job]:
    return {kind: Job(kind, False, spec.wait, Texts(kind))
            for kind, spec in SPECS.items()}


def load_automation_settings(path: str | Path | None) -> AutomationSettings:
    if not path:
        return AutomationSettings(jobs=default_jobs())
    return parse_automation_settings(read_config(path), str(path))


def parse_automation_settings(data: Mapping[str, Any],
                              source: str = "<config>") -> AutomationSettings:
    jobs = default_jobs()
    if "automation" not in data:
        return AutomationSettings(jobs=jobs)
    top = Table(source, "automation", data["automation"])
    top.check_keys(("language", *SPECS))
    language = _language(top, top.text("language") or "en")
    options: dict[str, Any] = {}
    for kind, spec in SPECS.items():
        if kind not in top.data:
            continue
        t = top.child(kind)
        t.check_keys(("enabled", "channels", "text", "channel_text",
                      *((spec.timing,) if spec.timing else ()), *spec.extra))
        enabled = t.data.get("enabled", True)
        if not isinstance(enabled, bool):
            t.fail("enabled", "expected true or false")
        wait = (t.duration(spec.timing, parse_duration) if spec.timing else None) or spec.wait
        jobs[kind] = Job(kind, enabled, wait, _texts(t, kind), t.texts("channels", CHANNELS))
        options.update(_extra(t, kind))
    return AutomationSettings(language=language, jobs=jobs, **options)


def _extra(t: Table, kind: str) -> dict[str, Any]:
    if kind == "acknowledgement":
        within = t.duration("reply_within", parse_duration)
        return {"reply_within": within} if within else {}
    if kind == "csat":
        found = {"csat_good_tag": t.text("good_tag"), "csat_bad_tag": t.text("bad_tag"),
                 "csat_field": t.text("field", allow_int=True)}
        for key, value in found.items():
            if key != "csat_field" and value is not None and not re.fullmatch(r"\S+", value):
                t.fail(key.removeprefix("csat_"), f"{value!r} is not a tag (no spaces)")
        return {k: v for k, v in found.items() if v is not None}
    return {}


def _texts(t: Table, kind: str) -> Texts:
    by: dict[tuple[str, str], dict[str, str]] = {}
    if "text" in t.data:
        _languages(t.child("text"), kind, "", by)
    if "channel_text" in t.data:
        per_channel = t.child("channel_text")
        per_channel.check_keys(CHANNELS)
        for channel in per_channel.data:
            _languages(per_channel.child(channel), kind, channel, by)
    return Texts(kind, by)


def _languages(t: Table, kind: str, channel: str,
               by: dict[tuple[str, str], dict[str, str]]) -> None:
    names = tuple(DEFAULTS[kind])
    for raw, value in t.data.items():
        lang = _language(t, raw)
        if isinstance(value, str):
            if names != ("message",):
                t.fail(raw, f"give a table with {', '.join(names)}")
            value = {"message": value}
        entry = Table(t.source, f"{t.where}.{raw}", value)
        entry.check_keys(names)
        for name in entry.data:
            by.setdefault((channel, lang), {})[name] = _template(entry, kind, name)


def _template(t: Table, kind: str, name: str) -> str:
    text = t.required(name)
    allowed = fields_allowed(kind, name)
    try:
        unknown = [f for f in placeholders(text) if f not in allowed]
    except ValueError as exc:
        t.fail(name, f"not a valid template: {exc}")
    if unknown:
        hint = ", ".join(f"{{{f}}}" for f in allowed) or "no placeholders"
        t.fail(name, f"unknown placeholder {{{unknown[0]}}}; use {hint}")
    return text


def _language(t: Table, value: str) -> str:
    lang = value.strip().lower()
    if not _LANGUAGE.fullmatch(lang):
        t.fail("language" if t.where == "automation" else value,
               f"{value!r} is not a language code like en, fr or pt-br")
    return lang


automation_settings = per_config_path(load_automation_settings)
"""The settings of the current ``BRIDGE_CONFIG``, read once per path."""
