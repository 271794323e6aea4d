"""After the first reply: check-ins and CSAT after solved, pending reminders and auto-solve,
status mirroring, window keep-alive (fakes, a fake clock, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bridge import db, ingest
from bridge.automation import csat
from bridge.sla.durations import parse_duration
from tests.test_automation import (
    DAY,
    HOUR,
    MIN,
    Configure,
    agent_sets,
    automated,
    configure,
    jobs,
    say,
    sweep,
    ticket_of,
)
from tests.test_pipeline import T0, World, run_all, world

__all__ = ["configure", "world"]
CHECKIN = ("Hi again! Is everything all right since we solved ticket {t}? Just reply here "
           "if you need anything else.")


def customer_writes(w: World, conv_id: int) -> None:
    say(w[2], "one more thing")


def agent_reopens(w: World, conv_id: int) -> None:
    agent_sets(w[0], conv_id, "open")


def agent_replies(w: World, conv_id: int) -> None:
    hd, _, clock = w
    hd.reply(ticket_of(conv_id), "On it!", clock.now)
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", f"evt-reply-{clock.now}", ticket_of(conv_id))
    run_all(conv_id)


def nothing(w: World, conv_id: int) -> None:
    return None


Event = Callable[[World, int], None]


# ---- check-in after solved -------------------------------------------------------------

# (after how long the check-in is due, what happens in between, sent / final job state)
CHECKINS: list[tuple[str, Event, bool, str]] = [
    ("20h", nothing, True, "done"),
    ("20h", customer_writes, False, "cancelled"),
    ("20h", agent_reopens, False, "cancelled"),
    ("3d", nothing, False, "skipped"),  # 3 days after the customer's message: window closed
]


@pytest.mark.parametrize(("after", "event", "sent", "state"), CHECKINS)
def test_checkin_after_solved(world: World, configure: Configure, after: str, event: Event,
                              sent: bool, state: str) -> None:
    hd, ch, clock = world
    configure(f'[automation.checkin]\nafter = "{after}"\n')
    conv_id = say(clock, "my parcel is lost")
    agent_sets(hd, conv_id, "solved")
    clock.advance(HOUR)
    event(world, conv_id)
    clock.now = T0 + parse_duration(after)
    assert sweep() == ([] if state == "cancelled" else [conv_id])
    tid = ticket_of(conv_id)
    assert automated(ch) == ([CHECKIN.format(t=tid)] if sent else [])
    assert jobs(conv_id) == [("checkin", state)]
    if sent:
        assert hd.notes(tid) == [f"Automatic message sent to the customer: {automated(ch)[0]}"]


# ---- CSAT ------------------------------------------------------------------------------

CSAT = '[automation.csat]\nfield = "360000000001"\n'


@pytest.mark.parametrize(("taps", "tags", "value"), [
    (["good"], {"csat_good"}, "good"),
    (["bad"], {"csat_bad"}, "bad"),
    (["good", "bad"], {"csat_bad"}, "bad"),  # the latest tap wins
])
def test_csat_answer_is_a_tag_and_a_field_not_a_comment(
        world: World, configure: Configure, taps: list[str], tags: set[str],
        value: str) -> None:
    hd, ch, clock = world
    configure(CSAT)
    conv_id = say(clock, "my parcel is lost")
    agent_sets(hd, conv_id, "solved")
    tid = ticket_of(conv_id)
    (question,) = [m for m in ch.sent if not m.human]
    assert question.text == f"How did we do with ticket {tid}?"
    buttons = dict(question.quick_replies)
    assert buttons == {"👍 Good": f"bridge:csat:{tid}:good", "👎 Bad": f"bridge:csat:{tid}:bad"}
    for answer in taps:
        clock.advance(MIN)
        title = next(t for t, p in buttons.items() if p.endswith(answer))
        say(clock, title, quick_reply=buttons[title])
    ticket = hd.tickets[tid]
    assert set(ticket.tags) & {"csat_good", "csat_bad"} == tags
    assert ticket.custom_fields == {"360000000001": value}
    assert hd.public_bodies(tid) == ["my parcel is lost"]  # the answer is not a comment
    assert ticket.status == "solved" and len(hd.tickets) == 1
    assert hd.notes(tid)[-1].startswith(f"Customer satisfaction answer: {value}")


def test_a_csat_payload_for_a_ticket_never_asked_is_a_message(
        world: World, configure: Configure) -> None:
    hd, _, clock = world
    configure(CSAT)
    conv_id = say(clock, "hi")
    say(clock, "👍 Good", quick_reply=csat.PREFIX + "999:good")
    assert hd.public_bodies(ticket_of(conv_id)) == ["hi", "👍 Good"]


# ---- pending reminders and auto-solve --------------------------------------------------

PENDING = """
[automation.pending_reminder]
after = "2h"
[automation.auto_solve]
after = "20h"
[automation.on_solved]
[automation.csat]
[automation.checkin]
after = "1h"
"""


def test_pending_reminder_then_auto_solve_with_no_echo(world: World,
                                                       configure: Configure) -> None:
    hd, ch, clock = world
    configure(PENDING)
    conv_id = say(clock, "my parcel is lost")
    tid = ticket_of(conv_id)
    clock.advance(10 * MIN)
    agent_sets(hd, conv_id, "pending")
    clock.advance(2 * HOUR)
    assert sweep() == [conv_id]
    assert automated(ch) == [f"We are still waiting for your answer about ticket {tid}. "
                             "Just reply here when you can."]
    clock.advance(18 * HOUR)
    assert sweep() == [conv_id]
    assert hd.tickets[tid].status == "solved" and hd.tickets[tid].status_set_by_api == ["solved"]
    assert automated(ch)[1].startswith(f"We have not heard from you, so we are closing "
                                       f"ticket {tid}")
    # Zendesk's webhook about the bridge's own change: read, recognised, never mirrored.
    agent_sets(hd, conv_id, "solved")
    clock.advance(2 * HOUR)
    sweep()
    assert len(automated(ch)) == 2
    assert [k for k, state in jobs(conv_id) if state == "done"] == ["pending_reminder",
                                                                    "auto_solve"]
    assert any(n.startswith("Solved automatically") for n in hd.notes(tid))
    # A later solve by an agent is an agent's: mirrored as usual.
    agent_sets(hd, conv_id, "open")
    agent_sets(hd, conv_id, "solved")
    assert automated(ch)[2].startswith(f"Ticket {tid} is solved.")


@pytest.mark.parametrize("event", [customer_writes, agent_reopens])
def test_pending_jobs_stop_when_the_customer_writes_or_the_status_moves(
        world: World, configure: Configure, event: Event) -> None:
    hd, ch, clock = world
    configure(PENDING)
    conv_id = say(clock, "my parcel is lost")
    agent_sets(hd, conv_id, "pending")
    clock.advance(HOUR)
    event(world, conv_id)
    clock.advance(DAY)
    sweep()
    assert automated(ch) == [] and hd.calls.count("set_status") == 0
    assert jobs(conv_id) == [("pending_reminder", "cancelled"), ("auto_solve", "cancelled")]


# ---- status mirroring ------------------------------------------------------------------

MIRROR = """
[automation.on_solved]
text.en = "All done on ticket {ticket}."
[automation.on_reopened]
"""


@pytest.mark.parametrize(("toml", "expected"), [
    (MIRROR, ["All done on ticket {t}.",
              "We have reopened ticket {t} and are looking into it again."]),
    ("", []),  # the default: no message
])
def test_agent_solve_and_reopen_reach_the_customer(
        world: World, configure: Configure, toml: str, expected: list[str]) -> None:
    hd, ch, clock = world
    configure(toml)
    conv_id = say(clock, "hi")
    clock.advance(MIN)
    agent_sets(hd, conv_id, "solved")
    agent_sets(hd, conv_id, "solved")  # another webhook, same status: nothing new
    clock.advance(MIN)
    agent_sets(hd, conv_id, "open")
    tid = ticket_of(conv_id)
    assert automated(ch) == [e.format(t=tid) for e in expected]
    assert all(not m.human for m in ch.sent)


# ---- window keep-alive -----------------------------------------------------------------

# (what happens one hour in, whether a keep-alive goes out 23 h after the last message)
KEEPALIVES: list[tuple[Event, bool, list[tuple[str, str]]]] = [
    (nothing, True, [("keepalive", "done")]),
    (agent_replies, False, [("keepalive", "cancelled")]),
    (customer_writes, True, [("keepalive", "cancelled"), ("keepalive", "done")]),
]


@pytest.mark.parametrize(("event", "sent", "states"), KEEPALIVES)
def test_window_keepalive(world: World, configure: Configure, event: Event, sent: bool,
                          states: list[tuple[str, str]]) -> None:
    _, ch, clock = world
    configure('[automation.keepalive]\nbefore = "1h"\n')
    conv_id = say(clock, "hi")
    clock.advance(HOUR)
    event(world, conv_id)
    clock.now = T0 + timedelta(hours=23)
    sweep()
    if event is customer_writes:  # the window moved: the new keep-alive is due an hour later
        assert automated(ch) == []
        clock.advance(HOUR)
        sweep()
    assert len(automated(ch)) == int(sent)
    assert jobs(conv_id) == states
