"""The Messenger scenarios both helpdesks share, each test adding its helpdesk's own checks
after them, and the customer they are played with."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bridge.models import InboxMessage
from tests.integration.meta_world import PAGE, MetaWorld

PSID = "6543210987654321"
DAY = 86400.0
SCRIPTS = {
    "arabic": "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣",
    "armenian": "Բարև, իմ պատվերը դեռ չի հասել",
    "thai": "สวัสดีครับ คำสั่งซื้อของฉันยังไม่มาถึง",
    "persian": "سلام، سفارش من هنوز نرسیده است\u200c لطفاً",
    "hebrew": "שלום, ההזמנה שלי עדיין לא הגיעה",
    "emoji": "👨\u200d👩\u200d👧 🇦🇲 👍🏽 ❤️ e\u0301  \n\n  spaced\ttext  ",
}


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.02)


def opens_a_ticket(w: MetaWorld, *texts: str) -> tuple[int, int, dict[str, Any]]:
    """The customer writes for the first time and the worker runs: one ticket opens, in
    the two calls of a new conversation; (conversation id, ticket id, ticket)."""
    mark = w.mark()
    conv = w.writes(PSID, *texts)
    assert w.run(conv) is None
    assert w.calls(mark) == [w.CREATE_REQUESTER, w.CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    return conv, tid, ticket


def texts_arrive_in_order(w: MetaWorld, texts: list[str]) -> tuple[int, dict[str, Any]]:
    """Three texts in one webhook, then one webhook each: one ticket holds them all, byte
    for byte and in order, in one call per text; (ticket id, ticket)."""
    conv = w.writes(PSID, *texts[:3])
    for i, text in enumerate(texts[3:]):
        w.clock.advance(10 + i)
        assert w.writes(PSID, text) == conv
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    got = w.customer_texts(tid)
    assert got == texts
    assert [t.encode() for t in got] == [t.encode() for t in texts]
    assert ticket["subject"] == texts[0]
    assert w.calls() == [w.CREATE_REQUESTER, w.CREATE_TICKET] + w.append_calls(tid) * (
        len(texts) - 1)
    return tid, ticket


def create_answer_lost(w: MetaWorld, text: str) -> tuple[int, InboxMessage, float]:
    """The helpdesk creates the ticket for ``text``, then answers too late: the answer is
    lost and the row waits to be retried; (conversation id, row, wait in seconds)."""
    w.configure(BRIDGE_HTTP_TIMEOUT="0.5")
    w.create_fault(delay=2.0, delay_after_commit=True)
    conv = w.writes(PSID, text)
    began = time.monotonic()
    delay = w.run(conv)
    assert time.monotonic() - began < 2
    assert delay is not None and delay > 0
    (row,) = w.rows(conv)
    assert row.state == "sending" and "timed out" in (row.last_error or "")
    wait_for(w.tickets)
    assert len(w.tickets()) == 1
    return conv, row, delay


def recovered(w: MetaWorld, conv: int, delay: float) -> tuple[int, int, dict[str, Any]]:
    """After ``create_answer_lost``, the retry finds the ticket instead of creating another;
    (the ``mark`` before the retry, ticket id, ticket)."""
    w.clock.advance(delay + 1)
    mark = w.mark()
    assert w.run(conv) is None
    ((tid, ticket),) = w.tickets().items()
    assert w.ticket_id(conv) == tid
    assert w.calls().count(w.CREATE_TICKET) == 1
    return mark, tid, ticket


def written_to_a_ticket_set_aside(w: MetaWorld, conv: int, tid: int) -> int:
    """An hour after the ticket was set aside (pending, solved...), the customer writes
    again: the same ticket holds it (each test checks it is open again); the ``mark``."""
    mark = w.writes_later(conv, PSID, "are you there?", after=3600)
    assert list(w.tickets()) == [tid]
    assert w.customer_texts(tid) == ["first", "are you there?"]
    return mark


def written_after_closed(w: MetaWorld) -> tuple[int, int, int, int]:
    """The customer's ticket is closed and five days later they write again: a new ticket
    holds it; (conversation id, old ticket, new ticket, ``mark`` before they wrote)."""
    conv, old = w.started(PSID, "first")
    w.close(old)
    mark = w.writes_later(conv, PSID, "it broke again", after=5 * DAY)
    new = w.ticket_id(conv)
    assert new != old
    assert w.customer_texts(old) == ["first"]
    assert w.customer_texts(new) == ["it broke again"]
    return conv, old, new, mark


def followup_goes_on(w: MetaWorld, conv: int, new: int) -> None:
    """A minute after ``written_after_closed`` the customer writes again: the follow-up
    holds it, in one append, and no third ticket opens."""
    mark = w.writes_later(conv, PSID, "hello?", after=60)
    assert w.calls(mark) == w.append_calls(new)
    assert w.customer_texts(new) == ["it broke again", "hello?"]
    assert len(w.tickets()) == 2


def sent_once_as_a_response(w: MetaWorld, conv: int, tid: int, text: str) -> None:
    """The agent's reply reached the customer once, as a response within the window, and
    another webhook about the same ticket sends nothing more."""
    (sent,) = w.sent()
    assert sent["recipient"] == PSID and sent["page_id"] == PAGE
    assert sent["messaging_type"] == "RESPONSE" and sent["tag"] is None
    assert sent["text"] == text
    assert w.reply_round(conv, tid) is None
    assert len(w.sent()) == 1
