"""SLA settings from TOML: defaults, a complete good file, and bad files with clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bridge.errors import ConfigError
from bridge.sla.calendar import BusinessCalendar, Calendar24x7
from bridge.sla.defaults import DEFAULT_LADDER
from bridge.sla.settings import default_settings, load_sla_settings

H = timedelta(hours=1)

GOOD = """
[[sla.calendars]]
name = "paris"
timezone = "Europe/Paris"
country = "FR"
closed_dates = [2025-12-24, "2025-12-31"]
hours = { mon = ["09:00-12:00", "13:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], \
thu = ["09:00-17:00"], fri = ["09:00-17:00"], sat = [] }

[[sla.calendars]]
name = "nights"
timezone = "America/New_York"
country = "US"
subdivision = "NY"
sun = ["22:00-06:00"]
mon = ["00:00-24:00"]

[[sla.policies]]
name = "vip"
channels = ["whatsapp", "messenger"]
priorities = ["high", "urgent"]
tags = ["vip"]
first_reply = "30m"
next_reply = "2h"
resolution = "1d12h"
calendar = "paris"
pause_statuses = ["hold"]
window = { at = "-3h", add_tags = ["window_closing"], set_group = 123 }

[[sla.policies.escalation]]
at = "50%"
add_tags = ["sla_warning"]

[[sla.policies.escalation]]
name = "late"
at = "+1h"
set_priority = "urgent"
set_group = "tier2"
note = "Ticket {ticket}: {target} was due {deadline}"
notify_url = "https://hooks.slack.com/services/T0/B0/x"
clocks = ["first_reply", "next_reply"]

[[sla.policies]]
name = "quiet"
channels = ["telegram"]
escalation = []
window = false

[[sla.policies]]
name = "rest"
first_reply = "4h"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    for settings in (load_sla_settings(None), load_sla_settings(""), default_settings()):
        (policy,) = settings.policies
        assert policy.calendar == "24x7" and isinstance(settings.calendar_for(policy),
                                                       Calendar24x7)
        assert (policy.targets.first_reply, policy.targets.next_reply,
                policy.targets.resolution) == (H, 4 * H, timedelta(days=3))
        steps = {s.name: s for s in policy.ladder.steps}
        assert list(steps) == ["50%", "80%", "100%", "+1h"]
        assert steps["50%"].add_tags == ("sla_warning",)
        assert (steps["80%"].add_tags, steps["80%"].set_priority) == (("sla_at_risk",), "high")
        assert steps["100%"].add_tags == ("sla_breached",) and steps["100%"].internal_note
        assert steps["+1h"].set_priority == "urgent" and steps["+1h"].internal_note
        assert steps["+1h"].at == H
        assert policy.pause_statuses == ("pending", "hold")
        assert settings.choose("x", None, []) is policy


def test_a_file_without_sla_gives_defaults(tmp_path: Path) -> None:
    settings = load_sla_settings(write(tmp_path, "[other]\nkey = 1\n"))
    assert [p.name for p in settings.policies] == ["default"]


def test_calendars_without_policies_keep_the_default_policy(tmp_path: Path) -> None:
    settings = load_sla_settings(write(tmp_path, GOOD.split("[[sla.policies]]")[0]))
    assert [p.name for p in settings.policies] == ["default"]
    assert set(settings.calendars) == {"24x7", "paris", "nights"}


def test_a_good_file(tmp_path: Path) -> None:
    settings = load_sla_settings(write(tmp_path, GOOD))
    assert [p.name for p in settings.policies] == ["vip", "quiet", "rest"]
    vip, quiet, rest = settings.policies
    assert (vip.channels, vip.priorities, vip.tags) == (
        ("whatsapp", "messenger"), ("high", "urgent"), ("vip",))
    assert vip.targets.first_reply == 30 * timedelta(minutes=1)
    assert vip.targets.resolution == 36 * H
    assert vip.pause_statuses == ("hold",)
    fifty, late = vip.ladder.steps
    assert (fifty.name, fifty.at, fifty.add_tags) == ("50%", 0.5, ("sla_warning",))
    assert (late.name, late.at, late.set_priority, late.set_group) == ("late", H, "urgent",
                                                                       "tier2")
    assert late.notify_url == "https://hooks.slack.com/services/T0/B0/x"
    assert late.clocks == ("first_reply", "next_reply")
    assert vip.window is not None
    assert (vip.window.name, vip.window.at, vip.window.set_group) == ("window", -3 * H, "123")
    assert quiet.ladder.steps == () and quiet.window is None
    assert rest.ladder == DEFAULT_LADDER and rest.targets.next_reply is None
    assert settings.choose("whatsapp", "urgent", ["vip"]) is vip
    assert settings.choose("telegram", "urgent", ["vip"]) is quiet
    assert settings.choose("x", None, []) is rest

    paris = settings.calendar_for(vip)
    assert isinstance(paris, BusinessCalendar) and paris.timezone == "Europe/Paris"
    # Monday 11:30 Paris (10:30 UTC) + 1 h: the lunch break is closed.
    assert paris.add(datetime(2025, 3, 3, 10, 30, tzinfo=UTC), H) == datetime(
        2025, 3, 3, 12, 30, tzinfo=UTC)
    # 23 Dec 16:00 + 2 h: 24th closed, 25th Christmas, 26th open.
    assert paris.add(datetime(2025, 12, 23, 15, tzinfo=UTC), 2 * H) == datetime(
        2025, 12, 26, 9, tzinfo=UTC)
    assert not paris.is_open(datetime(2025, 12, 31, 10, tzinfo=UTC))
    nights = settings.calendars["nights"]
    # Sunday 22:00 to Tuesday 00:00 New York is one block of 26 hours.
    assert nights.elapsed(datetime(2025, 3, 2, 0, tzinfo=UTC),
                          datetime(2025, 3, 5, 0, tzinfo=UTC)) == 26 * H
    assert not nights.is_open(datetime(2025, 9, 1, 16, tzinfo=UTC))  # Labor Day (Monday)


POLICY = '[[sla.policies]]\nname = "p"\n'
CAL = '[[sla.calendars]]\nname = "c"\ntimezone = "Europe/Paris"\nmon = ["09:00-17:00"]\n'

BAD = [
    # (file text, the error after "<path>: ")
    ('[[sla.policies]]\nname = "a"\n[[sla.policies]]\nname = "b"\n[[sla.policies]]\n'
     'name = "c"\nfirst_reply = "1x"\n',
     "sla.policies[2].first_reply: '1x' is not a duration like 90m, 4h, 3d"),
    (POLICY + 'resolution = "0m"\n', "sla.policies[0].resolution: '0m': a target must be longer"),
    (CAL + 'closed_dates = [2025-12-24T10:00:00]\n',
     "sla.calendars[0].closed_dates: '2025-12-24 10:00:00' is not a date"),
    (POLICY + 'next_reply = 4\n', "sla.policies[0].next_reply: expected a string, got a number"),
    (POLICY + 'calendar = "paris"\n', "sla.policies[0].calendar: 'paris' is not a calendar here"),
    (POLICY + 'frist_reply = "1h"\n', "sla.policies[0].frist_reply: unknown field"),
    (POLICY + 'channels = ["facebook"]\n', "sla.policies[0].channels: 'facebook' is not one of"),
    (POLICY + 'priorities = ["p1"]\n', "sla.policies[0].priorities: 'p1' is not one of"),
    (POLICY + 'pause_statuses = ["solved"]\n', "sla.policies[0].pause_statuses: 'solved'"),
    (POLICY + 'channels = "whatsapp"\n', "sla.policies[0].channels: expected a list"),
    (POLICY + '[[sla.policies.escalation]]\nat = "50"\n',
     "sla.policies[0].escalation[0].at: '50' is not a point like \"80%\", \"+1h\" or \"-30m\""),
    (POLICY + '[[sla.policies.escalation]]\nat = "0%"\n', "sla.policies[0].escalation[0].at"),
    (POLICY + '[[sla.policies.escalation]]\nadd_tags = ["x"]\n',
     "sla.policies[0].escalation[0].at: is required"),
    (POLICY + '[[sla.policies.escalation]]\nat = "80%"\nset_priority = "p1"\n',
     "sla.policies[0].escalation[0].set_priority: 'p1' is not one of low, normal, high, urgent"),
    (POLICY + '[[sla.policies.escalation]]\nat = "80%"\nnote = "due {when}"\n',
     "sla.policies[0].escalation[0].note: unknown placeholder {when}"),
    (POLICY + '[[sla.policies.escalation]]\nat = "80%"\nnote = "due {deadline"\n',
     "sla.policies[0].escalation[0].note: not a valid template"),
    (POLICY + '[[sla.policies.escalation]]\nat = "80%"\nnotify_url = "hooks.slack.com"\n',
     "sla.policies[0].escalation[0].notify_url: 'hooks.slack.com' is not an http(s) URL"),
    (POLICY + '[[sla.policies.escalation]]\nat = "80%"\n[[sla.policies.escalation]]\n'
     'at = "80%"\n', "sla.policies[0].escalation: escalation step names must be unique: 80%"),
    (POLICY + 'window = { at = "-2h", clocks = ["first_reply"] }\n',
     "sla.policies[0].window.clocks: unknown field"),
    (POLICY + 'window = true\n', "sla.policies[0].window: expected a table, got a boolean"),
    (POLICY + POLICY, "sla.policies[1].name: policy 'p' is defined twice"),
    ('[[sla.policies]]\nfirst_reply = "1h"\n', "sla.policies[0].name: is required"),
    (CAL.replace("Europe/Paris", "Europe/Atlantis"),
     "sla.calendars[0].timezone: unknown time zone 'Europe/Atlantis'"),
    (CAL + 'country = "XX"\n', "sla.calendars[0].country: Country XX not available"),
    (CAL + 'country = "US"\nsubdivision = "ZZ"\n', "sla.calendars[0].subdivision:"),
    (CAL.replace("09:00-17:00", "9-17"),
     "sla.calendars[0].mon: '9-17' is not opening hours like \"09:00-17:00\""),
    (CAL.replace("09:00-17:00", "09:00-25:00"), "sla.calendars[0].mon: '09:00-25:00'"),
    (CAL.replace('mon = ["09:00-17:00"]', 'hours = { monday = ["09:00-17:00"] }'),
     "sla.calendars[0].hours.monday: unknown field"),
    (CAL.replace('mon = ["09:00-17:00"]', 'sat = []'),
     "sla.calendars[0].hours: a business calendar needs open hours on at least one day"),
    (CAL + 'closed_dates = ["24/12/2025"]\n',
     "sla.calendars[0].closed_dates: '24/12/2025' is not a date like 2025-12-24"),
    (CAL + CAL, "sla.calendars[1].name: calendar 'c' is defined twice"),
    (CAL.replace('name = "c"', 'name = "24x7"'), "sla.calendars[0].name: calendar '24x7'"),
    ('sla = 3\n', "sla: expected a table, got a number"),
    ('[sla]\ncalendars = 3\n', "sla.calendars: expected a list, got a number"),
    ('[sla]\npolicy = []\n', "sla.policy: unknown field; expected one of calendars, policies"),
]


@pytest.mark.parametrize("text,error", BAD, ids=[e.split(":")[0] + " " + e[-20:] for _, e in BAD])
def test_bad_files(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sla_settings(path)
    assert str(caught.value).startswith(f"{path}: {error}"), str(caught.value)


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "[[sla.policies]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=f"^{path}: not valid TOML: "):
        load_sla_settings(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match=f"^{path}: cannot read the configuration"):
        load_sla_settings(path)
