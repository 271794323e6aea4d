"""A new ticket with everything the rules decided goes to Freshdesk in one call, in
Freshdesk's shape: ``responder_id``, ``type``, integer priority, ``custom_fields`` as an
object; no brand (Freshdesk has none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.domain import NewComment, NewTicket, Requester
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from emulators.freshdesk import FreshdeskEmulator
from tests.freshdesk import API_KEY, running_emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[FreshdeskEmulator]:
    with running_emulator() as emulator:
        yield emulator


def test_one_post_with_agent_type_and_fields(emu: FreshdeskEmulator) -> None:
    fd = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=2)
    author = fd.ensure_requester(Requester("x:1:2", "Ana"))
    before = len(emu.requests_log())
    ticket = NewTicket(author, "Hello", NewComment(author, "Hello"), "m-1", priority="urgent",
                       group_id="43000000102", assignee_id=str(emu.AGENT_ID),
                       ticket_type="Refund", brand_id="9",
                       custom_fields=(("cf_social_channel", "X"), ("cf_order_value", 2.5)))
    fd.create_ticket(ticket)
    [call] = emu.requests_log()[before:]
    assert (call["method"], call["path"], call["status"]) == ("POST", "/api/v2/tickets", 201)
    sent = call["json"]
    assert {k: sent.get(k) for k in ("responder_id", "type", "group_id", "priority",
                                     "custom_fields", "brand_id")} == {
        "responder_id": emu.AGENT_ID, "type": "Refund", "group_id": 43000000102,
        "priority": 4, "custom_fields": {"cf_social_channel": "X", "cf_order_value": 2.5},
        "brand_id": None}
