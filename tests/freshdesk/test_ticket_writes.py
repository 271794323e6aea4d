"""A new ticket with everything the rules decided goes to Freshdesk in one call, in
Freshdesk's shape: ``responder_id``, ``type``, integer priority, ``custom_fields`` as an
object; no brand (Freshdesk has none)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.domain import NewComment, NewTicket, Requester
from bridge.errors import PermanentError, RefusedFields
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


def test_values_the_account_refuses_are_left_out_and_named_in_a_note(
        emu: FreshdeskEmulator) -> None:
    """A rule names a ticket type and a group the account no longer has, and a dropdown
    choice that was removed: the ticket is still created, with the customer's message,
    and a private note says what was left out and Freshdesk's reason."""
    fd = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=2)
    author = fd.ensure_requester(Requester("x:1:3", "Bea"))
    ticket = NewTicket(author, "Where is my parcel?", NewComment(author, "Where is my parcel?"),
                       "m-2", group_id="999", ticket_type="Gone",
                       custom_fields=(("cf_social_channel", "X"), ("cf_region", "Mars")))
    before = len(emu.requests_log())
    ref = fd.create_ticket(ticket)
    calls = emu.requests_log()[before:]
    posts = [c for c in calls if c["path"] == "/api/v2/tickets"]
    # Freshdesk names every refused value in one 400: all are left out in a single retry.
    assert [c["status"] for c in posts] == [400, 201]
    retried = posts[-1]["json"]
    assert "type" not in retried and "group_id" not in retried
    assert retried["custom_fields"] == {"cf_social_channel": "X"}  # the valid one stays
    assert retried["description"] == posts[0]["json"]["description"]
    [note_call] = [c for c in calls if c["path"] == f"/api/v2/tickets/{ref.ticket_id}/notes"]
    note = note_call["json"]
    assert note["private"] is True
    assert "group_id = 999" in note["body"] and "type = 'Gone'" in note["body"]
    assert "cf_region = 'Mars'" in note["body"]
    assert "It should be one of these values" in note["body"]


def test_a_refusal_about_the_message_itself_is_not_retried(emu: FreshdeskEmulator) -> None:
    """Leaving out a rule's values cannot fix a refused requester: one call, an error."""
    fd = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=2)
    ticket = NewTicket("424242", "Hi", NewComment("424242", "Hi"), "m-3")
    before = len(emu.requests_log())
    with pytest.raises(PermanentError) as refused:
        fd.create_ticket(ticket)
    assert not isinstance(refused.value, RefusedFields)
    assert len(emu.requests_log()) - before == 1
