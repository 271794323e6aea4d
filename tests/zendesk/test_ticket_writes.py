"""A new ticket with everything the rules decided goes to Zendesk in one call, in
Zendesk's shape: ids as integers, ``type`` in lower case, ``custom_fields`` as a list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.domain import NewComment, NewTicket, Requester
from bridge.zendesk.adapter import ZendeskHelpdesk
from tests.zendesk import EMAIL, TOKEN, running_emulator


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
