"""Texts of automated messages: built-in English defaults, lookup by channel and language,
and the placeholders each one may use.

A template is looked up, first match wins, by language first: the customer's language,
then the default language, then English; in each, the channel's own text before the
common one; last comes the built-in English text. So an operator who writes only
``text.fr`` still has English for everyone else, and a customer gets their own language
before a channel's special wording in another one.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bridge.sla.calendar import Calendar
from bridge.sla.durations import format_duration

# name of the text -> built-in English; every kind has its own set of names.
DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "acknowledgement": {
        "open": "Thanks for your message! Your ticket number is {ticket}. "
                "We usually answer within {first_reply}.",
        "away": "Thanks for your message! Your ticket number is {ticket}. "
                "We are away now; we answer from {next_open}.",
    },
    "checkin": {"message": "Hi again! Is everything all right since we solved ticket "
                           "{ticket}? Just reply here if you need anything else."},
    "csat": {"question": "How did we do with ticket {ticket}?", "good": "👍 Good",
             "bad": "👎 Bad"},
    "pending_reminder": {"message": "We are still waiting for your answer about ticket "
                                    "{ticket}. Just reply here when you can."},
    "auto_solve": {"message": "We have not heard from you, so we are closing ticket {ticket}. "
                              "Write to us any time if you still need help."},
    "on_solved": {"message": "Ticket {ticket} is solved. Reply here if anything else comes up."},
    "on_reopened": {"message": "We have reopened ticket {ticket} and are looking into it again."},
    "keepalive": {"message": "We are still working on ticket {ticket}. This chat closes "
                             "for us soon: send us any message to keep it open."},
}
ACK_FIELDS = ("ticket", "first_reply", "next_open", "next_open_date", "next_open_time",
              "timezone")
BUTTON_NAMES = ("good", "bad")  # quick-reply titles: plain text, no placeholders


def fields_allowed(kind: str, name: str) -> tuple[str, ...]:
    """Placeholders a template of this kind and name may use."""
    if kind == "csat" and name in BUTTON_NAMES:
        return ()
    return ACK_FIELDS if kind == "acknowledgement" else ("ticket",)


def placeholders(template: str) -> list[str]:
    """The placeholders of ``template``; ``ValueError`` when it does not parse."""
    return [n for _, n, _, _ in string.Formatter().parse(template) if n is not None]


@dataclass(frozen=True)
class Texts:
    """Templates keyed by (channel, language); channel ``""`` is every channel."""

    kind: str
    by: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    def template(self, name: str, channel: str, language: str | None,
                 default_language: str) -> str:
        languages = [x for x in (language, default_language, "en") if x]
        for lang in languages:
            for where in (channel, ""):
                found = self.by.get((where, lang), {}).get(name)
                if found is not None:
                    return found
        return DEFAULTS[self.kind][name]


def render(template: str, **values: str) -> str:
    """Fill a template; placeholders were checked when the configuration was read."""
    return template.format_map(values)


def ack_values(ticket: str, calendar: Calendar, now: datetime,
               first_reply: timedelta) -> dict[str, str]:
    """Placeholders of an acknowledgement; ``next_open`` in the calendar's own zone: just
    the time (``09:00 CET``) when it is today there, else with the ISO date."""
    zone = ZoneInfo(calendar.timezone)
    opens = calendar.next_open(now).astimezone(zone)
    today = now.astimezone(zone).date() == opens.date()
    hour, tz = opens.strftime("%H:%M"), opens.strftime("%Z")
    return {
        "ticket": ticket,
        "first_reply": format_duration(first_reply),
        "next_open": f"{hour} {tz}" if today else f"{opens.date().isoformat()} {hour} {tz}",
        "next_open_date": opens.date().isoformat(),
        "next_open_time": hour,
        "timezone": tz,
    }
