"""A new ticket with everything the rules decided goes to Zendesk in one call, in
Zendesk's shape: ids as integers, ``type`` in lower case, ``custom_fields`` as a list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.domain import NewComment, NewTicket, Requester
from bridge.errors import PermanentError, RefusedFields
from bridge.zendesk.adapter import ZendeskHelpdesk
from tests.zendesk import CANNED_URL, EMAIL, TOKEN, CannedZendesk, running_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    with running_emulator() as emulator:
        yield emulator


def test_one_post_with_assignment_type_brand_and_fields(emu: Any) -> None:
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)
    author = zd.ensure_requester(Requester("x:1:2", "Ana"))
    before = len(emu.requests_log())
    ticket = NewTicket(author, "Hello", NewComment(author, "Hello"), "m-1", priority="urgent",
                       group_id="360000000101", assignee_id="2", ticket_type="Incident",
                       brand_id="360000000077",
                       custom_fields=(("360000000031", "x"), ("360000000034", True)))
    zd.create_ticket(ticket)
    [call] = emu.requests_log()[before:]
    assert (call["method"], call["path"], call["status"]) == ("POST", "/api/v2/tickets.json",
                                                              201)
    sent = call["json"]["ticket"]
    assert {k: sent[k] for k in ("assignee_id", "type", "brand_id", "group_id", "priority",
                                 "custom_fields")} == {
        "assignee_id": 2, "type": "incident", "brand_id": 360000000077,
        "group_id": 360000000101, "priority": "urgent",
        "custom_fields": [{"id": 360000000031, "value": "x"},
                          {"id": 360000000034, "value": True}]}


def test_a_group_and_type_zendesk_refuses_are_left_out_and_named(emu: Any) -> None:
    """A rule routes to a group the account deleted and names a type Zendesk does not
    have: the ticket is still created with the customer's message, without them, and a
    private note says what was left out and Zendesk's words."""
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)
    author = zd.ensure_requester(Requester("x:1:3", "Bea"))
    with emu.state.lock:
        emu.state.groups = {360000000101: "Support"}
    try:
        ticket = NewTicket(author, "Where is it?", NewComment(author, "Where is it?"), "m-2",
                           group_id="360000000999", ticket_type="Refund", assignee_id="2")
        before = len(emu.requests_log())
        ref = zd.create_ticket(ticket)
    finally:
        with emu.state.lock:
            emu.state.groups = None
    posts = [c for c in emu.requests_log()[before:] if c["path"] == "/api/v2/tickets.json"]
    assert [c["status"] for c in posts[:-1]] == [422] * (len(posts) - 1) and len(posts) > 1
    assert posts[-1]["status"] == 201
    created = posts[-1]["json"]["ticket"]
    assert created.get("group_id") is None and created.get("type") is None
    assert created["assignee_id"] == 2  # what Zendesk took stays
    stored = emu.state.tickets[int(ref.ticket_id)]
    comments = emu.state.comments[int(ref.ticket_id)]
    assert comments[0]["body"] == "Where is it?" and comments[0]["public"] is True
    [note] = [c for c in comments if not c["public"]]
    assert "group_id = '360000000999'" in note["body"] or "group = '360000000999'" in note[
        "body"]
    assert "'Refund'" in note["body"] and "Group: is invalid" in note["body"]
    assert stored["group_id"] is None


def test_a_refusal_of_anything_else_is_not_retried(emu: Any) -> None:
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)
    author = zd.ensure_requester(Requester("x:1:4", "Cy"))
    ticket = NewTicket(author, "Hi", NewComment(author, "Hi"), "m-3", priority="whenever")
    before = len(emu.requests_log())
    with pytest.raises(PermanentError) as refused:
        zd.create_ticket(ticket)
    assert not isinstance(refused.value, RefusedFields)
    assert len([c for c in emu.requests_log()[before:] if c["method"] == "POST"]) == 1


def test_a_custom_field_option_zendesk_refuses_is_left_out_and_named(emu: Any) -> None:
    """The account removed a drop-down option a mapping still writes, and the rule's group:
    one 422 names both (the field by id), one retry without them creates the ticket, and
    the note names each value with Zendesk's words."""
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)
    author = zd.ensure_requester(Requester("x:1:5", "Dee"))
    with emu.state.lock:
        emu.state.groups = {360000000101: "Support"}
        emu.state.refuse_unknown_options = True
    try:
        ticket = NewTicket(author, "Hello?", NewComment(author, "Hello?"), "m-4",
                           group_id="360000000999",
                           custom_fields=(("360000000031", "myspace"),
                                          ("360000000032", "@dee")))
        before = len(emu.requests_log())
        ref = zd.create_ticket(ticket)
    finally:
        with emu.state.lock:
            emu.state.groups = None
            emu.state.refuse_unknown_options = False
    posts = [c for c in emu.requests_log()[before:] if c["path"] == "/api/v2/tickets.json"]
    assert [c["status"] for c in posts] == [422, 201]
    created = posts[-1]["json"]["ticket"]
    assert created.get("group_id") is None
    assert created["custom_fields"] == [{"id": 360000000032, "value": "@dee"}]
    stored = emu.state.tickets[int(ref.ticket_id)]
    assert stored["custom_fields"] == [{"id": 360000000032, "value": "@dee"}]
    [note] = [c for c in emu.state.comments[int(ref.ticket_id)] if not c["public"]]
    assert "group = '360000000999'" in note["body"]
    assert "custom_field_360000000031 = 'myspace'" in note["body"]
    assert "Social channel is not valid" in note["body"]


def test_a_refused_field_the_bridge_did_not_send_fails_the_ticket_at_once() -> None:
    """A ``base`` entry naming a field the ticket does not carry (one the account
    requires, say): leaving values out cannot help, so nothing is retried."""
    body = {"error": "RecordInvalid", "description": "Record validation errors",
            "details": {"base": [{"description": "Order number: is required",
                                  "error": None, "ticket_field_id": 360000000036,
                                  "ticket_field_type": "FieldInteger"}]}}
    zd = ZendeskHelpdesk(base_url=CANNED_URL, email=EMAIL, token=TOKEN, timeout=2)
    transport = CannedZendesk({("POST", "/api/v2/tickets"): (422, json.dumps(body).encode())})
    zd.session.mount(CANNED_URL, transport)
    ticket = NewTicket("7", "Hi", NewComment("7", "Hi"), "m-5",
                       custom_fields=(("360000000031", "myspace"),))
    with pytest.raises(PermanentError, match="Order number: is required") as refused:
        zd.create_ticket(ticket)
    assert not isinstance(refused.value, RefusedFields)
    assert len(transport.sent) == 1
