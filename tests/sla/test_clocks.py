"""The clock state machine of one conversation, and its JSON form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bridge.errors import ConfigError
from bridge.sla.calendar import BusinessCalendar, Calendar, Calendar24x7
from bridge.sla.clocks import (
    SlaState,
    breached,
    consumed,
    deadline,
    new_state,
    on_agent_reply_delivered,
    on_customer_message,
    on_status,
    remaining,
)
from bridge.sla.policy import SlaPolicy, Targets
from bridge.sla.state_json import from_json, to_json

H = timedelta(hours=1)
MIN = timedelta(minutes=1)
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # a Monday
ALWAYS = Calendar24x7()
POLICY = SlaPolicy("default", targets=Targets(H, 4 * H, timedelta(days=3)))
PARIS = BusinessCalendar("Europe/Paris", {d: [(time(9), time(17))] for d in range(5)},
                         country="FR", name="paris")
CALENDARS: dict[str, Calendar] = {"24x7": ALWAYS, "paris": PARIS}


def fresh(policy: SlaPolicy = POLICY, calendar: Calendar = ALWAYS) -> SlaState:
    return new_state(policy, calendar)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_first_message_starts_first_reply_and_resolution() -> None:
    s = on_customer_message(fresh(), T0)
    assert s.reply is not None and s.reply.kind == "first_reply"
    assert s.resolution is not None and s.resolution.kind == "resolution"
    assert deadline(s.reply) == T0 + H
    assert deadline(s.resolution) == T0 + timedelta(days=3)
    assert s.awaiting_reply


def test_more_messages_keep_the_running_clock() -> None:
    s = on_customer_message(on_customer_message(fresh(), T0), m(10))
    assert s.reply is not None and s.reply.started_at == T0
    assert s.last_customer_at == m(10)


def test_delivered_reply_stops_the_reply_clock_only() -> None:
    s = on_agent_reply_delivered(on_customer_message(fresh(), T0), m(30))
    assert s.reply is not None and s.reply.stopped_at == m(30)
    assert deadline(s.reply) is None
    assert remaining(s.reply, m(500)) == 30 * MIN  # frozen at the stop
    assert not breached(s.reply, m(500))
    assert s.resolution is not None and s.resolution.running
    assert not s.awaiting_reply


def test_next_reply_restarts_on_the_next_customer_message() -> None:
    s = on_agent_reply_delivered(on_customer_message(fresh(), T0), m(30))
    s = on_customer_message(s, m(120))
    assert s.reply is not None and s.reply.kind == "next_reply"
    assert s.reply.started_at == m(120) and s.reply.done == ()
    assert deadline(s.reply) == m(120) + 4 * H
    s = on_agent_reply_delivered(s, m(200))
    s = on_customer_message(s, m(300))
    assert s.reply is not None and s.reply.kind == "next_reply" and s.reply.started_at == m(300)


def test_a_late_event_for_an_answered_message_starts_nothing() -> None:
    s = on_agent_reply_delivered(on_customer_message(fresh(), T0), m(30))
    s = on_customer_message(s, m(20))
    assert s.reply is not None and s.reply.stopped_at == m(30)


@pytest.mark.parametrize("minutes,is_breached,left", [
    (0, False, 60), (59, False, 1), (60, True, 0), (61, True, -1), (600, True, -540),
])
def test_breach_detection(minutes: int, is_breached: bool, left: int) -> None:
    s = on_customer_message(fresh(), T0)
    assert s.reply is not None
    assert breached(s.reply, m(minutes)) is is_breached
    assert remaining(s.reply, m(minutes)) == left * MIN


def test_a_late_reply_stays_breached() -> None:
    s = on_agent_reply_delivered(on_customer_message(fresh(), T0), m(90))
    assert s.reply is not None and breached(s.reply, m(1000))
    assert consumed(s.reply, m(1000)) == 90 * MIN


def test_pending_pauses_and_open_resumes() -> None:
    s = on_agent_reply_delivered(on_customer_message(fresh(), T0), m(30))
    s = on_customer_message(s, m(120))  # next reply, 4 h
    s = on_status(s, "pending", m(180))
    assert s.reply is not None and s.reply.paused_since == m(180)
    assert deadline(s.reply) is None and consumed(s.reply, m(1000)) == H
    assert on_status(s, "pending", m(200)) == s  # repeats change nothing
    s = on_status(s, "open", m(300))
    assert s.reply is not None and s.reply.paused_total == 2 * H
    assert deadline(s.reply) == m(120) + 6 * H
    assert s.resolution is not None and deadline(s.resolution) == T0 + timedelta(days=3, hours=2)


def test_hold_pauses_and_custom_pause_statuses() -> None:
    s = on_status(on_customer_message(fresh(), T0), "hold", m(10))
    assert s.reply is not None and not s.reply.running
    only_hold = SlaPolicy("x", targets=POLICY.targets, pause_statuses=("hold",))
    s = on_status(on_customer_message(fresh(only_hold), T0), "pending", m(10))
    assert s.reply is not None and s.reply.running


def test_a_message_while_on_hold_starts_a_paused_clock() -> None:
    s = on_customer_message(on_status(fresh(), "hold", T0), m(5))
    assert s.reply is not None and s.reply.paused_since == m(5)
    s = on_status(s, "open", m(65))
    assert s.reply is not None and deadline(s.reply) == m(65) + H


def test_solved_stops_both_and_reopen_resumes_resolution() -> None:
    s = on_customer_message(fresh(), T0)
    s = on_status(s, "solved", m(60))
    assert s.reply is not None and s.reply.stopped_at == m(60)
    assert s.resolution is not None and s.resolution.stopped_at == m(60)
    s = on_status(s, "open", m(180))
    assert s.resolution is not None and s.resolution.running
    assert s.resolution.paused_total == 2 * H  # the solved time does not count
    assert s.reply is not None and s.reply.stopped_at == m(60)  # no reply is owed
    s = on_status(s, "closed", m(240))
    assert s.resolution is not None and consumed(s.resolution, m(9999)) == 2 * H


def test_targets_left_out_are_not_kept() -> None:
    policy = SlaPolicy("reply-only", targets=Targets(first_reply=H))
    s = on_agent_reply_delivered(on_customer_message(fresh(policy), T0), m(10))
    s = on_customer_message(s, m(20))
    assert s.reply is None and s.resolution is None


def test_business_hours_clock() -> None:
    """Saturday's message is due Monday 10:00; a day pending costs no business time twice."""
    tz = ZoneInfo("Europe/Paris")
    policy = SlaPolicy("biz", targets=Targets(H, 4 * H, 16 * H), calendar="paris")
    s = on_customer_message(fresh(policy, PARIS), datetime(2025, 3, 8, 12, tzinfo=tz))
    assert s.reply is not None and deadline(s.reply) == datetime(2025, 3, 10, 10, tzinfo=tz)
    assert s.resolution is not None
    assert deadline(s.resolution) == datetime(2025, 3, 11, 17, tzinfo=tz)
    s = on_status(s, "pending", datetime(2025, 3, 10, 9, 30, tzinfo=tz))
    s = on_status(s, "open", datetime(2025, 3, 11, 9, 30, tzinfo=tz))
    assert s.resolution is not None and s.resolution.paused_total == 8 * H
    assert deadline(s.resolution) == datetime(2025, 3, 12, 17, tzinfo=tz)
    assert remaining(s.resolution, datetime(2025, 3, 11, 12, tzinfo=tz)) == 13 * H


def test_json_round_trip() -> None:
    tz = ZoneInfo("Europe/Paris")
    s = on_customer_message(fresh(POLICY, PARIS), datetime(2025, 3, 3, 9, 5, 7, 123456, tz))
    s = on_agent_reply_delivered(s, datetime(2025, 3, 3, 9, 30, tzinfo=tz))
    s = on_customer_message(s, datetime(2025, 3, 3, 11, tzinfo=tz))
    s = on_status(s, "hold", datetime(2025, 3, 3, 12, 15, tzinfo=tz))
    assert s.resolution is not None
    s = replace(s, resolution=replace(s.resolution, done=("50%",)), window_warned=True)
    raw = to_json(s)
    assert from_json(raw, CALENDARS) == s
    assert len(raw) < 700, raw
    fresh_state = fresh()
    assert from_json(to_json(fresh_state), CALENDARS) == fresh_state


def test_json_with_a_calendar_no_longer_configured() -> None:
    raw = to_json(on_customer_message(fresh(POLICY, PARIS), T0))
    with pytest.raises(ConfigError, match="'paris'"):
        from_json(raw, {"24x7": ALWAYS})
    with pytest.raises(ValueError, match="format"):
        from_json('{"v": 99}', CALENDARS)
