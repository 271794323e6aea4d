"""One test per file in ../shared/fixtures/freshdesk_api (sample bodies from
sjkingo/python-freshdesk), through the adapter over a canned transport where the adapter
reads that body, and through the typed models and the emulator's shapes otherwise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bridge.domain import NewComment, Requester
from bridge.errors import PermanentError
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.freshdesk.check import check
from bridge.freshdesk.mapping import (
    agent_replies,
    conversation_text,
    is_agent_reply,
    is_closed,
    marker_tag,
    normalise_status,
)
from bridge.freshdesk.payloads import (
    ApiAgent,
    ApiContact,
    ApiConversation,
    ApiTicket,
    SearchPage,
)
from tests.freshdesk import (
    API_KEY,
    CANNED_URL,
    CannedFreshdesk,
    Route,
    assert_every_fixture_has_a_test,
    fixture_bytes,
    fixture_json,
    running_emulator,
)

FOLDER = "freshdesk_api"
# Keys of the 2016 sample bodies that the current API no longer sends.
LEGACY_CONTACT_KEYS = {"customer_id", "external_id", "fb_profile_id", "helpdesk_agent",
                       "custom_field"}
LEGACY_TICKET_KEYS = {"cc_email", "delta", "description_html", "frDueBy", "isescalated",
                      "owner_id", "ticket_type", "to_email", "trained", "urgent", "status_name",
                      "requester_status_name", "priority_name", "source_name", "requester_name",
                      "responder_name", "custom_field", "stats", "requester"}
EMPTY_SEARCH = b'{"total": 0, "results": []}'


def canned(routes: dict[tuple[str, str], Route | str]
           ) -> tuple[FreshdeskHelpdesk, CannedFreshdesk]:
    """An adapter whose session answers each ``(method, path)``; a str names a fixture."""
    helpdesk = FreshdeskHelpdesk(base_url=CANNED_URL, api_key="k", timeout=2)
    resolved: dict[tuple[str, str], Route] = {
        key: (200 if key[0] == "GET" else 201, fixture_bytes(FOLDER, value))
        if isinstance(value, str) else value
        for key, value in routes.items()
    }
    transport = CannedFreshdesk(resolved)
    helpdesk.client.session.mount(CANNED_URL, transport)
    return helpdesk, transport


def emulator_keys(kind: str) -> set[str]:
    """The keys of a contact or ticket as the emulator serves it."""
    from emulators.freshdesk import FreshdeskEmulator

    with running_emulator() as emu:
        assert isinstance(emu, FreshdeskEmulator)
        helpdesk = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=2)
        contact = helpdesk.ensure_requester(Requester("x:1:2", "Rachel"))
        if kind == "contact":
            return set(helpdesk.request("GET", f"contacts/{contact}").body)
        body = {"requester_id": int(contact), "subject": "s", "description": "<div>d</div>",
                "status": 2, "priority": 1}
        created = helpdesk.request("POST", "tickets", json=body).body
        return set(helpdesk.request("GET", f"tickets/{created['id']}").body)


def test_agent_get_200() -> None:
    agent = ApiAgent.model_validate(fixture_json(FOLDER, "agent_get_200.json"))
    assert agent.id == 1 and agent.contact is not None
    assert (agent.contact.name, agent.contact.email) == ("Rachel", "rachel@freshdesk.com")
    helpdesk, transport = canned({("GET", "/api/v2/agents/me"): "agent_get_200.json",
                                  ("GET", "/api/v2/ticket_fields"): (200, b"[]")})
    result = check(helpdesk)
    assert (result.agent_id, result.agent_name, result.agent_email) == (
        1, "Rachel", "rachel@freshdesk.com")
    assert transport.calls() == ["GET /api/v2/agents/me", "GET /api/v2/ticket_fields"]
    assert "credentials OK, API agent 1 Rachel <rachel@freshdesk.com>" in result.lines()[0]


def test_contact_get_200() -> None:
    helpdesk, transport = canned({("POST", "/api/v2/contacts"): "contact_get_200.json"})
    assert helpdesk.ensure_requester(Requester("messenger:page:psid", "Rachel")) == "1"
    assert transport.sent_json(0) == {"name": "Rachel",
                                      "unique_external_id": "messenger:page:psid"}
    assert transport.sent[0].headers["Authorization"].startswith("Basic ")
    fixture = fixture_json(FOLDER, "contact_get_200.json")
    missing = set(fixture) - LEGACY_CONTACT_KEYS - emulator_keys("contact")
    assert not missing, f"the emulator's contacts lack {missing}"


def test_contact_update_200() -> None:
    before = fixture_json(FOLDER, "contact_get_200.json")
    after = fixture_json(FOLDER, "contact_update_200.json")
    assert {k for k in after if after[k] != before[k]} == {"name"}
    contact = ApiContact.model_validate(after)
    assert (contact.id, contact.name, contact.deleted, contact.unique_external_id) == (
        1, "New Name", False, None)


def test_contacts_list_200() -> None:
    """A 409 without ``additional_info``: the contact is looked up by its external id,
    and Freshdesk's answer is checked, not trusted (these contacts have no such id)."""
    duplicate = json.dumps({"description": "Validation failed", "errors": [{
        "field": "unique_external_id", "message": "It should be a unique value",
        "code": "duplicate_value"}]}).encode()
    helpdesk, transport = canned({("POST", "/api/v2/contacts"): (409, duplicate),
                                  ("GET", "/api/v2/contacts"): "contacts_list_200.json"})
    with pytest.raises(PermanentError, match="does not list it"):
        helpdesk.ensure_requester(Requester("telegram:bot:42", "Rachel"))
    assert transport.calls() == ["POST /api/v2/contacts", "GET /api/v2/contacts"]
    assert transport.query(1) == {"unique_external_id": "telegram:bot:42"}
    contacts = [ApiContact.model_validate(c)
                for c in fixture_json(FOLDER, "contacts_list_200.json")]
    assert [c.id for c in contacts] == [1, 1]


def test_conversations_list_200() -> None:
    helpdesk, transport = canned({
        ("GET", "/api/v2/agents/me"): "agent_get_200.json",
        ("GET", "/api/v2/tickets/1"): "ticket_get_200.json",
        ("GET", "/api/v2/tickets/1/conversations"): "conversations_list_200.json",
    })
    # The sample reply is by user 1, the API key's own agent: the loop guard drops it.
    assert helpdesk.read_ticket("1").replies == ()
    assert transport.calls() == ["GET /api/v2/agents/me", "GET /api/v2/tickets/1",
                                 "GET /api/v2/tickets/1/conversations"]
    assert transport.query(2) == {"per_page": "100"}
    items = [ApiConversation.model_validate(c)
             for c in fixture_json(FOLDER, "conversations_list_200.json")]
    (reply,) = agent_replies(items, api_agent_id=99)
    assert (reply.comment_id, reply.body, reply.author_name) == ("2", "This is a reply",
                                                                 "Rachel")
    assert reply.created_at == datetime(2016, 5, 19, 5, 36, 14, tzinfo=UTC)


def test_note_create_201() -> None:
    helpdesk, transport = canned({("POST", "/api/v2/tickets/1/notes"): "note_create_201.json"})
    helpdesk.add_internal_note("1", "Delivered to Messenger ✅")
    assert transport.sent_json(0) == {
        "body": '<div style="white-space: pre-wrap">Delivered to Messenger ✅</div>',
        "private": True}
    note = ApiConversation.model_validate(fixture_json(FOLDER, "note_create_201.json"))
    assert (note.private, note.incoming, note.source) == (True, False, 2)
    assert not is_agent_reply(note, None)
    assert conversation_text(note) == note.body_text == "This is a private note"


def test_outbound_email_create_201() -> None:
    ticket = ApiTicket.model_validate(fixture_json(FOLDER, "outbound_email_create_201.json"))
    assert (ticket.id, ticket.status, ticket.priority, ticket.source) == (1, 2, 1, 2)
    assert normalise_status(ticket) == "open" and not is_closed(ticket)
    assert ticket.tags == ("foo", "bar")
    assert set(ticket.custom_fields) == {"parent_or_child", "parent_ticket_id",
                                         "child_ticket_id"}


def test_reply_create_201() -> None:
    reply = ApiConversation.model_validate(fixture_json(FOLDER, "reply_create_201.json"))
    assert (reply.source, reply.private, reply.incoming, reply.user_id) == (0, False, False, 1)
    assert is_agent_reply(reply, api_agent_id=None)
    assert not is_agent_reply(reply, api_agent_id=1)  # written by the bridge itself
    assert conversation_text(reply) == "This is a reply"


def test_search_contacts_200() -> None:
    """Shape only: the adapter finds contacts with the exact list filter
    (``/contacts?unique_external_id=``), never the lagging search index."""
    page = fixture_json(FOLDER, "search_contacts_200.json")
    assert page["total"] == 2 and len(page["results"]) == 2
    contacts = [ApiContact.model_validate(c) for c in page["results"]]
    assert {(c.id, c.name, c.email) for c in contacts} == {(1, "Rachel", "rachel@freshdesk.com")}


def test_search_tickets_200() -> None:
    """Search results are checked for our tag (the index may match loosely)."""
    page = SearchPage.model_validate(fixture_json(FOLDER, "search_tickets_200.json"))
    assert page.total == 2 and [t.tags for t in page.results] == [("mytag",),
                                                                  ("mytag", "myothertag")]
    helpdesk, transport = canned({("GET", "/api/v2/search/tickets"): "search_tickets_200.json",
                                  ("GET", "/api/v2/tickets"): (200, b"[]")})
    assert helpdesk.find_ticket("social-bridge-1-1") is None
    assert transport.calls() == ["GET /api/v2/search/tickets", "GET /api/v2/tickets"]
    assert transport.query(0) == {"query": f"\"tag:'{marker_tag('social-bridge-1-1')}'\""}


def test_ticket_get_200() -> None:
    helpdesk, transport = canned({
        ("GET", "/api/v2/tickets/1"): "ticket_get_200.json",
        ("POST", "/api/v2/tickets/1/notes"): "note_create_201.json",
    })
    ref = helpdesk.add_customer_comment("1", NewComment("6012691534", "still there?"))
    assert transport.calls() == ["GET /api/v2/tickets/1", "POST /api/v2/tickets/1/notes"]
    assert transport.sent_json(1) == {
        "body": '<div style="white-space: pre-wrap">still there?</div>', "private": False,
        "incoming": True, "user_id": 6012691534}
    assert (ref.ticket_id, ref.comment_id) == ("1", "1")
    ticket = ApiTicket.model_validate(fixture_json(FOLDER, "ticket_get_200.json"))
    assert [a.attachment_url for a in ticket.attachments] == [
        "https://cdn.freshdesk.com/data/helpdesk/attachments/production/4004881085/original/"
        "attachment.txt"]
    fixture = fixture_json(FOLDER, "ticket_get_200.json")
    missing = set(fixture) - LEGACY_TICKET_KEYS - emulator_keys("ticket")
    assert not missing, f"the emulator's tickets lack {missing}"


def test_ticket_update_200() -> None:
    """A resolved ticket (status 4) is set back to Open before the customer's note."""
    helpdesk, transport = canned({
        ("GET", "/api/v2/tickets/1"): "ticket_update_200.json",
        ("PUT", "/api/v2/tickets/1"): (200, fixture_bytes(FOLDER, "ticket_get_200.json")),
        ("POST", "/api/v2/tickets/1/notes"): "note_create_201.json",
    })
    helpdesk.add_customer_comment("1", NewComment("6012691534", "it broke again"))
    assert transport.calls() == ["GET /api/v2/tickets/1", "PUT /api/v2/tickets/1",
                                 "POST /api/v2/tickets/1/notes"]
    assert transport.sent_json(1) == {"status": 2}
    ticket = ApiTicket.model_validate(fixture_json(FOLDER, "ticket_update_200.json"))
    assert normalise_status(ticket) == "solved" and ticket.tags == ("hello", "world")


def test_tickets_list_200() -> None:
    """The list fallback of ``find_ticket`` (search lags): found by our tag only."""
    body: list[dict[str, Any]] = fixture_json(FOLDER, "tickets_list_200.json")
    routes: dict[tuple[str, str], Route | str] = {
        ("GET", "/api/v2/search/tickets"): (200, EMPTY_SEARCH),
        ("GET", "/api/v2/tickets"): "tickets_list_200.json"}
    helpdesk, transport = canned(routes)
    assert helpdesk.find_ticket("social-bridge-7-9") is None
    assert transport.query(1) == {"order_by": "created_at", "order_type": "desc",
                                  "per_page": "100"}
    body[0]["tags"].append(marker_tag("social-bridge-7-9"))
    routes[("GET", "/api/v2/tickets")] = (200, json.dumps(body).encode())
    helpdesk, transport = canned(routes)
    found = helpdesk.find_ticket("social-bridge-7-9")
    assert found is not None and (found.ticket_id, found.comment_id) == ("1", None)


def test_every_fixture_has_a_test() -> None:
    assert_every_fixture_has_a_test(FOLDER, globals())
