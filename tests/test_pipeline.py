"""The pipeline on real SQLite and PostgreSQL, with in-memory helpdesk and channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bridge import clock, db, failed, ingest, pipeline, registry, routing
from bridge.domain import InboundMessage, NewComment, Sender, ThreadKey
from bridge.errors import PermanentError, TransientError
from bridge.models import Conversation, Delivery, InboxMessage
from tests.conftest import apply_env
from tests.fakes import FakeChannel, FakeClock, FakeHelpdesk, FakeTicket

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


World = tuple[FakeHelpdesk, FakeChannel, FakeClock]


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str) -> Iterator[World]:
    apply_env(env, DATABASE_URL=database_url, BRIDGE_MAX_ATTEMPTS="3")
    hd, ch, fake_clock = FakeHelpdesk(), FakeChannel(), FakeClock(T0)
    env.setattr(registry, "helpdesk", lambda: hd)
    env.setattr(registry, "channel", lambda kind: ch)
    clock.set_clock(fake_clock)
    yield hd, ch, fake_clock
    clock.set_clock(None)


def message(mid: str, text: str, at: datetime = T0, psid: str = "5678") -> InboundMessage:
    return InboundMessage(ThreadKey("messenger", "1234567890", psid), mid, Sender(psid), at, text)


def store(*msgs: InboundMessage) -> list[int]:
    """What the webhook and then the route task do; returns conversations with new rows."""
    ids = ingest.store_messages(msgs)
    with db.session() as s:
        return routing.route(s, ids) if ids else []


def run_all(conv_id: int) -> float | None:
    delay = pipeline.run_conversation(conv_id)
    while delay == 0.0:
        delay = pipeline.run_conversation(conv_id)
    return delay


def conversation(conv_id: int) -> Conversation:
    with db.session() as s:
        conv = s.get(Conversation, conv_id)
        assert conv is not None
        return conv


def test_new_conversation_then_comments_in_order(world: World) -> None:
    hd, _, _ = world
    texts = ["Hello 👋", "مرحبا بكم", "Բարեւ", "สวัสดีครับ", "سلام", "שלום"]
    msgs = [message(f"m{i}", t, T0 + timedelta(seconds=i)) for i, t in enumerate(texts)]
    (conv_id,) = store(*msgs)
    assert run_all(conv_id) is None
    (ticket,) = hd.tickets.values()
    assert ticket.tags == ("social", "messenger")
    assert ticket.subject == "Hello 👋"
    assert hd.public_bodies(ticket.id) == texts
    assert hd.calls == ["ensure_requester", "create_ticket"] + ["add_customer_comment"] * 5
    assert conversation(conv_id).ticket_id == ticket.id


def test_same_webhook_twice_stores_once(world: World) -> None:
    assert store(message("m1", "hi")) != []
    assert store(message("m1", "hi")) == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(InboxMessage)) == 1


def test_task_run_twice_changes_nothing(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    calls = list(hd.calls)
    run_all(conv_id)
    assert hd.calls == calls


def test_rate_limit_retries_at_retry_after_and_keeps_order(world: World) -> None:
    hd, _, fake_clock = world
    (conv_id,) = store(message("m1", "first"), message("m2", "second", T0 + timedelta(seconds=1)))
    hd.failures = [TransientError("429", retry_after=30)]
    delay = run_all(conv_id)
    assert delay == pytest.approx(30, abs=1)
    assert hd.tickets == {}  # the second message did not overtake the first
    with db.session() as s:
        head = s.scalars(select(InboxMessage).order_by(InboxMessage.id)).first()
        assert head is not None and head.state == "pending" and head.attempts == 0
    assert pipeline.due_conversations() == []
    fake_clock.advance(31)
    assert pipeline.due_conversations() == [conv_id]
    assert run_all(conv_id) is None
    (ticket,) = hd.tickets.values()
    assert hd.public_bodies(ticket.id) == ["first", "second"]


def test_permanent_failure_is_listed_and_replayed(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    hd.failures = [PermanentError("422 invalid")]
    run_all(conv_id)
    with db.session() as s:
        items = failed.list_failed(s)
        assert [i.error for i in items] == ["422 invalid"]
        assert failed.replay(s, [items[0].ref]) == [conv_id]
    run_all(conv_id)
    assert len(hd.tickets) == 1
    with db.session() as s:
        assert failed.list_failed(s) == []


def test_transient_failures_exhaust_into_failed(world: World) -> None:
    hd, _, fake_clock = world
    (conv_id,) = store(message("m1", "hi"))
    hd.failures = [TransientError("503")] * 3
    for _ in range(3):
        run_all(conv_id)
        fake_clock.advance(3600)
    with db.session() as s:
        row = s.scalars(select(InboxMessage)).one()
        assert row.state == "failed" and "gave up after 3 attempts" in (row.last_error or "")


def test_closed_ticket_gets_a_followup(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (first,) = hd.tickets.values()
    first.status = "closed"
    store(message("m2", "me again", T0 + timedelta(minutes=5)))
    run_all(conv_id)
    followup = [t for t in hd.tickets.values() if t.id != first.id]
    assert len(followup) == 1 and followup[0].followup_of == first.id
    assert hd.public_bodies(followup[0].id) == ["me again"]
    assert conversation(conv_id).ticket_id == followup[0].id


def test_recovery_after_crash_during_ticket_creation(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    with db.session() as s:  # a previous worker created the ticket, then died before recording it
        row = s.scalars(select(InboxMessage)).one()
        row.state = "sending"
        s.commit()
        marker = f"social-bridge-{conv_id}-{row.id}"
    hd.users["messenger:1234567890:5678"] = "u1"
    hd.tickets["1"] = FakeTicket("1", "u1", "hi", ("social", "messenger"), marker,
                                 comments=[("2", "u1", "hi", True)])
    run_all(conv_id)
    assert len(hd.tickets) == 1
    assert "create_ticket" not in hd.calls and "find_ticket" in hd.calls
    assert conversation(conv_id).ticket_id == "1"


def test_recovery_after_crash_during_comment(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    store(message("m2", "again", T0 + timedelta(seconds=5)))
    # The comment went through, then the worker died before recording it.
    hd.add_customer_comment(ticket.id, NewComment("u1", "again"))
    with db.session() as s:
        q = select(InboxMessage).where(InboxMessage.message_id == "m2")
        row = s.scalars(q).one()
        row.state = "sending"
        s.commit()
    hd.calls.clear()
    run_all(conv_id)
    assert hd.public_bodies(ticket.id) == ["hi", "again"]
    assert hd.calls == ["find_customer_comment"]


def test_agent_reply_is_delivered_once(world: World) -> None:
    hd, ch, fake_clock = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    hd.reply(ticket.id, "Hello from support", fake_clock.now)
    for key in ("evt-1", "evt-2", "evt-2"):  # three webhooks, one of them repeated
        with db.session() as s:
            conv = ingest.store_helpdesk_event(s, "fake", key, ticket.id)
        if conv:
            run_all(conv)
    assert [m.text for m in ch.sent] == ["Hello from support"]
    with db.session() as s:
        assert s.scalars(select(Delivery.state)).all() == ["sent"]


def test_agent_attachments_a_channel_does_not_send_leave_a_note(world: World) -> None:
    hd, ch, fake_clock = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    hd.reply(ticket.id, "Here is the invoice", fake_clock.now, attachments=(
        "https://acme.zendesk.com/attachments/token/abc/?name=invoice.pdf",
        "https://files.example.com/x/label.png"))
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-1", ticket.id)
    run_all(conv_id)
    assert [m.text for m in ch.sent] == ["Here is the invoice"]
    assert ch.sent[0].attachment_urls[1] == "https://files.example.com/x/label.png"
    notes = [c[2] for c in ticket.comments if not c[3]]
    assert any("2 attachment(s) not sent" in n and "invoice.pdf, label.png" in n
               for n in notes), notes


def test_attachments_a_channel_handles_itself_leave_no_pipeline_note(world: World) -> None:
    hd, ch, fake_clock = world
    ch.sends_attachments = True  # type: ignore[attr-defined]
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    hd.reply(ticket.id, "Photo attached", fake_clock.now, attachments=("https://f/a.jpg",))
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-1", ticket.id)
    run_all(conv_id)
    assert ch.sent[0].attachment_urls == ("https://f/a.jpg",)
    assert not [c for c in ticket.comments if not c[3] and "not sent" in c[2]]


def test_reply_outside_window_leaves_internal_note(world: World) -> None:
    hd, ch, fake_clock = world
    (conv_id,) = store(message("m1", "hi"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    fake_clock.advance(3 * 86400)
    hd.reply(ticket.id, "Sorry for the delay", fake_clock.now)
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-1", ticket.id)
    run_all(conv_id)
    assert ch.sent == []
    notes = [c[2] for c in ticket.comments if not c[3]]
    assert len(notes) == 1 and notes[0].startswith("Reply not delivered to the customer")


def test_lease_held_elsewhere_means_no_work(world: World) -> None:
    hd, _, _ = world
    (conv_id,) = store(message("m1", "hi"))
    with db.session() as s:
        from bridge import leases

        assert leases.claim(s, conv_id, "other-worker", 60)
    assert pipeline.run_conversation(conv_id) is None
    assert hd.calls == []


def test_rate_limit_during_recovery_keeps_looking_before_writing(world: World) -> None:
    hd, _, fake_clock = world
    (conv_id,) = store(message("m1", "hi"))
    with db.session() as s:  # a worker died while creating the ticket
        row = s.scalars(select(InboxMessage)).one()
        row.state = "sending"
        s.commit()
    hd.failures = [TransientError("429", retry_after=5)]  # the recovery lookup is refused
    run_all(conv_id)
    with db.session() as s:
        assert s.scalars(select(InboxMessage.state)).one() == "sending"
    fake_clock.advance(6)
    run_all(conv_id)
    assert hd.calls.count("find_ticket") == 1 and len(hd.tickets) == 1
