"""Messenger → Freshdesk → Messenger through the real pipeline and the real adapters: what
only Freshdesk does (``test_messenger_helpdesks.py`` has what both helpdesks do alike).

Each test plays Meta and a Freshdesk agent (through the emulator's agent actions), runs
the conversation in-process, and asserts on what the emulators hold and on Freshdesk's
request log, i.e. what Freshdesk would store and count against the rate limit. Customer
texts are read back through ``bridge.freshdesk.mapping.text_from_html``: the first
message is the ticket's description, later ones are incoming public notes by the contact.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from bridge import pipeline
from bridge.freshdesk.mapping import (
    followup_note_on_new,
    followup_note_on_old,
    followup_tag,
    marker_tag,
)
from emulators.freshdesk import FreshdeskEmulator
from tests.integration import scenarios
from tests.integration.freshdesk_world import (
    AGENT,
    API_AGENT,
    FD_KEY,
    TICKETS_PATH,
    FreshdeskWorld,
    notes,
    put,
    view,
)
from tests.integration.meta_world import PAGE
from tests.integration.scenarios import PSID, SCRIPTS

CREATE_TICKET = FreshdeskWorld.CREATE_TICKET
SEARCH = "GET /api/v2/search/tickets"
SCAN = "GET /api/v2/tickets"
MARKUP = "<b>not bold</b> &amp; a < b > c\nline two"  # HTML-escaped on the way in


# ---- the emulator's delay_after_commit fault ----------------------------------------------


def test_emulator_delay_after_commit_applies_the_write(
        freshdesk_server: FreshdeskEmulator) -> None:
    emu = freshdesk_server
    emu.reset()
    api = requests.Session()
    api.auth = (FD_KEY, "X")
    contact = api.post(f"{emu.base_url}/api/v2/contacts", timeout=5,
                       json={"name": "Ana", "unique_external_id": "x:1"}).json()
    fault = {"path": TICKETS_PATH, "method": "POST", "delay": 1.0, "delay_after_commit": True,
             "status": 503}  # the status is ignored: the request succeeds, late
    added = requests.post(f"{emu.base_url}/_emulator/faults", json=fault, timeout=5)
    assert added.status_code == 201 and added.json()["fault"]["delay_after_commit"] is True
    body = {"requester_id": contact["id"], "subject": "Help", "status": 2, "priority": 1,
            "description": "<div>written before the client gave up</div>"}
    began = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post(f"{emu.base_url}/api/v2/tickets", json=body, timeout=0.3)
    assert time.monotonic() - began < 1.0
    with emu.state.lock:  # committed (and logged) before the answer was held back
        (ticket,) = emu.state.tickets.values()
        assert emu.state.faults == []
    assert ticket["description"] == body["description"]
    assert [(r["method"], r["path"], r["status"]) for r in emu.requests_log()][-1] == (
        "POST", "/api/v2/tickets", 201)
    # once consumed, the next request is answered at once
    again = api.post(f"{emu.base_url}/api/v2/tickets", json=body, timeout=5)
    assert again.status_code == 201
    emu.reset()


# ---- customer → Freshdesk -----------------------------------------------------------------


def test_new_conversation_is_one_ticket_then_notes_in_order(fd_world: FreshdeskWorld) -> None:
    w = fd_world
    w.graph.state.set_profile(PSID, "Ana", "García")
    text = "My order has not arrived\nOrder #123, placed on Monday"
    conv, tid, ticket = scenarios.opens_a_ticket(w, text)
    (contact,) = w.requesters()
    assert contact["unique_external_id"] == f"messenger:{PAGE}:{PSID}"
    assert contact["name"] == "Ana García"
    assert ticket["requester_id"] == contact["id"]
    assert {"social", "messenger"} <= set(ticket["tags"])
    assert any(tag.startswith("bridge_") for tag in ticket["tags"])  # the marker
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (2, 1, 7)
    assert ticket["subject"] == "My order has not arrived"
    assert w.customer_texts(tid) == [text]
    assert w.conversations(tid) == []  # the first message is the description

    mark = w.writes_later(conv, PSID, "Any news?", "Hello??", after=60)
    assert w.calls(mark) == w.append_calls(tid) * 2
    assert w.customer_texts(tid) == [text, "Any news?", "Hello??"]
    for note in w.conversations(tid):
        assert (note["incoming"], note["private"], note["source"], note["user_id"]) == (
            True, False, 2, contact["id"])
    assert list(w.tickets()) == [tid] and len(w.requesters()) == 1


def test_scripts_and_emoji_arrive_byte_for_byte_in_order(fd_world: FreshdeskWorld) -> None:
    w = fd_world
    tid, _ = scenarios.texts_arrive_in_order(w, [*SCRIPTS.values(), MARKUP])
    assert "<b>" not in w.conversations(tid)[-1]["body"]  # escaped, not markup


def test_the_same_webhook_twice_and_the_task_run_twice_double_nothing(
        fd_world: FreshdeskWorld) -> None:
    w = fd_world
    body = w.payload(w.item(PSID, "one"), w.item(PSID, "two",
                                                 at=w.clock.now + timedelta(seconds=1)))
    (conv,) = w.deliver(body)
    assert w.deliver(body) == []  # Meta redelivers: nothing new is stored
    assert len(w.rows(conv)) == 2
    assert w.run(conv) is None
    tid = w.ticket_id(conv)
    mark = w.mark()
    assert w.run(conv) is None  # the task runs again (a redelivered Celery task)
    assert pipeline.run_conversation(conv) is None
    assert w.deliver(body) == []  # and the webhook comes a third time, late
    assert w.run(conv) is None
    assert w.calls(mark) == []
    assert w.customer_texts(tid) == ["one", "two"]
    assert len(w.tickets()) == 1 and len(w.requesters()) == 1
    assert [r.state for r in w.rows(conv)] == ["done", "done"]


def test_a_note_whose_answer_was_lost_is_found_not_written_twice(
        fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, tid = w.started(PSID, "hello")
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    # Freshdesk stores the note, then answers too late: the worker never learns it.
    w.append_fault(tid, delay=2.0, delay_after_commit=True)
    w.clock.advance(30)
    w.writes(PSID, "second", "third")
    delay = w.run(conv)
    assert delay is not None and delay > 0
    head, behind = w.rows(conv)[1:]
    assert head.state == "sending" and "timed out" in (head.last_error or "")
    assert behind.state == "pending"  # waits behind the head
    scenarios.wait_for(lambda: len(w.conversations(tid)) == 1)

    w.clock.advance(delay + 1)
    mark = w.mark()
    assert w.run(conv) is None
    assert w.calls(mark) == [f"GET /api/v2/tickets/{tid}/conversations", view(tid), notes(tid)]
    assert w.customer_texts(tid) == ["hello", "second", "third"]
    assert [r.state for r in w.rows(conv)] == ["done"] * 3


@pytest.mark.parametrize("status", ["Pending", "Resolved", "Waiting on Customer",
                                    "Waiting on Third Party"])
def test_pending_or_resolved_ticket_is_reopened(fd_sqlite_world: FreshdeskWorld,
                                                status: str) -> None:
    w = fd_sqlite_world
    conv, tid = w.started(PSID, "first")
    w.freshdesk.set_status(tid, status)
    assert w.tickets()[tid]["status"] != 2
    mark = scenarios.written_to_a_ticket_set_aside(w, conv, tid)
    assert w.calls(mark) == [view(tid), put(tid), notes(tid)]
    assert w.log(mark)[1]["json"] == {"status": 2}  # reopened before the note
    assert w.tickets()[tid]["status"] == 2


def test_closed_ticket_gets_a_followup_with_a_note_on_both(fd_world: FreshdeskWorld) -> None:
    w = fd_world
    conv, old, new, mark = scenarios.written_after_closed(w)
    assert w.calls(mark) == [view(old), CREATE_TICKET, notes(new), notes(old)]
    tickets = w.tickets()
    assert tickets[old]["status"] == 5
    assert tickets[new]["status"] == 2
    assert tickets[new]["requester_id"] == tickets[old]["requester_id"]
    assert {"social", "messenger", followup_tag(str(old))} <= set(tickets[new]["tags"])
    assert w.note_texts(new) == [followup_note_on_new(str(old))]
    assert w.note_texts(old) == [followup_note_on_old(str(new))]
    assert f"#{old}" in w.note_texts(new)[0] and f"#{new}" in w.note_texts(old)[0]

    scenarios.followup_goes_on(w, conv, new)
    assert w.customer_texts(old) == ["first"]
    assert len(w.requesters()) == 1


def test_followup_whose_create_answer_was_lost_is_linked_once(
        fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, old = w.started(PSID, "first")
    w.freshdesk.set_status(old, "Closed")
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.create_fault(delay=2.0, delay_after_commit=True)
    w.writes(PSID, "it broke again")
    delay = w.run(conv)
    assert delay is not None
    scenarios.wait_for(lambda: len(w.tickets()) == 2)
    (new,) = set(w.tickets()) - {old}
    assert w.note_texts(new) == w.note_texts(old) == []  # the crash came before the notes

    w.clock.advance(delay + 1)
    assert w.run(conv) is None  # found by its marker, then linked
    assert w.ticket_id(conv) == new
    assert w.calls().count(CREATE_TICKET) == 2  # the first ticket and the follow-up
    assert w.note_texts(new) == [followup_note_on_new(str(old))]
    assert w.note_texts(old) == [followup_note_on_old(str(new))]
    assert w.customer_texts(new) == ["it broke again"]


def test_followup_whose_second_link_note_failed_is_completed_once(
        fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, old = w.started(PSID, "first")
    w.freshdesk.set_status(old, "Closed")
    w.freshdesk.add_fault(rf"^/api/v2/tickets/{old}/notes$", method="POST", status=500)
    w.writes(PSID, "it broke again")
    assert w.run_until_idle(conv) == 1
    (new,) = set(w.tickets()) - {old}
    assert w.ticket_id(conv) == new and len(w.tickets()) == 2
    assert w.note_texts(new) == [followup_note_on_new(str(old))]  # not written twice
    assert w.note_texts(old) == [followup_note_on_old(str(new))]
    assert w.customer_texts(new) == ["it broke again"]
    assert w.customer_texts(old) == ["first"]


def test_ticket_deleted_for_good_gets_one_followup(fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, old = w.started(PSID, "first")
    with w.freshdesk.state.lock:  # an admin deletes the ticket for good: 404 from now on
        del w.freshdesk.state.tickets[old]
        del w.freshdesk.state.conversations[old]
    w.writes(PSID, "it broke again")
    w.run_until_idle(conv)
    w.clock.advance(60)
    w.writes(PSID, "hello?")
    w.run_until_idle(conv)
    assert [r.state for r in w.rows(conv)] == ["done"] * 3
    assert len(w.tickets()) == 1, f"follow-ups opened: {sorted(w.tickets())}"
    (new,) = w.tickets()
    assert w.ticket_id(conv) == new
    assert w.customer_texts(new) == ["it broke again", "hello?"]


# ---- agent → customer ----------------------------------------------------------------------


def test_agent_reply_is_sent_once_however_many_webhooks(fd_world: FreshdeskWorld) -> None:
    w = fd_world
    conv, tid = w.started(PSID, "hi")
    w.clock.advance(600)
    w.freshdesk.agent_reply(tid, "<p>Hello from support — ¿en qué podemos ayudar? 🙂"
                                 "<br>We are on it.</p>")
    mark = w.mark()
    assert w.agent_webhook(tid) == conv
    assert w.agent_webhook(tid) == conv  # the rule fired twice (reply, status...)
    assert w.run(conv) is None
    assert all(call.startswith("GET ") for call in w.calls(mark))  # reading only
    text = "Hello from support — ¿en qué podemos ayudar? 🙂\nWe are on it."
    scenarios.sent_once_as_a_response(w, conv, tid, text)
    w.freshdesk.agent_reply(tid, "<div>It ships today.</div>")
    assert w.reply_round(conv, tid) is None
    assert w.reply_round(conv, tid) is None
    assert [s["text"] for s in w.sent()] == [text, "It ships today."]


def test_notes_and_the_bridges_own_writes_are_never_sent(
        fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, tid = w.started(PSID, "hi")
    w.clock.advance(10)
    w.writes(PSID, "a customer's note")  # an incoming note: never a reply
    assert w.run(conv) is None
    w.freshdesk.private_note(tid, "<p>Internal: VIP customer, refund approved</p>")
    w.freshdesk.public_note(tid, "<p>A public note is not a reply either</p>")
    w.helpdesk().add_internal_note(str(tid), "Bridge note: written by the bridge")
    w.freshdesk.agent_reply(tid, "<p>a reply by the bridge's own agent</p>", user_id=API_AGENT)
    assert w.reply_round(conv, tid) is None
    assert w.sent() == []

    w.freshdesk.agent_reply(tid, "<p>Your refund is on its way</p>", user_id=AGENT)
    assert w.reply_round(conv, tid) is None
    assert [s["text"] for s in w.sent()] == ["Your refund is on its way"]


# ---- Freshdesk failures ---------------------------------------------------------------------


def test_nearly_spent_budget_pauses_before_freshdesk_answers_429(
        fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    w.freshdesk.set_rate_limit(8)  # the pacer pauses at 3 calls left (its minimum)
    texts = [f"message {i}" for i in range(6)]
    conv = w.writes(PSID, *texts)
    delay = w.run(conv)
    assert delay is not None and 1 <= delay <= 61  # paused, not refused
    assert 429 not in [r["status"] for r in w.log()]
    done = [r.state for r in w.rows(conv)].count("done")
    assert 0 < done < len(texts)
    for _ in range(10):  # every minute the budget comes back
        w.clock.advance(delay + 1)
        w.freshdesk.state.reset_rate_window()
        delay = w.run(conv)
        if delay is None:
            break
    assert delay is None
    assert 429 not in [r["status"] for r in w.log()]
    assert w.customer_texts(w.ticket_id(conv)) == texts


def test_server_error_on_a_note_keeps_the_order(fd_sqlite_world: FreshdeskWorld) -> None:
    w = fd_sqlite_world
    conv, tid = w.started(PSID, "one")
    w.append_fault(tid, status=503)
    w.clock.advance(5)
    w.writes(PSID, "two", "three")
    assert w.run_until_idle(conv) == 1
    assert [r["status"] for r in w.log() if r["path"].endswith("/notes")] == [503, 201, 201]
    assert w.customer_texts(tid) == ["one", "two", "three"]


@pytest.mark.parametrize("search_lag", [0.0, 3600.0], ids=["search", "scan"])
def test_timeout_on_ticket_creation_is_found_by_its_marker(fd_sqlite_world: FreshdeskWorld,
                                                           search_lag: float) -> None:
    w = fd_sqlite_world
    w.freshdesk.set_search_lag(search_lag)  # minutes in Freshdesk: the scan must find it
    conv, row, delay = scenarios.create_answer_lost(w, "hello")  # created; the answer is lost
    mark, tid, ticket = scenarios.recovered(w, conv, delay)
    tag = marker_tag(f"social-bridge-{conv}-{row.id}")
    assert tag in ticket["tags"]
    (search,) = [r for r in w.log(mark) if f"{r['method']} {r['path']}" == SEARCH]
    assert tag in search["query"]["query"]
    assert w.calls(mark) == ([SEARCH] if search_lag == 0 else [SEARCH, SCAN])

    w.writes_later(conv, PSID, "still there?", after=60)
    assert w.customer_texts(tid) == ["hello", "still there?"]
    assert len(w.tickets()) == 1
