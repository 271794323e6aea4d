"""Policy choice, escalation ladders and messaging-window deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.sla.calendar import BusinessCalendar
from bridge.sla.durations import format_duration, parse_duration, parse_offset
from bridge.sla.policy import (
    EscalationStep,
    Ladder,
    SlaPolicy,
    choose,
    render_note,
    step_label,
    window_deadline,
    window_warning_at,
)

H = timedelta(hours=1)
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)

POLICIES = [
    SlaPolicy("vip-whatsapp", channels=("whatsapp",), tags=("vip", "press")),
    SlaPolicy("urgent", priorities=("urgent",)),
    SlaPolicy("messenger-high", channels=("messenger",), priorities=("high", "urgent")),
    SlaPolicy("everything"),
]


@pytest.mark.parametrize("channel,priority,tags,expected", [
    ("whatsapp", None, ["vip"], "vip-whatsapp"),
    ("whatsapp", "urgent", ["press", "other"], "vip-whatsapp"),
    ("whatsapp", "urgent", ["other"], "urgent"),
    ("messenger", "urgent", [], "urgent"),
    ("messenger", "high", [], "messenger-high"),
    ("messenger", None, [], "everything"),
    ("instagram", "vip", ["vip"], "everything"),
])
def test_choose_first_match(channel: str, priority: str | None, tags: list[str],
                            expected: str) -> None:
    chosen = choose(POLICIES, channel, priority, tags)
    assert chosen is not None and chosen.name == expected


def test_choose_none_when_nothing_matches() -> None:
    assert choose(POLICIES[:3], "telegram", "low", ["vip"]) is None
    assert choose([], "telegram", None, []) is None


LADDER = Ladder((
    EscalationStep(0.5, add_tags=("sla_warning",)),
    EscalationStep(0.8, set_priority="high"),
    EscalationStep(1.0, internal_note="breached"),
    EscalationStep(H, set_priority="urgent"),
))
DEADLINE, TARGET = T0 + H, H  # a one-hour target started at T0


@pytest.mark.parametrize("minutes,done,expected", [
    (29, set(), []),
    (30, set(), ["50%"]),
    (47, {"50%"}, []),
    (48, {"50%"}, ["80%"]),
    (60, {"50%", "80%"}, ["100%"]),
    (119, {"50%", "80%", "100%"}, []),
    (120, {"50%", "80%", "100%"}, ["+1h"]),
    (600, set(), ["50%", "80%", "100%", "+1h"]),  # after a long downtime: all, in order
    (600, {"80%"}, ["50%", "100%", "+1h"]),
    (600, {"50%", "80%", "100%", "+1h"}, []),
])
def test_due_steps(minutes: int, done: set[str], expected: list[str]) -> None:
    now = T0 + timedelta(minutes=minutes)
    assert [s.name for s in LADDER.due_steps(DEADLINE, TARGET, now, done)] == expected


@pytest.mark.parametrize("done,expected_minutes", [
    (set(), 30), ({"50%"}, 48), ({"50%", "80%"}, 60), ({"50%", "80%", "100%"}, 120),
    ({"80%"}, 30),
])
def test_next_step_at(done: set[str], expected_minutes: int) -> None:
    assert LADDER.next_step_at(DEADLINE, TARGET, done) == T0 + timedelta(minutes=expected_minutes)


def test_next_step_at_none_when_all_done() -> None:
    assert LADDER.next_step_at(DEADLINE, TARGET, {"50%", "80%", "100%", "+1h"}) is None


def test_steps_in_business_time() -> None:
    """An 8 h target from Friday 09:00 (Paris, 9-17): due Friday 17:00, +1h on Monday."""
    paris = BusinessCalendar("Europe/Paris", {d: [(time(9), time(17))] for d in range(5)})
    tz = ZoneInfo("Europe/Paris")
    start = datetime(2025, 3, 7, 9, tzinfo=tz)
    deadline = paris.add(start, 8 * H)
    assert deadline == datetime(2025, 3, 7, 17, tzinfo=tz)
    times = {s.name: at for at, s in LADDER.schedule(deadline, 8 * H, (), paris)}
    assert times == {
        "50%": datetime(2025, 3, 7, 13, tzinfo=tz),
        "80%": datetime(2025, 3, 7, 15, 24, tzinfo=tz),
        "100%": deadline,
        "+1h": datetime(2025, 3, 10, 10, tzinfo=tz),
    }


def test_steps_limited_to_clock_kinds_and_offsets_before_deadline() -> None:
    ladder = Ladder((EscalationStep(timedelta(minutes=-10), clocks=("first_reply",)),
                     EscalationStep(1.5)))
    assert [s.name for s in ladder.due_steps(DEADLINE, TARGET, T0 + 2 * H, (),
                                             kind="resolution")] == ["150%"]
    names = [s.name for s in ladder.due_steps(DEADLINE, TARGET, T0 + 2 * H, (),
                                              kind="first_reply")]
    assert names == ["-10m", "150%"]


def test_ladder_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique: 50%"):
        Ladder((EscalationStep(0.5), EscalationStep(0.5, set_priority="high")))
    with pytest.raises(ValueError, match="above 0"):
        EscalationStep(0.0)


@pytest.mark.parametrize("at,label", [
    (0.5, "50%"), (0.8, "80%"), (1.0, "100%"), (1.5, "150%"), (0.333, "33.3%"),
    (H, "+1h"), (timedelta(minutes=-30), "-30m"), (timedelta(minutes=90), "+1h30m"),
])
def test_step_labels(at: float | timedelta, label: str) -> None:
    assert step_label(at) == label


@pytest.mark.parametrize("channel,expected", [
    ("messenger", T0 + 24 * H), ("instagram", T0 + 24 * H), ("whatsapp", T0 + 24 * H),
    ("facebook_comment", None), ("instagram_comment", None), ("x", None), ("telegram", None),
])
def test_window_deadline(channel: str, expected: datetime | None) -> None:
    assert window_deadline(channel, T0) == expected
    warning = window_warning_at(channel, T0, 2 * H)
    assert warning == (None if expected is None else expected - 2 * H)


def test_no_window_without_a_customer_message() -> None:
    assert window_deadline("messenger", None) is None
    assert window_warning_at("whatsapp", None, H) is None


def test_render_note() -> None:
    text = render_note("Ticket {ticket}: {target} due {deadline}, {remaining} left",
                       ticket="42", target="first reply 1h",
                       deadline=datetime(2025, 3, 3, 11, tzinfo=ZoneInfo("Europe/Paris")),
                       remaining=timedelta(minutes=-65))
    assert text == "Ticket 42: first reply 1h due 2025-03-03 11:00 CET, -1h5m left"


@pytest.mark.parametrize("text,expected", [
    ("90m", timedelta(minutes=90)), ("4h", 4 * H), ("3d", timedelta(days=3)),
    ("1h30m", timedelta(minutes=90)), ("45s", timedelta(seconds=45)), (" 2h ", 2 * H),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["", "1x", "h", "1.5h", "-1h", "30m1h", "1 h"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration like 90m, 4h, 3d"):
        parse_duration(text)


def test_parse_offset() -> None:
    assert parse_offset("+1h") == H
    assert parse_offset("-30m") == timedelta(minutes=-30)
    with pytest.raises(ValueError, match="offset"):
        parse_offset("1h")
