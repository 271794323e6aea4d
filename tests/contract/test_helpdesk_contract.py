"""The Helpdesk contract: every adapter, through the same cases, against its emulator.

What the pipeline relies on (``bridge/inbound.py``, ``bridge/outbound.py``): one user per
social identity; a ticket tagged ``social`` + channel kind whose first comment is the
message; later messages on the same ticket in order, byte for byte; a waiting or solved
ticket reopened; ``TicketClosed`` on a closed one, then a linked follow-up; each public
agent reply read once and stably; internal notes and the API user's own writes never
replies; recovery lookups; escalation actions (tags added, not replaced); rate limits,
server errors and timeouts as ``TransientError`` (429 with its ``retry_after``, never a
sleep); refused credentials as a clear ``PermanentError``. Helpdesk differences live in
``drivers.py``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from bridge.domain import NewComment, NewTicket, Requester, TicketActions, TicketRef
from bridge.errors import PermanentError, TicketClosed, TransientError
from bridge.helpdesk import Helpdesk
from tests.contract.drivers import TICKET_CREATE, Driver
from tests.helpdesks import SCRIPTS

EXTERNAL_ID = "whatsapp:15550001:4915112345678"


def open_ticket(hd: Helpdesk, body: str = "Hello, my order is late",
                marker: str = "social-bridge-1-1", channel: str = "whatsapp"
                ) -> tuple[TicketRef, str]:
    author = hd.ensure_requester(Requester(EXTERNAL_ID, "Ana Customer"))
    ticket = NewTicket(author, "Hello, my order is late", NewComment(author, body), marker,
                       tags=("social", channel))
    return hd.create_ticket(ticket), author


def test_new_conversation(driver: Driver, hd: Helpdesk) -> None:
    author = hd.ensure_requester(Requester(EXTERNAL_ID, "Ana Customer"))
    assert hd.ensure_requester(Requester(EXTERNAL_ID, "Ana Customer")) == author
    assert driver.users_with_external_id(EXTERNAL_ID) == 1
    ref, _ = open_ticket(hd, body="Hello, my order #123 is late 📦")
    assert {"social", "whatsapp"} <= set(driver.tags(ref.ticket_id))
    assert driver.requester_of(ref.ticket_id) == author
    assert driver.customer_texts(ref.ticket_id) == ["Hello, my order #123 is late 📦"]
    view = hd.read_ticket(ref.ticket_id)
    assert view.ticket_id == ref.ticket_id and view.replies == ()
    assert view.status in ("new", "open")


def test_threading(driver: Driver, hd: Helpdesk) -> None:
    ref, author = open_ticket(hd, body="first")
    refs = [hd.add_customer_comment(ref.ticket_id, NewComment(author, f"message {n}"))
            for n in range(3)]
    assert {r.ticket_id for r in refs} == {ref.ticket_id}
    ids = [r.comment_id for r in refs]
    assert None not in ids and len(set(ids)) == 3
    assert driver.customer_texts(ref.ticket_id) == ["first", "message 0", "message 1",
                                                    "message 2"]


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_text_byte_for_byte(driver: Driver, hd: Helpdesk, script: str) -> None:
    text = SCRIPTS[script]
    ref, author = open_ticket(hd, body=text)
    hd.add_customer_comment(ref.ticket_id, NewComment(author, text + " (2)"))
    stored = driver.customer_texts(ref.ticket_id)
    assert [s.encode("utf-8") for s in stored] == [text.encode("utf-8"),
                                                   (text + " (2)").encode("utf-8")]


def test_reopen(driver: Driver, hd: Helpdesk) -> None:
    ref, author = open_ticket(hd)
    driver.resolve(ref.ticket_id)
    assert hd.read_ticket(ref.ticket_id).status == "solved"
    hd.add_customer_comment(ref.ticket_id, NewComment(author, "it broke again"))
    assert hd.read_ticket(ref.ticket_id).status == "open"
    assert driver.customer_texts(ref.ticket_id)[-1] == "it broke again"


def test_closed_ticket_then_followup(driver: Driver, hd: Helpdesk) -> None:
    ref, author = open_ticket(hd)
    driver.close(ref.ticket_id)
    assert hd.read_ticket(ref.ticket_id).status == "closed"
    comment = NewComment(author, "hello again")
    with pytest.raises(TicketClosed):
        hd.add_customer_comment(ref.ticket_id, comment)
    followup = hd.create_ticket(NewTicket(author, "hello again", comment, "social-bridge-1-2",
                                          tags=("social", "whatsapp"),
                                          followup_of=ref.ticket_id))
    assert followup.ticket_id != ref.ticket_id
    assert driver.customer_texts(followup.ticket_id) == ["hello again"]
    assert driver.followup_linked(ref.ticket_id, followup.ticket_id)
    assert hd.read_ticket(ref.ticket_id).status == "closed"


def test_reply_mirrored_once(driver: Driver, hd: Helpdesk) -> None:
    ref, _ = open_ticket(hd)
    driver.agent_reply(ref.ticket_id, "Thanks Ana, we're on it ✅")
    driver.agent_reply(ref.ticket_id, "Your parcel ships today — שלום")
    first = hd.read_ticket(ref.ticket_id)
    assert [r.body for r in first.replies] == ["Thanks Ana, we're on it ✅",
                                               "Your parcel ships today — שלום"]
    assert len({r.comment_id for r in first.replies}) == 2
    second = hd.read_ticket(ref.ticket_id)
    assert [r.comment_id for r in second.replies] == [r.comment_id for r in first.replies]


def test_internal_note_not_mirrored(driver: Driver, hd: Helpdesk) -> None:
    ref, _ = open_ticket(hd)
    driver.private_note(ref.ticket_id, "agents only: VIP customer")
    hd.add_internal_note(ref.ticket_id, "Delivered to the customer: sent with a tag")
    driver.agent_reply(ref.ticket_id, "public answer")
    assert [r.body for r in hd.read_ticket(ref.ticket_id).replies] == ["public answer"]


def test_loop_guard(driver: Driver, hd: Helpdesk) -> None:
    ref, author = open_ticket(hd)
    driver.api_user_public_write(ref.ticket_id, "written by the bridge's own API user")
    hd.add_customer_comment(ref.ticket_id, NewComment(author, "the customer again"))
    assert hd.read_ticket(ref.ticket_id).replies == ()


def test_recovery_lookups(driver: Driver, hd: Helpdesk) -> None:
    ref, author = open_ticket(hd, body="opening words", marker="social-bridge-9-1")
    assert hd.find_ticket("social-bridge-9-1") == ref
    assert hd.find_ticket("social-bridge-9-404") is None
    again = NewComment(author, "same words")
    first = hd.add_customer_comment(ref.ticket_id, again)
    second = hd.add_customer_comment(ref.ticket_id, again)
    assert hd.find_customer_comment(ref.ticket_id, again, ref.comment_id) == first
    assert hd.find_customer_comment(ref.ticket_id, again, first.comment_id) == second
    assert hd.find_customer_comment(ref.ticket_id, again, second.comment_id) is None
    assert hd.find_customer_comment(ref.ticket_id, NewComment(author, "never sent"),
                                    None) is None


def test_apply_actions_adds_and_sets_idempotently(driver: Driver, hd: Helpdesk) -> None:
    ref, _ = open_ticket(hd)
    escalate = TicketActions(add_tags=("sla_breached", "escalated"), priority="high",
                             group_id=driver.group_id, note="SLA breached: escalated")
    hd.apply_actions(ref.ticket_id, escalate)
    hd.apply_actions(ref.ticket_id, TicketActions(add_tags=("escalated",), priority="high"))
    tags = driver.tags(ref.ticket_id)
    assert {"social", "whatsapp", "sla_breached", "escalated"} <= set(tags)
    assert tags.count("escalated") == 1
    assert driver.priority_and_group(ref.ticket_id) == ("high", driver.group_id)
    assert driver.private_notes(ref.ticket_id) == ["SLA breached: escalated"]
    assert hd.read_ticket(ref.ticket_id).replies == ()
    hd.apply_actions(ref.ticket_id, TicketActions())  # nothing to do, nothing done


@pytest.mark.parametrize("write", ["ticket", "comment"])
def test_rate_limit_is_transient_with_retry_after(driver: Driver, hd: Helpdesk,
                                                  write: str) -> None:
    ref, author = open_ticket(hd)
    path, method = TICKET_CREATE if write == "ticket" else driver.comment_write
    driver.fault(path, method=method, status=429, retry_after=30)
    started = time.monotonic()
    with pytest.raises(TransientError) as caught:
        if write == "ticket":
            open_ticket(hd, marker="social-bridge-1-3")
        else:
            hd.add_customer_comment(ref.ticket_id, NewComment(author, "x"))
    assert time.monotonic() - started < 1.0  # no sleeping inside the worker
    assert caught.value.retry_after == 30.0


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_transient(driver: Driver, hd: Helpdesk, status: int) -> None:
    path, method = TICKET_CREATE
    driver.fault(path, method=method, status=status)
    with pytest.raises(TransientError, match=str(status)):
        open_ticket(hd)


def test_timeout_is_transient(driver: Driver) -> None:
    hd = driver.helpdesk(timeout=0.3)
    ref, author = open_ticket(hd)
    path, method = driver.comment_write
    driver.fault(path, method=method, delay=1.5)
    with pytest.raises(TransientError, match="timed out"):
        hd.add_customer_comment(ref.ticket_id, NewComment(author, "slow"))


def test_invalid_credentials_are_permanent_and_clear(driver: Driver) -> None:
    hd = driver.helpdesk(valid_credentials=False)
    calls: list[Any] = [
        lambda: hd.ensure_requester(Requester(EXTERNAL_ID, "Ana")),
        lambda: hd.read_ticket("1"),
        lambda: hd.add_internal_note("1", "x"),
    ]
    for call in calls:
        with pytest.raises(PermanentError) as caught:
            call()
        assert not isinstance(caught.value, TicketClosed)
        assert driver.credentials_hint in str(caught.value)
        assert "(401)" in str(caught.value)
