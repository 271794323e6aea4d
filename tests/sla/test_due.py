"""What comes due for a conversation: each ladder step once per clock, window warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.sla.calendar import Calendar24x7
from bridge.sla.clocks import (
    SlaState,
    new_state,
    on_agent_reply_delivered,
    on_customer_message,
    on_status,
)
from bridge.sla.defaults import DEFAULT_POLICY
from bridge.sla.due import DueStep, due_steps, mark_done, next_due, note_for, scheduled

H = timedelta(hours=1)
T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def opened(channel_first_message: datetime = T0) -> SlaState:
    return on_customer_message(new_state(DEFAULT_POLICY, Calendar24x7()), channel_first_message)


def sweep(state: SlaState, channel: str, times: list[datetime]) -> tuple[SlaState, list[str]]:
    """Run a beat job at each instant: act on what is due, mark it done."""
    log: list[str] = []
    for now in times:
        for due in due_steps(state, DEFAULT_POLICY, channel, now):
            log.append(f"{due.clock}:{due.step.name}@{int((now - T0).total_seconds() // 60)}")
            state = mark_done(state, due)
    return state, log


def test_each_step_once_with_a_sweep_every_minute() -> None:
    state, log = sweep(opened(), "telegram", [m(i) for i in range(0, 200)])
    assert log == ["first_reply:50%@30", "first_reply:80%@48", "first_reply:100%@60",
                   "first_reply:+1h@120"]
    assert next_due(state, DEFAULT_POLICY, "telegram") == T0 + timedelta(days=1.5)


def test_after_a_long_downtime_everything_due_comes_at_once_in_order() -> None:
    state, log = sweep(opened(), "telegram", [m(0), T0 + timedelta(days=5)])
    at = 5 * 24 * 60
    assert log == [f"first_reply:{n}@{at}" for n in ("50%", "80%", "100%")] + [
        f"first_reply:+1h@{at}", *(f"resolution:{n}@{at}" for n in ("50%", "80%", "100%")),
        f"resolution:+1h@{at}"]
    assert next_due(state, DEFAULT_POLICY, "telegram") is None
    _, again = sweep(state, "telegram", [T0 + timedelta(days=6)])
    assert again == []


def test_next_reply_gets_its_own_ladder() -> None:
    state, _ = sweep(opened(), "telegram", [m(30)])
    state = on_customer_message(on_agent_reply_delivered(state, m(40)), m(100))
    assert next_due(state, DEFAULT_POLICY, "telegram") == m(100 + 120)  # 50% of 4 h
    _, log = sweep(state, "telegram", [m(220)])
    assert log == ["next_reply:50%@220"]


def test_paused_and_stopped_clocks_have_nothing_due() -> None:
    state = on_status(opened(), "pending", m(10))
    assert due_steps(state, DEFAULT_POLICY, "telegram", m(10_000)) == []
    assert next_due(state, DEFAULT_POLICY, "telegram") is None
    state = on_status(state, "open", m(70))  # an hour lost: everything an hour later
    assert next_due(state, DEFAULT_POLICY, "telegram") == m(90)
    state = on_status(state, "solved", m(80))
    assert next_due(state, DEFAULT_POLICY, "telegram") is None


def test_window_warning_two_hours_before_the_messenger_window_closes() -> None:
    state = opened()
    with_window = [d.clock for d in due_steps(state, DEFAULT_POLICY, "messenger", m(22 * 60))]
    assert "window" in with_window
    state, log = sweep(state, "messenger", [m(60 * 21), m(60 * 22), m(60 * 23)])
    assert [e for e in log if e.startswith("window")] == ["window:window@1320"]
    state = on_customer_message(state, m(60 * 23))  # a new message: a new window
    assert state.window_warned is False
    assert next_due(state, DEFAULT_POLICY, "messenger") == m(60 * 36)  # resolution 50%
    pending = scheduled(state, DEFAULT_POLICY, "messenger")
    assert [(d.clock, d.at) for d in pending][:2] == [("resolution", m(60 * 36)),
                                                       ("window", m(60 * 45))]
    no_window = [d.clock for d in due_steps(state, DEFAULT_POLICY, "telegram", m(10_000))]
    assert "window" not in no_window


def test_no_window_warning_once_the_customer_has_a_reply() -> None:
    waiting = opened()
    assert "window" in [d.clock for d in due_steps(waiting, DEFAULT_POLICY, "whatsapp", m(1380))]
    answered = on_agent_reply_delivered(waiting, m(5))
    assert due_steps(answered, DEFAULT_POLICY, "whatsapp", m(1380)) == []
    assert on_status(waiting, "pending", m(5)).awaiting_reply is False


def test_next_due_is_the_earliest_of_steps_and_window() -> None:
    state, _ = sweep(opened(), "instagram", [m(60 * 2)])  # reply ladder done
    assert next_due(state, DEFAULT_POLICY, "instagram") == m(60 * 22)
    assert next_due(state, DEFAULT_POLICY, "x") == T0 + timedelta(days=1.5)


def test_note_for_a_due_step() -> None:
    state = opened()
    due = next(d for d in due_steps(state, DEFAULT_POLICY, "x", m(61)) if d.step.name == "100%")
    assert isinstance(due, DueStep)
    assert note_for(due, "1234", m(61), state) == (
        "SLA breached on ticket 1234: first reply 1h was due 2025-03-03 11:00 UTC.")
    later = next(d for d in due_steps(state, DEFAULT_POLICY, "x", m(125)) if d.step.name == "+1h")
    assert note_for(later, "1234", m(125), state) == (
        "Ticket 1234 is still past its SLA: first reply 1h was due 2025-03-03 11:00 UTC "
        "(time left: -1h5m).")
    fifty = next(d for d in due_steps(state, DEFAULT_POLICY, "x", m(30)))
    assert note_for(fifty, "1234", m(30), state) is None
