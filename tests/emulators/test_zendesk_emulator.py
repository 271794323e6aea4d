"""The Zendesk emulator driven by the real clients (zenpy 2.0.57 and requests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, Ticket, User

from emulators.serving import ServerThread
from emulators.zendesk import ZendeskEmulator

EMAIL, TOKEN = "agent@example.com", "tok"
FAKE_ORIGIN = "https://emu.zendesk.com"
SHARED = Path(__file__).resolve().parents[3] / "shared"


class EmulatorSession(requests.Session):
    """Sends zenpy's ``https://emu.zendesk.com`` calls to the emulator.

    zenpy only deserialises a response whose request URL contains its own host, so the
    request URL is mapped back after the call.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        target = str(url)
        if target.startswith(FAKE_ORIGIN):
            target = self.base_url + target[len(FAKE_ORIGIN) :]
        response = super().request(method, target, *args, **kwargs)
        if response.request.url:
            response.request.url = response.request.url.replace(self.base_url, FAKE_ORIGIN, 1)
        return response


@pytest.fixture(scope="module")
def emu() -> Iterator[ZendeskEmulator]:
    emulator = ZendeskEmulator(email=EMAIL, token=TOKEN)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def _clean(emu: ZendeskEmulator) -> None:
    emu.reset()


@pytest.fixture()
def api(emu: ZendeskEmulator) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{EMAIL}/token", TOKEN)
    return session


@pytest.fixture()
def zenpy(emu: ZendeskEmulator) -> Zenpy:
    # Zenpy sets ``session.auth`` itself on a passed session that is not OAuth-authorised.
    return Zenpy(subdomain="emu", email=EMAIL, token=TOKEN, session=EmulatorSession(emu.base_url))


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


def end_user(emu: ZendeskEmulator, api: requests.Session, ext: str = "fb:1") -> int:
    user = {"user": {"name": "Customer", "external_id": ext}}
    resp = api.post(f"{emu.base_url}/api/v2/users/create_or_update.json", json=user)
    return int(resp.json()["user"]["id"])


def new_ticket(emu: ZendeskEmulator, api: requests.Session, requester: int, **extra: Any) -> int:
    ticket = {"subject": "Help", "requester_id": requester, "comment": {"body": "first"}, **extra}
    resp = api.post(f"{emu.base_url}/api/v2/tickets.json", json={"ticket": ticket})
    assert resp.status_code == 201, resp.text
    return int(resp.json()["ticket"]["id"])


def test_auth_is_refused_without_the_api_token(emu: ZendeskEmulator) -> None:
    url = f"{emu.base_url}/api/v2/users/me.json"
    for auth in (None, (f"{EMAIL}/token", "wrong"), (EMAIL, TOKEN)):
        resp = requests.get(url, auth=auth)
        assert resp.status_code == 401
        assert resp.json() == {"error": "Couldn't authenticate you"}
    assert requests.get(url, auth=(f"{EMAIL}/token", TOKEN)).json()["user"]["id"] == 1


def test_zenpy_users_and_create_or_update_by_external_id(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    me = zenpy.users.me()
    assert (me.id, me.email, me.role) == (1, EMAIL, "admin")
    first = zenpy.users.create_or_update(User(name="Ann", external_id="tg:42"))
    again = zenpy.users.create_or_update(User(name="Ann B", external_id="TG:42"))
    assert first.id == again.id and again.name == "Ann B" and again.role == "end-user"
    url = f"{emu.base_url}/api/v2/users/create_or_update"
    created = api.post(url, json={"user": {"name": "Bo", "email": "bo@example.com"}})
    updated = api.post(url, json={"user": {"name": "Bo", "email": "BO@example.com"}})
    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["user"]["id"] == updated.json()["user"]["id"]
    assert created.json()["user"]["url"].startswith(emu.base_url + "/api/v2/users/")
    shown = api.get(f"{emu.base_url}/api/v2/users/show_many.json?ids=1,2").json()
    assert [u["name"] for u in shown["users"]] == ["API Admin", "Agent Smith"]
    assert [u.id for u in zenpy.users(ids=[1, 2])] == [1, 2]


def test_ticket_create_comments_and_external_id_lookup(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    customer = end_user(emu, api)
    comment = Comment(body="Where is my order?", public=True)
    ticket = Ticket(subject="Order", requester_id=customer, comment=comment, external_id="fb:t1")
    audit = zenpy.tickets.create(ticket)
    tid = audit.ticket.id
    assert audit.ticket.status == "new" and audit.ticket.via.channel == "api"
    [event] = [e for e in audit.audit.events if e["type"] == "Comment"]
    assert event["author_id"] == customer and event["public"] is True
    comments = list(zenpy.tickets.comments(ticket=tid))
    assert [(c.id, c.body, c.author_id) for c in comments] == [
        (event["id"], "Where is my order?", customer)
    ]
    found = list(zenpy.tickets(external_id="fb:t1"))
    assert [t.id for t in found] == [tid]
    listing = api.get(f"{emu.base_url}/api/v2/tickets.json", params={"external_id": "none"}).json()
    assert listing == {"tickets": [], "next_page": None, "previous_page": None, "count": 0}
    missing = api.get(f"{emu.base_url}/api/v2/tickets/999.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "RecordNotFound", "description": "Not found"}
    [call] = [r for r in emu.requests_log() if r["path"].endswith("/comments.json")]
    assert call["query"] == {"include_inline_images": "false", "page[size]": "100"}


def test_update_appends_comments_and_reopens(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)
    url = f"{emu.base_url}/api/v2/tickets/{tid}.json"
    agent_reply = {"comment": {"body": "On it", "author_id": 2}, "additional_tags": ["vip"]}
    resp = api.put(url, json={"ticket": agent_reply})
    assert resp.json()["ticket"]["status"] == "open"  # agent public comment on a new ticket
    assert resp.json()["audit"]["events"][0]["type"] == "Comment"
    for status, public in (("pending", True), ("solved", False), ("hold", True)):
        api.put(url, json={"ticket": {"status": status}})
        ticket = zenpy.tickets(id=tid)
        ticket.comment = Comment(body=f"customer after {status}", author_id=customer, public=public)
        audit = zenpy.tickets.update(ticket)
        assert audit.ticket.status == "open", status
    stays = api.put(
        url, json={"ticket": {"status": "pending", "comment": {"body": "x", "author_id": customer}}}
    )
    assert stays.json()["ticket"]["status"] == "pending"  # the request set a status
    bodies = [c["body"] for c in emu.state.comments[tid]]
    assert bodies[:2] == ["first", "On it"] and len(bodies) == 6
    assert emu.state.tickets[tid]["tags"] == ["vip"]


def test_closed_ticket_refuses_updates_and_followup(
    emu: ZendeskEmulator, api: requests.Session
) -> None:
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)
    bad = api.post(
        f"{emu.base_url}/api/v2/tickets.json",
        json={"ticket": {"comment": {"body": "x"}, "via_followup_source_id": tid}},
    )
    assert bad.status_code == 422 and bad.json()["error"] == "RecordInvalid"
    closed = requests.post(
        f"{emu.base_url}/_emulator/tickets/{tid}/status", json={"status": "closed"}
    )
    assert closed.json()["ticket"]["status"] == "closed"
    resp = api.put(
        f"{emu.base_url}/api/v2/tickets/{tid}.json", json={"ticket": {"comment": {"body": "hi"}}}
    )
    assert resp.status_code == 422
    assert resp.json() == {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {
            "status": [
                {"description": "Status: closed prevents ticket update", "error": "InvalidValue"}
            ]
        },
    }
    followup = new_ticket(emu, api, customer, via_followup_source_id=tid)
    ticket = api.get(f"{emu.base_url}/api/v2/tickets/{followup}.json").json()["ticket"]
    assert ticket["via"]["channel"] == "api"
    assert ticket["via"]["source"]["rel"] == "follow_up"
    assert ticket["via"]["source"]["from"]["ticket_id"] == tid
    assert emu.state.tickets[tid]["followup_ids"] == [followup]


def test_uploads_become_comment_attachments(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    upload = zenpy.attachments.upload(
        io.BytesIO(b"%PDF-1.4 hi"), target_name="receipt.pdf", content_type="application/pdf"
    )
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer, comment={"body": "see file", "uploads": [upload.token]})
    [comment] = api.get(f"{emu.base_url}/api/v2/tickets/{tid}/comments.json").json()["comments"]
    [attachment] = comment["attachments"]
    assert attachment["file_name"] == "receipt.pdf" and attachment["size"] == 11
    assert attachment["content_type"] == "application/pdf"
    content = requests.get(attachment["content_url"])
    assert (
        content.content == b"%PDF-1.4 hi" and content.headers["Content-Type"] == "application/pdf"
    )


def test_cursor_pagination_across_more_than_100_comments(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)
    for n in range(150):
        emu.agent_comment(tid, f"reply {n}", public=n % 2 == 0)
    expected = ["first"] + [f"reply {n}" for n in range(150)]
    assert [c.body for c in zenpy.tickets.comments(ticket=tid)] == expected
    pages = [r for r in emu.requests_log() if r["path"].endswith("/comments.json")]
    assert len(pages) == 2 and "page[after]" in pages[1]["query"]
    url: str | None = f"{emu.base_url}/api/v2/tickets/{tid}/comments?page[size]=60&include=users"
    seen: list[str] = []
    while url:
        page = api.get(url).json()
        seen += [c["body"] for c in page["comments"]]
        assert {u["id"] for u in page["users"]} <= {customer, 2}
        url = page["links"]["next"] if page["meta"]["has_more"] else None
    assert seen == expected
    back = api.get(page["links"]["prev"]).json()  # the page before the last one
    assert [c["body"] for c in back["comments"]] == expected[60:120]
    plain = api.get(f"{emu.base_url}/api/v2/tickets/{tid}/comments.json").json()
    assert plain["count"] == 151 and len(plain["comments"]) == 100 and plain["next_page"]
    assert len(api.get(plain["next_page"]).json()["comments"]) == 51


class Receiver:
    """A tiny webhook endpoint that records requests and answers with queued statuses."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        app = Flask("receiver")
        app.add_url_rule("/hook", "hook", self._hook, methods=["POST"])
        self.server = ServerThread(app)
        self.url = self.server.start() + "/hook"

    def _hook(self) -> Response:
        self.calls.append((dict(request.headers), request.get_data()))
        return Response("", status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.server.stop()


def make_webhook(
    emu: ZendeskEmulator, api: requests.Session, url: str, subscriptions: list[str]
) -> str:
    hook = {
        "name": "Bridge",
        "endpoint": url,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": subscriptions,
    }
    resp = api.post(f"{emu.base_url}/api/v2/webhooks", json={"webhook": hook})
    assert resp.status_code == 201 and resp.json()["webhook"]["id"].startswith("01")
    return str(resp.json()["webhook"]["id"])


def test_trigger_sends_signed_webhook_on_agent_comment(
    emu: ZendeskEmulator, api: requests.Session, receiver: Receiver
) -> None:
    wid = make_webhook(emu, api, receiver.url, ["conditional_ticket_events"])
    secret = api.get(f"{emu.base_url}/api/v2/webhooks/{wid}/signing_secret").json()[
        "signing_secret"
    ]
    assert len(secret["secret"]) == 44 and secret["algorithm"] == "SHA256"
    template = '{"ticket_id": "{{ticket.id}}", "status": "{{ticket.status}}", "text": "{{ticket.latest_public_comment}}", "x": "{{ticket.nope}}"}'  # noqa: E501
    trigger = {
        "title": "Notify bridge",
        "conditions": {
            "all": [
                {"field": "update_type", "operator": "is", "value": "Change"},
                {"field": "comment_is_public", "operator": "is", "value": "true"},
                {"field": "role", "operator": "is", "value": "agent"},
            ],
            "any": [],
        },
        "actions": [{"field": "notification_webhook", "value": [wid, template]}],
    }
    created = api.post(f"{emu.base_url}/api/v2/triggers.json", json={"trigger": trigger})
    assert created.status_code == 201 and created.json()["trigger"]["active"] is True
    listed = api.get(f"{emu.base_url}/api/v2/triggers", params={"active": "true"}).json()
    assert listed["count"] == 1 and listed["next_page"] is None
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)  # a Create: the trigger does not fire
    private = {"body": "internal", "public": False}
    requests.post(f"{emu.base_url}/_emulator/tickets/{tid}/agent_comment", json=private)
    reply = {"body": 'Sorry "Ann", fixed', "public": True, "status": "solved"}
    resp = requests.post(f"{emu.base_url}/_emulator/tickets/{tid}/agent_comment", json=reply)
    assert resp.json()["ticket"]["status"] == "solved"
    wait_for(lambda: receiver.calls)
    time.sleep(0.1)  # a second (wrong) delivery would have arrived by now
    [(headers, body)] = receiver.calls
    stamp = headers["X-Zendesk-Webhook-Signature-Timestamp"]
    digest = hmac.new(secret["secret"].encode(), stamp.encode() + body, hashlib.sha256).digest()
    assert headers["X-Zendesk-Webhook-Signature"] == base64.b64encode(digest).decode()
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "ticket_id": str(tid),
        "status": "Solved",
        "text": 'Sorry "Ann", fixed',
        "x": "",
    }
    [delivery] = emu.deliveries()
    assert (delivery["url"], delivery["status"], delivery["kind"]) == (receiver.url, 200, "trigger")


def test_event_subscription_payload_and_retries(
    emu: ZendeskEmulator, api: requests.Session, receiver: Receiver
) -> None:
    make_webhook(emu, api, receiver.url, ["zen:event-type:ticket.comment_added"])
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)
    receiver.statuses = [503, 500]
    emu.agent_comment(tid, "Fixed now", public=True)
    wait_for(lambda: len(receiver.calls) == 3)
    assert [d["status"] for d in emu.wait_for_deliveries(3)] == [503, 500, 200]
    payload = json.loads(receiver.calls[-1][1])
    fixture = SHARED / "fixtures/zendesk_webhooks/event_ticket_comment_added_public_agent.json"
    if fixture.exists():
        sample = json.loads(fixture.read_text())
        assert (
            payload.keys() == sample.keys() and payload["detail"].keys() == sample["detail"].keys()
        )
        assert payload["event"]["comment"].keys() == sample["event"]["comment"].keys()
    assert payload["type"] == "zen:event-type:ticket.comment_added"
    assert payload["subject"] == f"zen:ticket:{tid}" and payload["detail"]["status"] == "OPEN"
    author = payload["event"]["comment"]["author"]
    assert (author["id"], author["is_staff"], payload["event"]["comment"]["body"]) == (
        2,
        True,
        "Fixed now",
    )


def test_event_subscription_shapes_match_the_recorded_examples(
    emu: ZendeskEmulator, api: requests.Session, receiver: Receiver
) -> None:
    kinds = ["ticket.created", "ticket.comment_added", "ticket.status_changed"]
    make_webhook(emu, api, receiver.url, [f"zen:event-type:{k}" for k in kinds])
    tid = new_ticket(emu, api, end_user(emu, api), tags=["mobile"], priority="high")
    emu.agent_comment(tid, "Solved it", status="solved")
    wait_for(lambda: len(receiver.calls) == 3)
    payloads = {json.loads(body)["type"]: json.loads(body) for _, body in receiver.calls}
    assert sorted(payloads) == sorted(f"zen:event-type:{k}" for k in kinds)
    created = payloads["zen:event-type:ticket.created"]["detail"]
    assert (created["id"], created["status"], created["priority"]) == (str(tid), "NEW", "HIGH")
    assert created["tags"] == ["mobile"] and created["via"] == {"channel": "web_service"}
    status = payloads["zen:event-type:ticket.status_changed"]["event"]
    assert status == {"current": "SOLVED", "previous": "NEW"}
    samples = {
        "ticket.created": "event_ticket_created.json",
        "ticket.comment_added": "event_ticket_comment_added_public_agent.json",
        "ticket.status_changed": "event_ticket_status_changed_solved.json",
    }
    for kind, name in samples.items():
        path = SHARED / "fixtures/zendesk_webhooks" / name
        if not path.exists():
            continue
        sample, payload = json.loads(path.read_text()), payloads[f"zen:event-type:{kind}"]
        assert payload.keys() == sample.keys(), kind
        assert payload["detail"].keys() == sample["detail"].keys(), kind
        assert payload["event"].keys() == sample["event"].keys(), kind


def test_webhook_crud_and_filters(emu: ZendeskEmulator, api: requests.Session) -> None:
    wid = make_webhook(emu, api, "http://127.0.0.1:9/none", ["conditional_ticket_events"])
    make_webhook(emu, api, "http://127.0.0.1:9/other", ["conditional_ticket_events"])
    url = f"{emu.base_url}/api/v2/webhooks"
    patched = api.patch(f"{url}/{wid}", json={"webhook": {"name": "Renamed", "status": "inactive"}})
    assert patched.status_code == 204
    only = api.get(url, params={"filter[name_contains]": "renam"}).json()
    assert [w["id"] for w in only["webhooks"]] == [wid] and only["meta"]["has_more"] is False
    assert api.get(f"{url}/{wid}").json()["webhook"]["status"] == "inactive"
    assert api.delete(f"{url}/{wid}").status_code == 204
    assert api.get(f"{url}/{wid}").status_code == 404


def test_faults_429_with_retry_after_and_rate_limit(
    emu: ZendeskEmulator, api: requests.Session, zenpy: Zenpy
) -> None:
    fault = {"method": "GET", "path": r"/users/me", "status": 429, "count": 2, "retry_after": 1}
    assert requests.post(f"{emu.base_url}/_emulator/faults", json=fault).status_code == 201
    resp = api.get(f"{emu.base_url}/api/v2/users/me.json")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"
    assert resp.json()["error"] == "APIRateLimitExceeded"
    assert zenpy.users.me().id == 1  # zenpy slept Retry-After seconds and retried
    log = requests.get(f"{emu.base_url}/_emulator/requests").json()
    assert [(r["method"], r["status"]) for r in log] == [("GET", 429)] * 2 + [("GET", 200)]


def test_rate_limit_per_minute(emu: ZendeskEmulator, api: requests.Session) -> None:
    url = f"{emu.base_url}/api/v2/users/me.json"
    assert api.get(url).headers["X-Rate-Limit"] == "700"  # unlimited: reports Zendesk's default
    emu.reset()
    emu.set_rate_limit(2)
    first, second, third = (api.get(url) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert (first.headers["X-Rate-Limit-Remaining"], second.headers["ratelimit-remaining"]) == (
        "1",
        "0",
    )
    assert 1 <= int(third.headers["Retry-After"]) <= 60 and third.headers["X-Rate-Limit"] == "2"
    assert "ratelimit-reset" in third.headers
    assert third.json() == {
        "error": "APIRateLimitExceeded",
        "description": "Number of allowed API requests per minute exceeded",
    }


def test_delay_after_commit_applies_the_write(emu: ZendeskEmulator, api: requests.Session) -> None:
    customer = end_user(emu, api)
    tid = new_ticket(emu, api, customer)
    fault = {
        "method": "PUT",
        "path": r"/api/v2/tickets/\d+",
        "delay": 1.0,
        "delay_after_commit": True,
    }
    requests.post(f"{emu.base_url}/_emulator/faults", json=fault)
    update = {"ticket": {"comment": {"body": "written before the client died", "author_id": 2}}}
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.put(f"{emu.base_url}/api/v2/tickets/{tid}.json", json=update, timeout=0.3)
    tickets = requests.get(f"{emu.base_url}/_emulator/tickets").json()
    [ticket] = [t for t in tickets if t["id"] == tid]
    assert [c["body"] for c in ticket["comments"]][-1] == "written before the client died"
    assert requests.delete(f"{emu.base_url}/_emulator/requests").status_code == 204
    assert requests.get(f"{emu.base_url}/_emulator/requests").json() == []


def test_server_error_faults_then_recovery(emu: ZendeskEmulator, api: requests.Session) -> None:
    fault = {"path": r"/tickets$", "method": "POST", "status": 503, "count": 1}
    requests.post(f"{emu.base_url}/_emulator/faults", json=fault)
    customer = end_user(emu, api)
    body = {"ticket": {"requester_id": customer, "comment": {"body": "x"}}}
    assert api.post(f"{emu.base_url}/api/v2/tickets", json=body).status_code == 503
    assert emu.state.tickets == {}
    assert api.post(f"{emu.base_url}/api/v2/tickets", json=body).status_code == 201
