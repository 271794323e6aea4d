"""ZendeskHelpdesk against the Zendesk emulator: behaviour, call budget and failure mapping.

Call counts come from the emulator's request log, so they are what Zendesk would bill.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bridge import clock
from bridge.config import Settings
from bridge.domain import NewComment, NewTicket, Requester, TicketRef, Upload
from bridge.errors import ConfigError, PermanentError, TicketClosed, TransientError
from bridge.zendesk import signature
from bridge.zendesk.adapter import ZendeskHelpdesk
from bridge.zendesk.install import CONDITIONS, TRIGGER_BODY, install
from bridge.zendesk.payloads import ticket_id_from_webhook
from tests.helpdesks import SCRIPTS, calls, emulator_fixtures, webhook_receiver
from tests.zendesk import EMAIL, TOKEN, running_emulator

API_USER, AGENT = 1, 2


server, emu = emulator_fixtures(running_emulator)


@pytest.fixture
def zd(emu: Any) -> ZendeskHelpdesk:
    return ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)


def open_ticket(zd: ZendeskHelpdesk, body: str = "Hello", marker: str = "m-1") -> TicketRef:
    requester = zd.ensure_requester(Requester("messenger:page1:user1", "Ana Customer"))
    new = NewTicket(requester, "Hello", NewComment(requester, body), marker,
                    tags=("social", "messenger"))
    return zd.create_ticket(new)


def test_built_from_settings(emu: Any) -> None:
    settings = Settings(ZENDESK_BASE_URL=emu.base_url + "/", ZENDESK_EMAIL=EMAIL,
                        ZENDESK_API_TOKEN=TOKEN, ZENDESK_SUBDOMAIN="acme", BRIDGE_HTTP_TIMEOUT=7.5)
    zd = ZendeskHelpdesk(settings)
    assert (zd.name, zd.base_url, zd.timeout) == ("zendesk", emu.base_url, 7.5)
    assert zd.api_user_id() == API_USER  # https://acme.zendesk.com was rewritten
    with pytest.raises(ConfigError, match="ZENDESK_API_TOKEN"):
        ZendeskHelpdesk(Settings(ZENDESK_BASE_URL=emu.base_url, ZENDESK_API_TOKEN=""))


def test_requester_create_or_update_is_idempotent(emu: Any, zd: ZendeskHelpdesk) -> None:
    first = zd.ensure_requester(Requester("messenger:page1:user1", "Ana"))
    second = zd.ensure_requester(Requester("messenger:page1:user1", "Ana"))
    assert first == second
    assert calls(emu, 0) == ["POST /api/v2/users/create_or_update.json"] * 2
    user = emu.state.users[int(first)]
    assert (user["external_id"], user["role"]) == ("messenger:page1:user1", "end-user")


def test_new_ticket_is_two_calls_including_requester(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd, marker="msg-42")
    assert calls(emu, 0) == ["POST /api/v2/users/create_or_update.json",
                             "POST /api/v2/tickets.json"]
    ticket = emu.state.tickets[int(ref.ticket_id)]
    assert ticket["external_id"] == "msg-42" and ticket["tags"] == ["social", "messenger"]
    (comment,) = emu.state.comments[int(ref.ticket_id)]
    assert str(comment["id"]) == ref.comment_id
    assert comment["author_id"] == ticket["requester_id"] and comment["public"] is True


def test_upload_is_one_more_call(emu: Any, zd: ZendeskHelpdesk) -> None:
    requester = zd.ensure_requester(Requester("x:acct:u9", "Photo Sender"))
    comment = NewComment(requester, "see photo", (Upload("p.png", "image/png", b"\x89PNG.."),))
    ref = zd.create_ticket(NewTicket(requester, "photo", comment, "m-up"))
    assert calls(emu, 1) == ["POST /api/v2/uploads.json", "POST /api/v2/tickets.json"]
    (stored,) = emu.state.comments[int(ref.ticket_id)]
    assert [a["file_name"] for a in stored["attachments"]] == ["p.png"]


def test_comment_on_existing_ticket_is_one_call(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd)
    since = len(emu.requests_log())
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    added = zd.add_customer_comment(ref.ticket_id, NewComment(author, "second message"))
    assert calls(emu, since) == [f"PUT /api/v2/tickets/{ref.ticket_id}.json"]
    last = emu.state.comments[int(ref.ticket_id)][-1]
    assert str(last["id"]) == added.comment_id and last["author_id"] == int(author)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_bodies_arrive_byte_for_byte(emu: Any, zd: ZendeskHelpdesk, script: str) -> None:
    body = SCRIPTS[script]
    ref = open_ticket(zd, body=body)
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    zd.add_customer_comment(ref.ticket_id, NewComment(author, body + " (2)"))
    first, second = emu.state.comments[int(ref.ticket_id)]
    assert first["body"].encode("utf-8") == body.encode("utf-8")
    assert second["body"].encode("utf-8") == (body + " (2)").encode("utf-8")


@pytest.mark.parametrize("status", ["pending", "solved", "hold"])
def test_pending_or_solved_ticket_reopens(emu: Any, zd: ZendeskHelpdesk, status: str) -> None:
    ref = open_ticket(zd)
    emu.set_status(int(ref.ticket_id), status)
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    zd.add_customer_comment(ref.ticket_id, NewComment(author, "still broken"))
    assert emu.state.tickets[int(ref.ticket_id)]["status"] == "open"
    assert zd.read_ticket(ref.ticket_id).status == "open"


def test_closed_ticket_then_followup(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd)
    emu.set_status(int(ref.ticket_id), "closed")
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    with pytest.raises(TicketClosed, match="closed prevents ticket update"):
        zd.add_customer_comment(ref.ticket_id, NewComment(author, "hello again"))
    followup = zd.create_ticket(NewTicket(author, "hello again", NewComment(author, "hello again"),
                                          "m-2", followup_of=ref.ticket_id))
    ticket = emu.state.tickets[int(followup.ticket_id)]
    assert ticket["via"]["source"]["rel"] == "follow_up"
    assert emu.state.tickets[int(ref.ticket_id)]["followup_ids"] == [int(followup.ticket_id)]


def test_find_ticket_by_marker(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd, marker="messenger:mid.123")
    since = len(emu.requests_log())
    # The recovered ticket comes with its first comment: a later recovery in the same
    # conversation must look only after it.
    assert zd.find_ticket("messenger:mid.123") == TicketRef(ref.ticket_id, ref.comment_id)
    assert zd.find_ticket("messenger:mid.999") is None
    found = calls(emu, since)
    assert found[0] == "GET /api/v2/tickets.json" and found[-1] == "GET /api/v2/tickets.json"
    assert len(found) == 3 and "/comments" in found[1]


def test_find_customer_comment(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd, body="same words")
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    again = NewComment(author, "same words")
    second = zd.add_customer_comment(ref.ticket_id, again)
    assert zd.find_customer_comment(ref.ticket_id, again, None) == TicketRef(
        ref.ticket_id, ref.comment_id)
    assert zd.find_customer_comment(ref.ticket_id, again, ref.comment_id) == second
    assert zd.find_customer_comment(ref.ticket_id, again, second.comment_id) is None
    assert zd.find_customer_comment(ref.ticket_id, NewComment(author, "same"), None) is None
    assert zd.find_customer_comment(ref.ticket_id, NewComment("2", "same words"), None) is None


def test_internal_note_is_private_and_keeps_status(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd)
    emu.set_status(int(ref.ticket_id), "pending")
    since = len(emu.requests_log())
    zd.add_internal_note(ref.ticket_id, "Delivered to Messenger ✅")
    assert len(calls(emu, since)) == 1
    note = emu.state.comments[int(ref.ticket_id)][-1]
    assert (note["public"], note["author_id"], note["body"]) == (
        False, API_USER, "Delivered to Messenger ✅")
    assert emu.state.tickets[int(ref.ticket_id)]["status"] == "pending"


def test_read_ticket_returns_only_public_agent_replies(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd, body="customer asks")
    tid = int(ref.ticket_id)
    emu.agent_comment(tid, "First answer")
    emu.agent_comment(tid, "private chat among agents", public=False)
    emu.agent_comment(tid, "bridge's own public write", author_id=API_USER)
    zd.add_internal_note(ref.ticket_id, "internal")
    emu.agent_comment(tid, "", html_body="<p>Second <b>answer</b></p><p>line two</p>",
                      status="pending")
    since = len(emu.requests_log())
    view = zd.read_ticket(ref.ticket_id)
    assert calls(emu, since) == ["GET /api/v2/users/me.json", f"GET /api/v2/tickets/{tid}.json",
                                 f"GET /api/v2/tickets/{tid}/comments"]
    assert view.status == "pending"
    assert [r.body for r in view.replies] == ["First answer", "Second answer\n\nline two"]
    assert {r.author_name for r in view.replies} == {"Agent Smith"}
    assert all(r.created_at is not None and r.created_at.utcoffset() is not None
               for r in view.replies)
    since = len(emu.requests_log())
    zd.read_ticket(ref.ticket_id)
    assert len(calls(emu, since)) == 2  # users/me is cached


def test_read_ticket_follows_every_page(emu: Any, zd: ZendeskHelpdesk) -> None:
    ref = open_ticket(zd)
    for n in range(120):
        emu.agent_comment(int(ref.ticket_id), f"answer {n}")
    view = zd.read_ticket(ref.ticket_id)
    assert [r.body for r in view.replies] == [f"answer {n}" for n in range(120)]
    pages = [c for c in calls(emu, 0) if c.endswith("/comments")]
    assert len(pages) == 2


def test_rate_limit_is_transient_without_sleeping(emu: Any, zd: ZendeskHelpdesk) -> None:
    """zenpy would sleep 30 s inside ``_call_api``; the session raises first."""
    ref = open_ticket(zd)
    author = str(emu.state.tickets[int(ref.ticket_id)]["requester_id"])
    for method, path in (("PUT", r"/tickets/\d+"), ("GET", r"/tickets/\d+\.json")):
        emu.add_fault(path, method=method, status=429, retry_after=30)
        started = time.monotonic()
        with pytest.raises(TransientError) as caught:
            if method == "PUT":
                zd.add_customer_comment(ref.ticket_id, NewComment(author, "x"))
            else:
                zd.read_ticket(ref.ticket_id)
        assert time.monotonic() - started < 1.0
        assert caught.value.retry_after == 30.0


def test_server_error_is_transient(emu: Any, zd: ZendeskHelpdesk) -> None:
    emu.add_fault(r"/tickets", method="POST", status=500)
    with pytest.raises(TransientError, match=r"\(500\)") as caught:
        open_ticket(zd)
    assert caught.value.retry_after is None


def test_timeout_is_transient(emu: Any) -> None:
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=0.3)
    emu.add_fault(r"/users/create_or_update", status=None, delay=1.5)
    with pytest.raises(TransientError, match="timed out"):
        zd.ensure_requester(Requester("x:1:2", "Slow"))


def test_wrong_token_is_permanent_and_names_the_credentials(emu: Any) -> None:
    zd = ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token="wrong", timeout=2)
    with pytest.raises(PermanentError, match="ZENDESK_EMAIL / ZENDESK_API_TOKEN"):
        zd.ensure_requester(Requester("x:1:2", "Anyone"))


def test_install_twice_then_signed_delivery(emu: Any, zd: ZendeskHelpdesk) -> None:
    with webhook_receiver() as (url, receiver):
        first, second = install(zd, url), install(zd, url + "/")
        assert (first.webhook_created, first.trigger_created) == (True, True)
        assert (second.webhook_created, second.trigger_created) == (False, False)
        assert (first.webhook_id, first.trigger_id) == (second.webhook_id, second.trigger_id)
        assert len(emu.state.webhooks) == 1 and len(emu.state.triggers) == 1
        assert first.signing_secret == emu.state.webhook_secrets[first.webhook_id]
        hook = emu.state.webhooks[first.webhook_id]
        assert (hook["endpoint"], hook["http_method"], hook["request_format"], hook["status"]
                ) == (f"{url}/webhooks/zendesk", "POST", "json", "active")
        trigger = emu.state.triggers[int(first.trigger_id)]
        assert trigger["conditions"] == CONDITIONS and trigger["active"] is True
        assert trigger["actions"] == [{"field": "notification_webhook",
                                       "value": [first.webhook_id, TRIGGER_BODY]}]

        ref = open_ticket(zd)
        emu.agent_comment(int(ref.ticket_id), "We are on it")
        assert receiver.arrived.wait(5), "no signed delivery reached the bridge"
        body, headers = receiver.received[0]
        signature.verify(body, headers["X-Zendesk-Webhook-Signature"],
                         headers["X-Zendesk-Webhook-Signature-Timestamp"],
                         first.signing_secret, clock.now())
        assert ticket_id_from_webhook(json.loads(body)) == ref.ticket_id


def test_install_puts_back_a_drifted_webhook_and_trigger(emu: Any, zd: ZendeskHelpdesk) -> None:
    first = install(zd, "https://bridge.example.com")
    with emu.state.lock:
        emu.state.webhooks[first.webhook_id]["status"] = "inactive"
        emu.state.triggers[int(first.trigger_id)]["active"] = False
        emu.state.triggers[int(first.trigger_id)]["conditions"]["any"].pop()
    again = install(zd, "https://bridge.example.com")
    assert (again.webhook_id, again.trigger_id) == (first.webhook_id, first.trigger_id)
    assert (again.webhook_created, again.trigger_created) == (False, False)
    assert emu.state.webhooks[first.webhook_id]["status"] == "active"
    trigger = emu.state.triggers[int(first.trigger_id)]
    assert trigger["active"] is True and trigger["conditions"] == CONDITIONS
    assert len(emu.state.webhooks) == 1 and len(emu.state.triggers) == 1
