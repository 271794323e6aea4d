"""Messenger → Freshdesk → Messenger through the real pipeline and the real adapters.

The guarantees of ``test_messenger_zendesk.py`` (idempotency, ordering, the failed state
and replay), proved the same way with ``BRIDGE_HELPDESK=freshdesk``: each test plays Meta
and a Freshdesk agent (through the emulator's agent actions), runs the conversation
in-process, and asserts on what the emulators hold and on Freshdesk's request log, i.e.
what Freshdesk would store and count against the rate limit. Customer texts are read
back through ``bridge.freshdesk.mapping.text_from_html``: the first message is the
ticket's description, later ones are incoming public notes by the contact.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import requests

from bridge import db, failed, pipeline
from bridge.freshdesk.mapping import (
    followup_note_on_new,
    followup_note_on_old,
    followup_tag,
    marker_tag,
)
from emulators.freshdesk import FreshdeskEmulator
from emulators.graph import GraphEmulator
from tests.integration.conftest import PAGE, T0
from tests.integration.freshdesk_world import (
    AGENT,
    API_AGENT,
    FD_KEY,
    FreshdeskWorld,
    freshdesk_world,
)

PSID = "6543210987654321"
CREATE_CONTACT = "POST /api/v2/contacts"
CREATE_TICKET = "POST /api/v2/tickets"
SEARCH = "GET /api/v2/search/tickets"
SCAN = "GET /api/v2/tickets"
TICKETS_PATH = r"^/api/v2/tickets$"
DAY = 86400.0
SCRIPTS = {
    "arabic": "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣",
    "armenian": "Բարև, իմ պատվերը դեռ չի հասել",
    "thai": "สวัสดีครับ คำสั่งซื้อของฉันยังไม่มาถึง",
    "persian": "سلام، سفارش من هنوز نرسیده است\u200c لطفاً",
    "hebrew": "שלום, ההזמנה שלי עדיין לא הגיעה",
    "emoji": "👨\u200d👩\u200d👧 🇦🇲 👍🏽 ❤️ e\u0301  \n\n  spaced\ttext  ",
    "markup": "<b>not bold</b> &amp; a < b > c\nline two",  # HTML-escaped on the way in
}


@pytest.fixture(scope="module")
def freshdesk_server() -> Iterator[FreshdeskEmulator]:
    emu = FreshdeskEmulator(api_key=FD_KEY)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, freshdesk_server: FreshdeskEmulator,
          graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    """The core cases: on SQLite and on PostgreSQL."""
    yield from freshdesk_world(env, database_url, freshdesk_server, graph_server)


@pytest.fixture
def sqlite_world(env: pytest.MonkeyPatch, sqlite_url: str, freshdesk_server: FreshdeskEmulator,
                 graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    yield from freshdesk_world(env, sqlite_url, freshdesk_server, graph_server)


def view(ticket_id: int) -> str:
    return f"GET /api/v2/tickets/{ticket_id}"


def put(ticket_id: int) -> str:
    return f"PUT /api/v2/tickets/{ticket_id}"


def notes(ticket_id: int) -> str:
    return f"POST /api/v2/tickets/{ticket_id}/notes"


def started(w: FreshdeskWorld, *texts: str, psid: str = PSID) -> tuple[int, int]:
    """A conversation whose ticket exists: (conversation id, ticket id)."""
    conv = w.writes(psid, *texts)
    assert w.run(conv) is None
    return conv, w.ticket_id(conv)


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.02)


def reply_round(w: FreshdeskWorld, conv: int, ticket_id: int) -> None:
    """The automation rule's webhook about the ticket, then the worker."""
    assert w.agent_webhook(ticket_id) == conv
    assert w.run(conv) is None


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


def test_new_conversation_is_one_ticket_then_notes_in_order(world: FreshdeskWorld) -> None:
    w = world
    w.graph.state.set_profile(PSID, "Ana", "García")
    text = "My order has not arrived\nOrder #123, placed on Monday"
    conv = w.writes(PSID, text)
    assert w.run(conv) is None

    assert w.calls() == [CREATE_CONTACT, CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    (contact,) = w.contacts()
    assert contact["unique_external_id"] == f"messenger:{PAGE}:{PSID}"
    assert contact["name"] == "Ana García"
    assert ticket["requester_id"] == contact["id"]
    assert {"social", "messenger"} <= set(ticket["tags"])
    assert any(tag.startswith("bridge_") for tag in ticket["tags"])  # the marker
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (2, 1, 7)
    assert ticket["subject"] == "My order has not arrived"
    assert w.customer_texts(tid) == [text]
    assert w.conversations(tid) == []  # the first message is the description

    w.clock.advance(60)
    mark = w.mark()
    w.writes(PSID, "Any news?", "Hello??")
    assert w.run(conv) is None
    assert w.calls(mark) == [view(tid), notes(tid)] * 2  # open: no status change
    assert w.customer_texts(tid) == [text, "Any news?", "Hello??"]
    for note in w.conversations(tid):
        assert (note["incoming"], note["private"], note["source"], note["user_id"]) == (
            True, False, 2, contact["id"])
    assert list(w.tickets()) == [tid] and len(w.contacts()) == 1


def test_scripts_and_emoji_arrive_byte_for_byte_in_order(world: FreshdeskWorld) -> None:
    w = world
    texts = list(SCRIPTS.values())
    conv = w.writes(PSID, *texts[:3])  # one webhook carrying three messages
    for i, text in enumerate(texts[3:]):  # then one webhook each
        w.clock.advance(10 + i)
        assert w.writes(PSID, text) == conv
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    got = w.customer_texts(tid)
    assert got == texts
    assert [t.encode() for t in got] == [t.encode() for t in texts]
    assert ticket["subject"] == texts[0]
    assert "<b>" not in w.conversations(tid)[-1]["body"]  # escaped, not markup
    assert w.calls() == [CREATE_CONTACT, CREATE_TICKET] + [view(tid), notes(tid)] * (
        len(texts) - 1)


def test_the_same_webhook_twice_and_the_task_run_twice_double_nothing(
        world: FreshdeskWorld) -> None:
    w = world
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
    assert len(w.tickets()) == 1 and len(w.contacts()) == 1
    assert [r.state for r in w.rows(conv)] == ["done", "done"]


def test_a_note_whose_answer_was_lost_is_found_not_written_twice(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "hello")
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    # Freshdesk stores the note, then answers too late: the worker never learns it.
    w.freshdesk.add_fault(rf"^/api/v2/tickets/{tid}/notes$", method="POST", delay=2.0,
                          delay_after_commit=True)
    w.clock.advance(30)
    w.writes(PSID, "second", "third")
    delay = w.run(conv)
    assert delay is not None and delay > 0
    head, behind = w.rows(conv)[1:]
    assert head.state == "sending" and "timed out" in (head.last_error or "")
    assert behind.state == "pending"  # waits behind the head
    wait_for(lambda: len(w.conversations(tid)) == 1)

    w.clock.advance(delay + 1)
    mark = w.mark()
    assert w.run(conv) is None
    assert w.calls(mark) == [f"GET /api/v2/tickets/{tid}/conversations", view(tid), notes(tid)]
    assert w.customer_texts(tid) == ["hello", "second", "third"]
    assert [r.state for r in w.rows(conv)] == ["done"] * 3


@pytest.mark.parametrize("status", ["Pending", "Resolved", "Waiting on Customer",
                                    "Waiting on Third Party"])
def test_pending_or_resolved_ticket_is_reopened(sqlite_world: FreshdeskWorld,
                                                status: str) -> None:
    w = sqlite_world
    conv, tid = started(w, "first")
    w.freshdesk.set_status(tid, status)
    assert w.tickets()[tid]["status"] != 2
    w.clock.advance(3600)
    mark = w.mark()
    w.writes(PSID, "are you there?")
    assert w.run(conv) is None
    assert w.calls(mark) == [view(tid), put(tid), notes(tid)]
    assert w.log(mark)[1]["json"] == {"status": 2}  # reopened before the note
    assert list(w.tickets()) == [tid]
    assert w.tickets()[tid]["status"] == 2
    assert w.customer_texts(tid) == ["first", "are you there?"]


def test_closed_ticket_gets_a_followup_with_a_note_on_both(world: FreshdeskWorld) -> None:
    w = world
    conv, old = started(w, "first")
    w.freshdesk.set_status(old, "Resolved")
    w.freshdesk.set_status(old, "Closed")
    w.clock.advance(5 * DAY)
    mark = w.mark()
    w.writes(PSID, "it broke again")
    assert w.run(conv) is None

    new = w.ticket_id(conv)
    assert new != old
    assert w.calls(mark) == [view(old), CREATE_TICKET, notes(new), notes(old)]
    tickets = w.tickets()
    assert tickets[old]["status"] == 5
    assert tickets[new]["status"] == 2
    assert tickets[new]["requester_id"] == tickets[old]["requester_id"]
    assert {"social", "messenger", followup_tag(str(old))} <= set(tickets[new]["tags"])
    assert w.customer_texts(old) == ["first"]
    assert w.customer_texts(new) == ["it broke again"]
    assert w.note_texts(new) == [followup_note_on_new(str(old))]
    assert w.note_texts(old) == [followup_note_on_old(str(new))]
    assert f"#{old}" in w.note_texts(new)[0] and f"#{new}" in w.note_texts(old)[0]

    w.clock.advance(60)
    mark = w.mark()
    w.writes(PSID, "hello?")
    assert w.run(conv) is None
    assert w.calls(mark) == [view(new), notes(new)]
    assert w.customer_texts(new) == ["it broke again", "hello?"]
    assert w.customer_texts(old) == ["first"]
    assert len(w.tickets()) == 2 and len(w.contacts()) == 1


def test_followup_whose_create_answer_was_lost_is_linked_once(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, old = started(w, "first")
    w.freshdesk.set_status(old, "Closed")
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.freshdesk.add_fault(TICKETS_PATH, method="POST", delay=2.0, delay_after_commit=True)
    w.writes(PSID, "it broke again")
    delay = w.run(conv)
    assert delay is not None
    wait_for(lambda: len(w.tickets()) == 2)
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
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, old = started(w, "first")
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


def test_ticket_deleted_for_good_gets_one_followup(sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, old = started(w, "first")
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


def test_agent_reply_is_sent_once_however_many_webhooks(world: FreshdeskWorld) -> None:
    w = world
    conv, tid = started(w, "hi")
    w.clock.advance(600)
    w.freshdesk.agent_reply(tid, "<p>Hello from support — ¿en qué podemos ayudar? 🙂"
                                 "<br>We are on it.</p>")
    mark = w.mark()
    assert w.agent_webhook(tid) == conv
    assert w.agent_webhook(tid) == conv  # the rule fired twice (reply, status...)
    assert w.run(conv) is None
    assert all(call.startswith("GET ") for call in w.calls(mark))  # reading only
    (sent,) = w.sent()
    assert sent["recipient"] == PSID and sent["page_id"] == PAGE
    assert sent["messaging_type"] == "RESPONSE" and sent["tag"] is None
    assert sent["text"] == "Hello from support — ¿en qué podemos ayudar? 🙂\nWe are on it."

    reply_round(w, conv, tid)  # another webhook about the same ticket
    assert len(w.sent()) == 1
    w.freshdesk.agent_reply(tid, "<div>It ships today.</div>")
    reply_round(w, conv, tid)
    reply_round(w, conv, tid)
    assert [s["text"] for s in w.sent()] == [sent["text"], "It ships today."]


def test_notes_and_the_bridges_own_writes_are_never_sent(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.clock.advance(10)
    w.writes(PSID, "a customer's note")  # an incoming note: never a reply
    assert w.run(conv) is None
    w.freshdesk.private_note(tid, "<p>Internal: VIP customer, refund approved</p>")
    w.freshdesk.public_note(tid, "<p>A public note is not a reply either</p>")
    w.helpdesk().add_internal_note(str(tid), "Bridge note: written by the bridge")
    w.freshdesk.agent_reply(tid, "<p>a reply by the bridge's own agent</p>", user_id=API_AGENT)
    reply_round(w, conv, tid)
    assert w.sent() == []

    w.freshdesk.agent_reply(tid, "<p>Your refund is on its way</p>", user_id=AGENT)
    reply_round(w, conv, tid)
    assert [s["text"] for s in w.sent()] == ["Your refund is on its way"]


def test_agent_reply_survives_a_refused_ticket_read(sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.freshdesk.agent_reply(tid, "<p>Your refund is on its way</p>")
    w.configure(FRESHDESK_API_KEY="revoked-key")
    assert w.agent_webhook(tid) == conv
    w.run(conv)  # must end in a visible failure or a retry, not an exception
    assert w.sent() == []
    assert [r["status"] for r in w.log()][-1] == 401
    w.configure()  # the operator installs the right key
    with db.session() as s:
        refs = [item.ref for item in failed.list_failed(s)]
        if refs:
            failed.replay(s, refs)
    w.clock.advance(3600)
    w.run_until_idle(conv)  # what the sweep (or the retry countdown) does
    assert [m["text"] for m in w.sent()] == ["Your refund is on its way"]


def test_reply_after_three_days_goes_with_the_human_agent_tag(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    assert w.graph.state.last_customer_message[PSID] == T0
    w.clock.advance(3 * DAY)
    w.freshdesk.agent_reply(tid, "<p>Sorry for the wait</p>")
    reply_round(w, conv, tid)
    (sent,) = w.sent()
    assert (sent["messaging_type"], sent["tag"], sent["text"]) == (
        "MESSAGE_TAG", "HUMAN_AGENT", "Sorry for the wait")


def test_reply_after_eight_days_is_not_sent_and_a_note_says_why(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "hi")
    w.clock.advance(8 * DAY)
    w.freshdesk.agent_reply(tid, "<p>Are you still there?</p>")
    reply_round(w, conv, tid)
    assert w.sent() == []
    (note,) = w.private_notes(tid)
    assert note["user_id"] == API_AGENT and note["source"] == 2
    (text,) = w.note_texts(tid)
    assert "not delivered" in text
    assert "8 days ago" in text and "7 days" in text

    reply_round(w, conv, tid)  # the note itself is never mirrored, nor written twice
    assert w.sent() == []
    assert len(w.private_notes(tid)) == 1


# ---- Freshdesk failures ---------------------------------------------------------------------


def test_rate_limit_is_a_wait_at_retry_after_not_a_sleep(world: FreshdeskWorld) -> None:
    w = world
    w.freshdesk.add_fault(TICKETS_PATH, method="POST", status=429, retry_after=30)
    conv = w.writes(PSID, "first", "second")
    began = time.monotonic()
    delay = pipeline.run_conversation(conv)
    assert time.monotonic() - began < 2
    assert delay == pytest.approx(30, abs=1)

    assert w.calls() == [CREATE_CONTACT, CREATE_TICKET]
    assert w.log()[-1]["status"] == 429
    assert w.tickets() == {}
    head, second = w.rows(conv)
    assert (head.state, head.attempts) == ("pending", 0)
    assert "429" in (head.last_error or "")
    assert (second.state, second.attempts) == ("pending", 0)  # did not overtake
    assert pipeline.due_conversations() == []

    w.clock.advance(31)
    assert pipeline.due_conversations() == [conv]
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.customer_texts(tid) == ["first", "second"]
    assert [r.state for r in w.rows(conv)] == ["done", "done"]
    assert w.calls().count(CREATE_TICKET) == 2 and len(w.contacts()) == 1


def test_nearly_spent_budget_pauses_before_freshdesk_answers_429(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
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


def test_server_errors_back_off_then_one_ticket(sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    w.freshdesk.add_fault(TICKETS_PATH, method="POST", status=500, count=2)
    conv = w.writes(PSID, "hello")
    first = w.run(conv)
    assert first is not None and 5 <= first <= 10  # ~10 s with jitter
    w.clock.advance(first + 1)
    second = w.run(conv)
    assert second is not None and 10 <= second <= 20  # then ~20 s
    w.clock.advance(second + 1)
    assert w.run(conv) is None
    creates = [r["status"] for r in w.log() if f"{r['method']} {r['path']}" == CREATE_TICKET]
    assert creates == [500, 500, 201]
    ((tid, _),) = w.tickets().items()
    assert w.customer_texts(tid) == ["hello"]
    (row,) = w.rows(conv)
    assert (row.state, row.attempts) == ("done", 3)


def test_server_error_on_a_note_keeps_the_order(sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    conv, tid = started(w, "one")
    w.freshdesk.add_fault(rf"^/api/v2/tickets/{tid}/notes$", method="POST", status=503)
    w.clock.advance(5)
    w.writes(PSID, "two", "three")
    assert w.run_until_idle(conv) == 1
    assert [r["status"] for r in w.log() if r["path"].endswith("/notes")] == [503, 201, 201]
    assert w.customer_texts(tid) == ["one", "two", "three"]


@pytest.mark.parametrize("search_lag", [0.0, 3600.0], ids=["search", "scan"])
def test_timeout_on_ticket_creation_is_found_by_its_marker(sqlite_world: FreshdeskWorld,
                                                           search_lag: float) -> None:
    w = sqlite_world
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.freshdesk.set_search_lag(search_lag)  # minutes in Freshdesk: the scan must find it
    # Freshdesk creates the ticket, then answers too late: the answer is lost.
    w.freshdesk.add_fault(TICKETS_PATH, method="POST", delay=2.0, delay_after_commit=True)
    conv = w.writes(PSID, "hello")
    began = time.monotonic()
    delay = w.run(conv)
    assert time.monotonic() - began < 2
    assert delay is not None and delay > 0
    (row,) = w.rows(conv)
    assert row.state == "sending" and "timed out" in (row.last_error or "")
    wait_for(w.tickets)
    assert len(w.tickets()) == 1

    w.clock.advance(delay + 1)
    mark = w.mark()
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    assert w.calls().count(CREATE_TICKET) == 1
    tag = marker_tag(f"social-bridge-{conv}-{row.id}")
    assert tag in ticket["tags"]
    (search,) = [r for r in w.log(mark) if f"{r['method']} {r['path']}" == SEARCH]
    assert tag in search["query"]["query"]
    assert w.calls(mark) == ([SEARCH] if search_lag == 0 else [SEARCH, SCAN])

    w.clock.advance(60)
    w.writes(PSID, "still there?")
    assert w.run(conv) is None
    assert w.customer_texts(tid) == ["hello", "still there?"]
    assert len(w.tickets()) == 1


def test_repeated_text_after_a_recovered_create_is_not_lost(
        sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.freshdesk.add_fault(TICKETS_PATH, method="POST", delay=2.0, delay_after_commit=True)
    conv = w.writes(PSID, "Hi")
    delay = w.run(conv)
    assert delay is not None
    wait_for(w.tickets)
    w.clock.advance(delay + 1)
    assert w.run(conv) is None  # recovered by its marker, no duplicate
    tid = w.ticket_id(conv)
    # Unanswered, the customer says it again; Freshdesk fails that note (500, not applied).
    w.freshdesk.add_fault(rf"^/api/v2/tickets/{tid}/notes$", method="POST", status=500)
    w.clock.advance(60)
    w.writes(PSID, "Hi")
    w.run_until_idle(conv)
    assert w.customer_texts(tid) == ["Hi", "Hi"]


def test_invalid_api_key_fails_visibly_and_replays_once_fixed(world: FreshdeskWorld) -> None:
    w = world
    w.configure(FRESHDESK_API_KEY="revoked-key")
    conv = w.writes(PSID, "hello")
    assert w.run(conv) is None
    (row,) = w.rows(conv)
    assert row.state == "failed"
    assert "credentials" in (row.last_error or "")
    assert "FRESHDESK_API_KEY" in (row.last_error or "")
    assert [r["status"] for r in w.log()] == [401]
    with db.session() as s:
        (item,) = failed.list_failed(s)
    assert (item.ref, item.conversation_id) == (f"in-{row.id}", conv)
    assert "credentials" in item.error and "FRESHDESK_API_KEY" in item.error

    w.configure()  # the operator installs the right key
    with db.session() as s:
        assert failed.replay(s, [item.ref]) == [conv]
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.customer_texts(tid) == ["hello"]
    assert w.calls().count(CREATE_TICKET) == 1
    with db.session() as s:
        assert failed.list_failed(s) == []
    assert w.run(conv) is None  # and replaying is over: nothing written again
    assert w.calls().count(CREATE_TICKET) == 1 and len(w.contacts()) == 1
