"""Messenger → helpdesk → Messenger: the guarantees Zendesk and Freshdesk give alike, each
test run on both (``any_world``) through the real pipeline and the real adapters.

Each test plays Meta and an agent, runs the conversation in-process, and asserts on what
the emulators hold and on the helpdesk's request log. What only one helpdesk does is in
``test_messenger_zendesk.py`` and ``test_messenger_freshdesk.py``.
"""

from __future__ import annotations

import time

import pytest

from bridge import db, failed, pipeline
from tests.integration.meta_world import MetaWorld
from tests.integration.scenarios import DAY, PSID, create_answer_lost, recovered
from tests.integration.world import T0

# ---- customer → helpdesk ------------------------------------------------------------------


def test_rate_limit_is_a_wait_at_retry_after_not_a_sleep(any_world: MetaWorld) -> None:
    w = any_world
    w.create_fault(status=429, retry_after=30)
    conv = w.writes(PSID, "first", "second")
    began = time.monotonic()
    delay = pipeline.run_conversation(conv)
    assert time.monotonic() - began < 2
    assert delay == pytest.approx(30, abs=1)

    assert w.calls() == [w.CREATE_REQUESTER, w.CREATE_TICKET]
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
    assert w.calls().count(w.CREATE_TICKET) == 2 and len(w.requesters()) == 1


def test_server_errors_back_off_then_one_ticket(any_sqlite_world: MetaWorld) -> None:
    w = any_sqlite_world
    w.create_fault(status=500, count=2)
    conv = w.writes(PSID, "hello")
    first = w.run(conv)
    assert first is not None and 5 <= first <= 10  # ~10 s with jitter
    w.clock.advance(first + 1)
    second = w.run(conv)
    assert second is not None and 10 <= second <= 20  # then ~20 s
    w.clock.advance(second + 1)
    assert w.run(conv) is None
    creates = [r["status"] for r in w.log() if f"{r['method']} {r['path']}" == w.CREATE_TICKET]
    assert creates == [500, 500, 201]
    ((tid, _),) = w.tickets().items()
    assert w.customer_texts(tid) == ["hello"]
    (row,) = w.rows(conv)
    assert (row.state, row.attempts) == ("done", 3)


def test_repeated_text_after_a_recovered_create_is_not_lost(
        any_sqlite_world: MetaWorld) -> None:
    w = any_sqlite_world
    conv, _, delay = create_answer_lost(w, "Hi")
    _, tid, _ = recovered(w, conv, delay)
    # Unanswered, the customer says it again; the helpdesk fails that (500, not applied).
    w.append_fault(tid, status=500)
    w.clock.advance(60)
    w.writes(PSID, "Hi")
    w.run_until_idle(conv)
    assert w.customer_texts(tid) == ["Hi", "Hi"]


@pytest.mark.parametrize(("helpdesk", "database_url"), [
    ("zendesk", "sqlite"), ("freshdesk", "sqlite"), ("freshdesk", "postgres"),
], indirect=True)
def test_invalid_credentials_fail_visibly_and_replay_once_fixed(any_world: MetaWorld) -> None:
    w = any_world
    w.configure(**{w.CREDENTIAL: "revoked"})
    conv = w.writes(PSID, "hello")
    assert w.run(conv) is None
    (row,) = w.rows(conv)
    assert row.state == "failed"
    assert "credentials" in (row.last_error or "")
    assert w.CREDENTIAL in (row.last_error or "")
    assert [r["status"] for r in w.log()] == [401]
    with db.session() as s:
        (item,) = failed.list_failed(s)
    assert (item.ref, item.conversation_id) == (f"in-{row.id}", conv)
    assert "credentials" in item.error and w.CREDENTIAL in item.error

    w.configure()  # the operator installs the right secret
    with db.session() as s:
        assert failed.replay(s, [item.ref]) == [conv]
    assert w.run(conv) is None
    ((tid, _),) = w.tickets().items()
    assert w.customer_texts(tid) == ["hello"]
    assert w.calls().count(w.CREATE_TICKET) == 1
    with db.session() as s:
        assert failed.list_failed(s) == []
    assert w.run(conv) is None  # and replaying is over: nothing written again
    assert w.calls().count(w.CREATE_TICKET) == 1 and len(w.requesters()) == 1


# ---- agent → customer ---------------------------------------------------------------------


def test_agent_reply_survives_a_refused_ticket_read(any_sqlite_world: MetaWorld) -> None:
    w = any_sqlite_world
    conv, tid = w.started(PSID, "hi")
    w.agent_replies(tid, "Your refund is on its way")
    w.configure(**{w.CREDENTIAL: "revoked"})
    assert w.agent_webhook(tid) == conv
    w.run(conv)  # must end in a visible failure or a retry, not an exception
    assert w.sent() == []
    assert [r["status"] for r in w.log()][-1] == 401
    w.configure()  # the operator installs the right secret
    with db.session() as s:
        refs = [item.ref for item in failed.list_failed(s)]
        if refs:
            failed.replay(s, refs)
    w.clock.advance(3600)
    w.run_until_idle(conv)  # what the sweep (or the retry countdown) does
    assert [m["text"] for m in w.sent()] == ["Your refund is on its way"]


def test_reply_after_three_days_goes_with_the_human_agent_tag(
        any_sqlite_world: MetaWorld) -> None:
    w = any_sqlite_world
    conv, tid = w.started(PSID, "hi")
    assert w.graph.state.last_customer_message[PSID] == T0
    w.clock.advance(3 * DAY)
    assert w.agent_says(conv, tid, "Sorry for the wait") is None
    (sent,) = w.sent()
    assert (sent["messaging_type"], sent["tag"], sent["text"]) == (
        "MESSAGE_TAG", "HUMAN_AGENT", "Sorry for the wait")


def test_reply_after_eight_days_is_not_sent_and_a_note_says_why(
        any_sqlite_world: MetaWorld) -> None:
    w = any_sqlite_world
    conv, tid = w.started(PSID, "hi")
    w.clock.advance(8 * DAY)
    assert w.agent_says(conv, tid, "Are you still there?") is None
    assert w.sent() == []
    (note,) = w.private_notes(tid)
    assert note.author == w.API_USER
    assert "not delivered" in note.text
    assert "8 days ago" in note.text and "7 days" in note.text

    assert w.reply_round(conv, tid) is None  # the note is never mirrored, nor written twice
    assert w.sent() == []
    assert len(w.private_notes(tid)) == 1
