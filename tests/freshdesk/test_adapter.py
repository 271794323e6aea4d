"""FreshdeskHelpdesk against the Freshdesk emulator: Freshdesk-specific behaviour.

What every helpdesk must do is in tests/contract; this file covers how the Freshdesk
adapter does it (contacts, HTML, notes, reopening, follow-up notes, search lag, pacing,
check). Call counts come from the emulator's request log, so they are what Freshdesk
would count against the rate limit.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from bridge.config import Settings
from bridge.domain import NewComment, NewTicket, Requester, TicketActions, TicketRef, Upload
from bridge.errors import ConfigError, PermanentError, TicketClosed, TransientError
from bridge.freshdesk import signature
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.freshdesk.check import check
from bridge.freshdesk.mapping import marker_tag, text_from_html
from bridge.freshdesk.payloads import ticket_id_from_webhook
from emulators.freshdesk import FreshdeskEmulator
from tests.freshdesk import API_KEY, running_emulator
from tests.helpdesks import SCRIPTS, calls, emulator_fixtures, webhook_receiver

API_AGENT, AGENT = FreshdeskEmulator.API_AGENT_ID, FreshdeskEmulator.AGENT_ID
BODIES = {**SCRIPTS, "markup": "<b>not bold</b> &amp; a < b > c\r\nline two\n"}


server, emu = emulator_fixtures(running_emulator)


@pytest.fixture
def fd(emu: FreshdeskEmulator) -> FreshdeskHelpdesk:
    return FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=2)


def requester(fd: FreshdeskHelpdesk, external_id: str = "messenger:page1:user1") -> str:
    return fd.ensure_requester(Requester(external_id, "Ana Customer"))


def open_ticket(fd: FreshdeskHelpdesk, body: str = "Hello", marker: str = "m-1",
                **extra: Any) -> tuple[TicketRef, str]:
    author = requester(fd)
    new = NewTicket(author, "Hello", NewComment(author, body), marker,
                    tags=("social", "messenger"), **extra)
    return fd.create_ticket(new), author


def stored_texts(emu: FreshdeskEmulator, ticket_id: str) -> list[str]:
    """The description and the customer's incoming notes, decoded, oldest first."""
    ticket = emu.state.tickets[int(ticket_id)]
    notes = [c for c in emu.state.conversations[int(ticket_id)]
             if c["incoming"] and not c["private"] and c["user_id"] == ticket["requester_id"]]
    return [text_from_html(ticket["description"])] + [text_from_html(c["body"]) for c in notes]


# ---- configuration -----------------------------------------------------------------------


def test_built_from_settings(emu: FreshdeskEmulator) -> None:
    fd = FreshdeskHelpdesk(Settings(FRESHDESK_BASE_URL=emu.base_url + "/api/v2/",
                                    FRESHDESK_API_KEY=API_KEY, BRIDGE_HTTP_TIMEOUT=7.5))
    assert (fd.name, fd.base_url, fd.timeout) == ("freshdesk", emu.base_url, 7.5)
    assert fd.api_agent().id == API_AGENT
    for domain in ("acme", "acme.freshdesk.com", "https://acme.freshdesk.com/"):
        built = FreshdeskHelpdesk(Settings(FRESHDESK_DOMAIN=domain, FRESHDESK_API_KEY="k"))
        assert built.base_url == "https://acme.freshdesk.com"
    with pytest.raises(ConfigError, match="FRESHDESK_API_KEY"):
        FreshdeskHelpdesk(Settings(FRESHDESK_DOMAIN="acme", FRESHDESK_API_KEY=""))
    with pytest.raises(ConfigError, match="FRESHDESK_DOMAIN"):
        FreshdeskHelpdesk(Settings(FRESHDESK_API_KEY="k"))


# ---- contacts ----------------------------------------------------------------------------


def test_contact_is_created_once_then_reused(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk
                                            ) -> None:
    first = requester(fd)
    second = requester(fd)
    other = requester(fd, "messenger:page1:user2")
    assert first == second != other
    assert len(emu.state.contacts) == 2
    contact = emu.state.contacts[int(first)]
    assert (contact["name"], contact["unique_external_id"]) == ("Ana Customer",
                                                                "messenger:page1:user1")
    # A new sender is one call; a known one is one refused create (409 names the id).
    assert calls(emu) == ["POST /api/v2/contacts"] * 3
    assert [r["status"] for r in emu.requests_log()] == [201, 409, 201]


def test_duplicate_without_user_id_is_looked_up(emu: FreshdeskEmulator,
                                                fd: FreshdeskHelpdesk) -> None:
    first = requester(fd)
    bare = {"description": "Validation failed", "errors": [{
        "field": "unique_external_id", "message": "It should be a unique value",
        "code": "duplicate_value"}]}
    emu.add_fault(r"/contacts$", method="POST", status=409, body=bare)
    assert requester(fd) == first
    assert calls(emu, 1) == ["POST /api/v2/contacts", "GET /api/v2/contacts"]
    assert emu.requests_log()[-1]["query"] == {"unique_external_id": "messenger:page1:user1"}
    assert len(emu.state.contacts) == 1


def test_contact_without_a_name_uses_the_external_id(emu: FreshdeskEmulator,
                                                     fd: FreshdeskHelpdesk) -> None:
    contact_id = fd.ensure_requester(Requester("telegram:bot:99", ""))
    assert emu.state.contacts[int(contact_id)]["name"] == "telegram:bot:99"


# ---- tickets -----------------------------------------------------------------------------


def test_new_conversation_is_two_calls(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd, body="Hi <there> & welcome", marker="msg-42")
    assert calls(emu) == ["POST /api/v2/contacts", "POST /api/v2/tickets"]
    assert ref == TicketRef(ref.ticket_id, None)  # the first message is the description
    ticket = emu.state.tickets[int(ref.ticket_id)]
    assert ticket["tags"] == ["social", "messenger", marker_tag("msg-42")]
    assert (ticket["status"], ticket["priority"], ticket["source"]) == (2, 1, 7)
    assert ticket["requester_id"] == int(author)
    assert ticket["description"] == ('<div style="white-space: pre-wrap">'
                                     "Hi &lt;there&gt; &amp; welcome</div>")
    assert ticket["description_text"] == "Hi <there> & welcome"
    assert emu.state.conversations[int(ref.ticket_id)] == []


def test_priority_group_and_custom_fields(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk
                                         ) -> None:
    custom = (("cf_social_channel", "Messenger"), ("cf_vip", True), ("cf_order_number", 1234),
              ("cf_follow_up_date", "2025-03-01"), ("cf_customer_handle", "@ana"))
    ref, _ = open_ticket(fd, priority="urgent", group_id="43000000101", custom_fields=custom)
    ticket = emu.state.tickets[int(ref.ticket_id)]
    assert (ticket["priority"], ticket["group_id"]) == (4, 43000000101)
    assert {k: ticket["custom_fields"][k] for k, _ in custom} == dict(custom)


def test_refused_custom_fields_are_left_out_with_freshdesks_errors_in_a_note(
        emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    ref, _ = open_ticket(fd, body="Where is it?",
                         custom_fields=(("cf_social_channel", "Myspace"), ("cf_nope", 1)))
    tid = int(ref.ticket_id)
    assert stored_texts(emu, ref.ticket_id) == ["Where is it?"]
    assert not emu.state.tickets[tid].get("custom_fields", {}).get("cf_social_channel")
    [note] = [c for c in emu.state.conversations[tid] if c["private"]]
    text = note["body_text"] if "body_text" in note else note["body"]
    assert "cf_social_channel = 'Myspace'" in text and "cf_nope = 1" in text
    assert "cf_social_channel: It should be one of these values" in text
    assert "cf_nope: Unexpected/invalid field in request (invalid_field)" in text


def test_unknown_priority_is_permanent(fd: FreshdeskHelpdesk) -> None:
    with pytest.raises(PermanentError, match="no priority 'whenever'"):
        open_ticket(fd, priority="whenever")


def test_comments_are_incoming_public_notes_in_order(emu: FreshdeskEmulator,
                                                     fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd, body="first")
    since = len(emu.requests_log())
    refs = [fd.add_customer_comment(ref.ticket_id, NewComment(author, f"message {n}"))
            for n in range(3)]
    tid = int(ref.ticket_id)
    assert calls(emu, since) == [f"GET /api/v2/tickets/{tid}",
                                 f"POST /api/v2/tickets/{tid}/notes"] * 3
    notes = emu.state.conversations[tid]
    assert [str(n["id"]) for n in notes] == [r.comment_id for r in refs]
    assert all((n["incoming"], n["private"], n["user_id"], n["source"])
               == (True, False, int(author), 2) for n in notes)
    assert stored_texts(emu, ref.ticket_id) == ["first", "message 0", "message 1", "message 2"]


@pytest.mark.parametrize("script", sorted(BODIES))
def test_text_arrives_byte_for_byte(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk,
                                    script: str) -> None:
    body = BODIES[script]
    ref, author = open_ticket(fd, body=body)
    second = fd.add_customer_comment(ref.ticket_id, NewComment(author, body + " (2)"))
    texts = stored_texts(emu, ref.ticket_id)
    assert [t.encode("utf-8") for t in texts] == [body.encode("utf-8"),
                                                  (body + " (2)").encode("utf-8")]
    again = NewComment(author, body + " (2)")
    assert fd.find_customer_comment(ref.ticket_id, again, None) == second


@pytest.mark.parametrize("status", [3, 4, 6, 7])
def test_waiting_or_resolved_ticket_is_reopened_first(emu: FreshdeskEmulator,
                                                      fd: FreshdeskHelpdesk, status: int) -> None:
    ref, author = open_ticket(fd)
    emu.set_status(int(ref.ticket_id), status)
    since = len(emu.requests_log())
    fd.add_customer_comment(ref.ticket_id, NewComment(author, "still broken"))
    tid = ref.ticket_id
    assert calls(emu, since) == [f"GET /api/v2/tickets/{tid}", f"PUT /api/v2/tickets/{tid}",
                                 f"POST /api/v2/tickets/{tid}/notes"]
    assert emu.requests_log()[since + 1]["json"] == {"status": 2}
    assert emu.state.tickets[int(tid)]["status"] == 2
    assert fd.read_ticket(tid).status == "open"


def test_reopen_survives_a_failed_note(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    """Reopen first: a retry after the note failed finds the ticket open, the note missing."""
    ref, author = open_ticket(fd)
    emu.set_status(int(ref.ticket_id), "Resolved")
    emu.add_fault(r"/notes$", method="POST", status=503)
    comment = NewComment(author, "hello?")
    with pytest.raises(TransientError):
        fd.add_customer_comment(ref.ticket_id, comment)
    assert emu.state.tickets[int(ref.ticket_id)]["status"] == 2
    assert fd.find_customer_comment(ref.ticket_id, comment, None) is None
    added = fd.add_customer_comment(ref.ticket_id, comment)
    assert fd.find_customer_comment(ref.ticket_id, comment, None) == added


def test_closed_ticket_then_followup_with_notes_on_both(emu: FreshdeskEmulator,
                                                        fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd)
    emu.set_status(int(ref.ticket_id), "Closed")
    since = len(emu.requests_log())
    with pytest.raises(TicketClosed, match="closed"):
        fd.add_customer_comment(ref.ticket_id, NewComment(author, "hello again"))
    assert calls(emu, since) == [f"GET /api/v2/tickets/{ref.ticket_id}"]  # nothing written
    followup = fd.create_ticket(NewTicket(author, "hello again", NewComment(author, "hello again"),
                                          "m-2", tags=("social", "messenger"),
                                          followup_of=ref.ticket_id))
    old, new = int(ref.ticket_id), int(followup.ticket_id)
    assert emu.state.tickets[new]["tags"][-1] == f"bridge_followup_{old}"
    assert stored_texts(emu, followup.ticket_id) == ["hello again"]
    (on_new,) = emu.state.conversations[new]
    (on_old,) = emu.state.conversations[old]
    for note, other in ((on_new, old), (on_old, new)):
        assert (note["private"], note["user_id"]) == (True, API_AGENT)
        assert f"#{other}" in text_from_html(note["body"])
    assert emu.state.tickets[old]["status"] == 5  # the closed ticket stays closed


@pytest.mark.parametrize("how", ["deleted", "spam", "gone"])
def test_trashed_spam_or_missing_ticket_takes_no_comment(emu: FreshdeskEmulator,
                                                         fd: FreshdeskHelpdesk, how: str) -> None:
    ref, author = open_ticket(fd)
    with emu.state.lock:
        if how == "gone":
            del emu.state.tickets[int(ref.ticket_id)]
        else:
            emu.state.tickets[int(ref.ticket_id)][how] = True
    with pytest.raises(TicketClosed):
        fd.add_customer_comment(ref.ticket_id, NewComment(author, "anyone?"))


def test_find_ticket_is_one_search_call(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    ref, _ = open_ticket(fd, marker="messenger:mid.123")
    since = len(emu.requests_log())
    assert fd.find_ticket("messenger:mid.123") == TicketRef(ref.ticket_id, None)
    assert calls(emu, since) == ["GET /api/v2/search/tickets"]
    assert emu.requests_log()[-1]["query"] == {
        "query": f"\"tag:'{marker_tag('messenger:mid.123')}'\""}
    since = len(emu.requests_log())
    assert fd.find_ticket("messenger:mid.999") is None
    assert calls(emu, since) == ["GET /api/v2/search/tickets", "GET /api/v2/tickets"]


def test_find_ticket_despite_search_lag(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    """Freshdesk's search index trails by minutes: the newest tickets are listed too."""
    emu.set_search_lag(600)
    ref, _ = open_ticket(fd, marker="m-lag")
    since = len(emu.requests_log())
    assert fd.find_ticket("m-lag") == TicketRef(ref.ticket_id, None)
    assert calls(emu, since) == ["GET /api/v2/search/tickets", "GET /api/v2/tickets"]


def test_find_ticket_writes_followup_notes_a_crash_missed(emu: FreshdeskEmulator,
                                                          fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd)
    emu.set_status(int(ref.ticket_id), 5)
    emu.add_fault(r"/notes$", method="POST", status=500)
    new = NewTicket(author, "again", NewComment(author, "again"), "m-2",
                    followup_of=ref.ticket_id)
    with pytest.raises(TransientError):
        fd.create_ticket(new)  # the ticket exists, its notes do not
    found = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY).find_ticket("m-2")
    assert found is not None
    for _ in range(2):  # the second recovery finds the notes and writes nothing
        assert fd.find_ticket("m-2") == found
        assert len(emu.state.conversations[int(found.ticket_id)]) == 1
        assert len(emu.state.conversations[int(ref.ticket_id)]) == 1


def test_find_customer_comment(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd, body="same words")
    again = NewComment(author, "same words")
    first = fd.add_customer_comment(ref.ticket_id, again)  # the description is no note
    second = fd.add_customer_comment(ref.ticket_id, again)
    assert fd.find_customer_comment(ref.ticket_id, again, None) == first
    assert fd.find_customer_comment(ref.ticket_id, again, first.comment_id) == second
    assert fd.find_customer_comment(ref.ticket_id, again, second.comment_id) is None
    assert fd.find_customer_comment(ref.ticket_id, NewComment(author, "same"), None) is None
    assert fd.find_customer_comment(ref.ticket_id, NewComment(str(AGENT), "same words"),
                                    None) is None


def test_find_customer_comment_tolerates_rewritten_html(emu: FreshdeskEmulator,
                                                        fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd)
    added = fd.add_customer_comment(ref.ticket_id, NewComment(author, "two  spaces\nand a line"))
    with emu.state.lock:  # as if Freshdesk's sanitiser had rewritten our HTML
        emu.state.conversations[int(ref.ticket_id)][0]["body"] = (
            "<div>two&nbsp; spaces</div><div>and a line</div>")
    found = fd.find_customer_comment(ref.ticket_id, NewComment(author, "two  spaces\nand a line"),
                                     None)
    assert found == added


def test_internal_note_is_private_and_keeps_status(emu: FreshdeskEmulator,
                                                   fd: FreshdeskHelpdesk) -> None:
    ref, _ = open_ticket(fd)
    emu.set_status(int(ref.ticket_id), "Pending")
    since = len(emu.requests_log())
    fd.add_internal_note(ref.ticket_id, "Delivered to Messenger ✅\nwith the HUMAN_AGENT tag")
    assert calls(emu, since) == [f"POST /api/v2/tickets/{ref.ticket_id}/notes"]
    (note,) = emu.state.conversations[int(ref.ticket_id)]
    assert (note["private"], note["incoming"], note["user_id"]) == (True, False, API_AGENT)
    assert text_from_html(note["body"]) == "Delivered to Messenger ✅\nwith the HUMAN_AGENT tag"
    assert emu.state.tickets[int(ref.ticket_id)]["status"] == 3


def test_read_ticket_returns_only_agent_replies(emu: FreshdeskEmulator,
                                                fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd, body="customer asks")
    tid = int(ref.ticket_id)
    fd.add_customer_comment(ref.ticket_id, NewComment(author, "customer again"))
    emu.agent_reply(tid, "<div>First answer</div>")
    emu.private_note(tid, "<div>private chat among agents</div>")
    emu.public_note(tid, "<div>a public note is not emailed either</div>")
    emu.agent_reply(tid, "<div>the bridge's own reply</div>", user_id=API_AGENT)
    fd.add_internal_note(ref.ticket_id, "internal")
    emu.agent_reply(tid, '<p>Second <b>answer</b></p><p>line two</p><div class="freshdesk_quote">'
                         "<blockquote>On Monday Ana wrote: customer asks</blockquote></div>")
    emu.set_status(tid, "Pending")
    since = len(emu.requests_log())
    view = fd.read_ticket(ref.ticket_id)
    assert calls(emu, since) == ["GET /api/v2/agents/me", f"GET /api/v2/tickets/{tid}",
                                 f"GET /api/v2/tickets/{tid}/conversations"]
    assert view.status == "pending"
    assert [r.body for r in view.replies] == ["First answer", "Second answer\n\nline two"]
    assert {r.author_name for r in view.replies} == {"Agent Smith"}
    assert all(r.created_at is not None and r.created_at.utcoffset() is not None
               for r in view.replies)
    since = len(emu.requests_log())
    assert fd.read_ticket(ref.ticket_id) == view  # the same ids: each reply once
    assert len(calls(emu, since)) == 2  # agents/me is cached


def test_read_ticket_follows_every_page(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    ref, _ = open_ticket(fd)
    for n in range(120):
        emu.agent_reply(int(ref.ticket_id), f"<div>answer {n}</div>")
    view = fd.read_ticket(ref.ticket_id)
    assert [r.body for r in view.replies] == [f"answer {n}" for n in range(120)]
    pages = [r for r in emu.requests_log() if r["path"].endswith("/conversations")]
    assert [p["query"] for p in pages] == [{"per_page": "100"},
                                          {"page": "2", "per_page": "100"}]


def test_files_are_attached(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    author = requester(fd)
    photo = Upload("p.png", "image/png", b"\x89PNG..")
    comment = NewComment(author, "see photo ✅\n[image] p.png", (photo,))
    ref = fd.create_ticket(NewTicket(author, "photo", comment, "m-up", tags=("social", "x"),
                                     custom_fields=(("cf_vip", True),)))
    ticket = emu.state.tickets[int(ref.ticket_id)]
    assert [a["name"] for a in ticket["attachments"]] == ["p.png"]
    assert (ticket["tags"][:2], ticket["custom_fields"]["cf_vip"]) == (["social", "x"], True)
    assert stored_texts(emu, ref.ticket_id) == ["see photo ✅\n[image] p.png"]
    doc = Upload("a.pdf", "application/pdf", b"%PDF-1.4")
    fd.add_customer_comment(ref.ticket_id, NewComment(author, "and a file", (doc,)))
    (note,) = emu.state.conversations[int(ref.ticket_id)]
    (attached,) = note["attachments"]
    assert (note["incoming"], note["private"]) == (True, False)
    assert requests.get(attached["attachment_url"], timeout=5).content == b"%PDF-1.4"


# ---- failures and rate limits ------------------------------------------------------------


def test_paces_itself_before_the_rate_limit(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk
                                           ) -> None:
    ref, author = open_ticket(fd)
    emu.set_rate_limit(40)  # a fresh minute of 40 calls; the threshold is 3 calls
    with pytest.raises(TransientError, match="pausing before Freshdesk answers 429") as caught:
        for n in range(40):
            fd.add_customer_comment(ref.ticket_id, NewComment(author, f"m{n}"))
    statuses = [r["status"] for r in emu.requests_log()]
    assert 429 not in statuses
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 60
    remaining = emu.requests_log()[-1]
    assert remaining["status"] < 300
    assert len(emu.requests_log()) == 2 + 37 + 1  # stopped with 3 calls (or fewer) left


def test_pacing_resumes_when_the_minute_is_over(emu: FreshdeskEmulator,
                                                fd: FreshdeskHelpdesk) -> None:
    clock = [1000.0]
    fd.client.pacer.monotonic = lambda: clock[0]
    emu.set_rate_limit(10)
    contact = requester(fd)
    with pytest.raises(TransientError) as caught:
        for _ in range(10):
            requester(fd)
    assert caught.value.retry_after == 60.0  # the window started, as far as we saw, then
    assert len(emu.requests_log()) == 7  # of 10 calls, stopped with 3 left
    clock[0] += 59.5
    with pytest.raises(TransientError) as again:
        requester(fd)
    assert again.value.retry_after == 1.0
    clock[0] += 1.0
    emu.state.reset_rate_window()  # Freshdesk's minute is over too
    assert requester(fd) == contact


def test_429_is_transient_with_retry_after_and_no_sleep(emu: FreshdeskEmulator,
                                                        fd: FreshdeskHelpdesk) -> None:
    ref, author = open_ticket(fd)
    emu.add_fault(r"/notes$", method="POST", status=429, retry_after=30)
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"rate limit \(429\)") as caught:
        fd.add_customer_comment(ref.ticket_id, NewComment(author, "x"))
    assert time.monotonic() - started < 1.0
    assert caught.value.retry_after == 30.0
    # The same instance waits out the Retry-After without asking Freshdesk again.
    since = len(emu.requests_log())
    with pytest.raises(TransientError) as again:
        fd.read_ticket(ref.ticket_id)
    assert calls(emu, since) == [] and again.value.retry_after is not None
    assert 29 <= again.value.retry_after <= 30


def test_real_429_from_the_limit(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk) -> None:
    emu.set_rate_limit(3)
    for _ in range(3):  # another process spends the minute
        requests.get(f"{emu.base_url}/api/v2/agents/me", auth=(API_KEY, "X"), timeout=5)
    with pytest.raises(TransientError) as caught:
        fd.read_ticket("1")
    assert caught.value.retry_after is not None and 1 <= caught.value.retry_after <= 60
    assert emu.requests_log()[-1]["status"] == 429


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_transient(emu: FreshdeskEmulator, fd: FreshdeskHelpdesk,
                                     status: int) -> None:
    emu.add_fault(r"/tickets$", method="POST", status=status)
    with pytest.raises(TransientError, match=rf"\({status}\)") as caught:
        open_ticket(fd)
    assert caught.value.retry_after is None


def test_timeout_is_transient(emu: FreshdeskEmulator) -> None:
    fd = FreshdeskHelpdesk(base_url=emu.base_url, api_key=API_KEY, timeout=0.3)
    emu.add_fault(r"/contacts$", delay=1.5)
    with pytest.raises(TransientError, match="timed out"):
        requester(fd)


def test_unreachable_is_transient() -> None:
    fd = FreshdeskHelpdesk(base_url="http://127.0.0.1:9", api_key="k", timeout=1)
    with pytest.raises(TransientError, match="unreachable"):
        fd.add_internal_note("1", "x")


def test_invalid_key_is_permanent_with_a_clear_message(emu: FreshdeskEmulator) -> None:
    fd = FreshdeskHelpdesk(base_url=emu.base_url, api_key="wrong", timeout=2)
    with pytest.raises(PermanentError) as caught:
        requester(fd)
    assert str(caught.value) == (
        "Freshdesk refused the credentials (401): You have to be logged in to perform this "
        "action. (invalid_credentials); check FRESHDESK_API_KEY / FRESHDESK_DOMAIN "
        "(or FRESHDESK_BASE_URL)")


# ---- check and the automation webhook ------------------------------------------------------


def test_check_lists_credentials_and_ticket_fields(emu: FreshdeskEmulator,
                                                   fd: FreshdeskHelpdesk) -> None:
    result = check(fd)
    assert calls(emu) == ["GET /api/v2/agents/me", "GET /api/v2/ticket_fields"]
    assert (result.agent_id, result.agent_name, result.agent_email) == (
        API_AGENT, "Bridge API", "bridge@example.com")
    assert (result.rate_limit_total, result.rate_limit_remaining) == (700, 698)
    kinds = {f.name: f.type for f in result.fields}
    assert {k: kinds[k] for k in ("cf_social_channel", "cf_customer_handle", "cf_vip",
                                  "cf_follow_up_date", "cf_order_number")} == {
        "cf_social_channel": "custom_dropdown", "cf_customer_handle": "custom_text",
        "cf_vip": "custom_checkbox", "cf_follow_up_date": "custom_date",
        "cf_order_number": "custom_number"}
    status, channel = result.field("status"), result.field("cf_social_channel")
    assert status is not None and not status.custom and status.required_for_agents
    assert status.choices[:4] == ("2 = Open", "3 = Pending", "4 = Resolved", "5 = Closed")
    assert channel is not None and channel.custom and "Instagram comment" in channel.choices
    region = result.field("cf_region")
    assert region is not None and "Europe > Armenia > Yerevan" in region.choices
    text = "\n".join(result.lines())
    assert "credentials OK, API agent 43000000001 Bridge API <bridge@example.com>" in text
    assert "  cf_social_channel (custom_dropdown, custom) - Social channel\n      Messenger" in text
    assert "      1 = Low" in text


def test_check_without_field_access_still_reports(emu: FreshdeskEmulator,
                                                  fd: FreshdeskHelpdesk) -> None:
    emu.add_fault(r"/ticket_fields$", status=403, body={
        "code": "access_denied", "message": "You are not authorized to perform this action."})
    result = check(fd)
    assert result.fields == ()
    assert "access_denied" in result.notes[0] and "ticket fields not listed" in result.notes[0]


def test_check_with_a_wrong_key(emu: FreshdeskEmulator) -> None:
    with pytest.raises(PermanentError, match="check FRESHDESK_API_KEY / FRESHDESK_DOMAIN"):
        check(FreshdeskHelpdesk(base_url=emu.base_url, api_key="nope"))
    with pytest.raises(ConfigError, match="BRIDGE_HELPDESK=freshdesk"):
        check(object())


def test_automation_webhook_reaches_the_bridge(emu: FreshdeskEmulator,
                                               fd: FreshdeskHelpdesk) -> None:
    with webhook_receiver() as (url, receiver):
        ref, author = open_ticket(fd)
        emu.configure_automation(f"{url}/webhooks/freshdesk", secret="shared-secret")
        fd.add_customer_comment(ref.ticket_id, NewComment(author, "the customer's note"))
        time.sleep(0.2)
        assert receiver.received == []  # performed by the contact: the rule is for agents' changes
        emu.agent_reply(int(ref.ticket_id), "<div>We are on it</div>")
        assert receiver.arrived.wait(5), "no webhook reached the bridge"
        body, headers = receiver.received[0]
        signature.verify(headers["X-Bridge-Secret"], "shared-secret")
        assert json.loads(body) == {"ticket_id": ref.ticket_id}
        assert ticket_id_from_webhook(json.loads(body)) == ref.ticket_id
        assert [r.body for r in fd.read_ticket(ref.ticket_id).replies] == ["We are on it"]


def test_apply_actions_reads_tags_then_one_put_then_the_note(emu: FreshdeskEmulator,
                                                             fd: FreshdeskHelpdesk) -> None:
    ref, _ = open_ticket(fd)
    tid = ref.ticket_id
    since = len(emu.requests_log())
    fd.apply_actions(tid, TicketActions(add_tags=("sla_breached",), priority="urgent",
                                        group_id="43000000102", note="Escalated: SLA breached"))
    assert calls(emu, since) == [f"GET /api/v2/tickets/{tid}", f"PUT /api/v2/tickets/{tid}",
                                 f"POST /api/v2/tickets/{tid}/notes"]
    assert emu.requests_log()[since + 1]["json"] == {
        "tags": ["social", "messenger", marker_tag("m-1"), "sla_breached"],
        "priority": 4, "group_id": 43000000102}
    since = len(emu.requests_log())
    fd.apply_actions(tid, TicketActions(add_tags=("sla_breached",)))  # already there
    assert calls(emu, since) == [f"GET /api/v2/tickets/{tid}"]
    since = len(emu.requests_log())
    fd.apply_actions(tid, TicketActions(priority="low"))  # no tags: no read
    assert calls(emu, since) == [f"PUT /api/v2/tickets/{tid}"]
    assert emu.state.tickets[int(tid)]["priority"] == 1
