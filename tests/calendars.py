"""SLA calendars written as TOML, as the tests' configuration files carry them."""

from __future__ import annotations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def weekday_calendar(name: str, timezone: str, hours: str, country: str = "") -> str:
    """A ``[[sla.calendars]]`` table open ``hours`` Monday to Friday (holidays of ``country``)."""
    lines = ["[[sla.calendars]]", f'name = "{name}"', f'timezone = "{timezone}"']
    if country:
        lines.append(f'country = "{country}"')
    lines += [f'{day} = ["{hours}"]' for day in WEEKDAYS]
    return "\n".join(lines) + "\n"
