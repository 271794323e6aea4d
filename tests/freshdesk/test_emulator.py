"""The Freshdesk emulator over plain HTTP: shapes, validation, limits and the control API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators.freshdesk import FreshdeskEmulator
from tests.freshdesk import API_KEY, running_emulator
from tests.helpdesks import emulator_fixtures

ROOT = Path(__file__).resolve().parents[2]


server, emu = emulator_fixtures(running_emulator)


class Api:
    def __init__(self, base: str, key: str = API_KEY) -> None:
        self.base, self.key = base, key

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.base}/api/v2/{path}", auth=(self.key, "X"),
                                timeout=5, **kwargs)


@pytest.fixture
def api(emu: FreshdeskEmulator) -> Api:
    return Api(emu.base_url)


def control(emu: FreshdeskEmulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{emu.base_url}/_emulator/{path}", timeout=5, **kwargs)


def new_ticket(api: Api, **extra: Any) -> dict[str, Any]:
    contact = api("POST", "contacts", json={"name": "Ana", "unique_external_id": "x:1"}).json()
    contact_id = contact.get("id") or contact["errors"][0]["additional_info"]["user_id"]
    body = {"requester_id": contact_id, "subject": "Help", "status": 2,
            "priority": 1, "description": "<div>Help me</div>", **extra}
    created = api("POST", "tickets", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_auth_and_rate_headers(emu: FreshdeskEmulator, api: Api) -> None:
    refused = Api(emu.base_url, "wrong")("GET", "agents/me")
    assert refused.status_code == 401
    assert refused.json() == {"code": "invalid_credentials",
                              "message": "You have to be logged in to perform this action."}
    me = api("GET", "agents/me")
    assert me.json()["id"] == emu.API_AGENT_ID and me.json()["contact"]["name"] == "Bridge API"
    assert me.headers["X-RateLimit-Total"] == "700"
    assert me.headers["X-RateLimit-Remaining"] == "698"  # the refused call counts too
    assert me.headers["X-RateLimit-Used-CurrentRequest"] == "1"
    ticket = new_ticket(api)
    embedded = api("GET", f"tickets/{ticket['id']}", params={"include": "requester,conversations"})
    assert embedded.headers["X-RateLimit-Used-CurrentRequest"] == "3"
    assert embedded.json()["requester"]["name"] == "Ana"


def test_rate_limit_answers_429_with_retry_after(emu: FreshdeskEmulator, api: Api) -> None:
    emu.set_rate_limit(2)
    assert [api("GET", "agents/me").status_code for _ in range(3)] == [200, 200, 429]
    limited = api("GET", "agents/me")
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    emu.state.reset_rate_window()
    assert api("GET", "agents/me").status_code == 200
    assert control(emu, "PUT", "rate_limit", json={"per_minute": None,
                                                   "reset_window": True}).status_code == 200
    assert emu.state.rate_limit_per_minute is None


def test_contacts(api: Api) -> None:
    created = api("POST", "contacts", json={"name": "Ana", "unique_external_id": "fb:1:2"})
    assert created.status_code == 201
    contact = created.json()
    again = api("POST", "contacts", json={"name": "Ana B", "unique_external_id": "FB:1:2"})
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "unique_external_id", "message":
                                       "It should be a unique value", "code": "duplicate_value",
                                       "additional_info": {"user_id": contact["id"]}}]
    listed = api("GET", "contacts", params={"unique_external_id": "fb:1:2"})
    assert [c["id"] for c in listed.json()] == [contact["id"]]
    assert api("GET", "contacts", params={"unique_external_id": "nobody"}).json() == []
    assert api("GET", f"contacts/{contact['id']}").json()["name"] == "Ana"
    nameless = api("POST", "contacts", json={"unique_external_id": "z"})
    assert nameless.status_code == 400 and nameless.json()["errors"][0]["field"] == "name"
    anonymous = api("POST", "contacts", json={"name": "Nobody"})
    assert anonymous.json()["errors"][0]["code"] == "missing_field"
    unknown = api("POST", "contacts", json={"name": "A", "email": "a@x.io", "shoe": 42})
    assert unknown.json()["errors"] == [{"field": "shoe", "message":
                                         "Unexpected/invalid field in request",
                                         "code": "invalid_field"}]


def test_ticket_validation(api: Api) -> None:
    ticket = new_ticket(api, tags=["social", "x"], custom_fields={"cf_vip": True})
    assert ticket["custom_fields"]["cf_vip"] is True
    assert ticket["custom_fields"]["cf_order_number"] is None  # every custom field listed
    assert (ticket["source"], ticket["description_text"]) == (2, "Help me")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"status": 9}, "status", "invalid_value"),
        ({"priority": 0}, "priority", "invalid_value"),
        ({"source": 11}, "source", "invalid_value"),
        ({"group_id": 1}, "group_id", "invalid_value"),
        ({"tags": ["x" * 33]}, "tags", "invalid_value"),
        ({"tags": "social"}, "tags", "datatype_mismatch"),
        ({"custom_fields": {"cf_vip": "yes"}}, "cf_vip", "datatype_mismatch"),
        ({"custom_fields": {"cf_order_number": "12"}}, "cf_order_number", "datatype_mismatch"),
        ({"custom_fields": {"cf_follow_up_date": "2025-02-30"}}, "cf_follow_up_date",
         "invalid_date"),
        ({"custom_fields": {"cf_social_channel": "Myspace"}}, "cf_social_channel",
         "invalid_value"),
        ({"custom_fields": {"cf_unknown": 1}}, "cf_unknown", "invalid_field"),
        ({"requester_id": 1}, "requester_id", "invalid_value"),
        ({"colour": "red"}, "colour", "invalid_field"),
    ]
    base = {"requester_id": ticket["requester_id"], "subject": "s", "description": "d",
            "status": 2, "priority": 1}
    for change, field, code in cases:
        answer = api("POST", "tickets", json={**base, **change})
        assert answer.status_code == 400, change
        assert answer.json()["description"] == "Validation failed"
        assert (answer.json()["errors"][0]["field"], answer.json()["errors"][0]["code"]) == (
            field, code), change
    for missing in ("subject", "description", "status", "priority"):
        body = {k: v for k, v in base.items() if k != missing}
        assert api("POST", "tickets", json=body).json()["errors"][0]["field"] == missing


def test_requests_without_json(api: Api) -> None:
    wrong_type = api("POST", "tickets", data="x", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "invalid_content_type"
    broken = api("POST", "tickets", data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["code"] == "invalid_json"
    missing = api("GET", "tickets/999")
    assert (missing.status_code, missing.content) == (404, b"")
    assert api("GET", "nothing/here").status_code == 404
    assert api("DELETE", "agents/me").json()["code"] == "method_not_allowed"


def test_multipart_ticket_and_note(api: Api, emu: FreshdeskEmulator) -> None:
    contact = api("POST", "contacts", json={"name": "Ana", "unique_external_id": "x:9"}).json()
    form = [("requester_id", str(contact["id"])), ("subject", "photo"), ("status", "2"),
            ("priority", "1"), ("description", "<div>see</div>"), ("tags[]", "social"),
            ("tags[]", "x"), ("custom_fields[cf_vip]", "true"),
            ("custom_fields[cf_order_number]", "12")]
    files = [("attachments[]", ("p.png", b"\x89PNG", "image/png"))]
    ticket = api("POST", "tickets", data=form, files=files).json()
    assert ticket["tags"] == ["social", "x"]
    assert (ticket["custom_fields"]["cf_vip"], ticket["custom_fields"]["cf_order_number"]) == (
        True, 12)
    (attachment,) = ticket["attachments"]
    assert requests.get(attachment["attachment_url"], timeout=5).content == b"\x89PNG"
    note = api("POST", f"tickets/{ticket['id']}/notes",
               data=[("body", "<div>file</div>"), ("private", "false"), ("incoming", "true"),
                     ("user_id", str(contact["id"]))],
               files=[("attachments[]", ("a.txt", b"hi", "text/plain"))]).json()
    assert (note["private"], note["incoming"], note["user_id"]) == (False, True, contact["id"])
    assert [a["name"] for a in note["attachments"]] == ["a.txt"]


def test_notes_replies_and_pagination(emu: FreshdeskEmulator, api: Api) -> None:
    ticket = new_ticket(api)
    tid = ticket["id"]
    note = api("POST", f"tickets/{tid}/notes", json={"body": "<div>inside</div>"}).json()
    assert (note["private"], note["incoming"], note["user_id"], note["source"]) == (
        True, False, emu.API_AGENT_ID, 2)
    reply = api("POST", f"tickets/{tid}/reply", json={"body": "<p>Hi &amp; bye</p>"}).json()
    assert (reply["source"], reply["private"], reply["body_text"]) == (0, False, "Hi & bye")
    by_contact = api("POST", f"tickets/{tid}/reply",
                     json={"body": "x", "user_id": ticket["requester_id"]})
    assert by_contact.json()["errors"][0]["field"] == "user_id"
    for n in range(3):
        emu.agent_reply(tid, f"<div>{n}</div>")
    first = api("GET", f"tickets/{tid}/conversations", params={"per_page": 2})
    assert [c["body_text"] for c in first.json()] == ["inside", "Hi & bye"]
    following = first.links["next"]["url"]
    second = requests.get(following, auth=(API_KEY, "X"), timeout=5)
    assert [c["body_text"] for c in second.json()] == ["0", "1"]
    last = requests.get(second.links["next"]["url"], auth=(API_KEY, "X"), timeout=5)
    assert [c["body_text"] for c in last.json()] == ["2"] and "next" not in last.links
    too_big = api("GET", f"tickets/{tid}/conversations", params={"per_page": 101})
    assert too_big.status_code == 400


def test_list_and_search(emu: FreshdeskEmulator, api: Api) -> None:
    first = new_ticket(api, tags=["social", "messenger"], priority=4)
    second = api("POST", "tickets", json={
        "requester_id": first["requester_id"], "subject": "b", "description": "b",
        "status": 3, "priority": 1, "tags": ["social"],
        "custom_fields": {"cf_social_channel": "Telegram"}}).json()
    listed = api("GET", "tickets").json()
    assert [t["id"] for t in listed] == [second["id"], first["id"]]
    assert "description" not in listed[0]
    described = api("GET", "tickets", params={"include": "description", "order_type": "asc"})
    assert [t["id"] for t in described.json()] == [first["id"], second["id"]]
    assert described.json()[0]["description"] == "<div>Help me</div>"

    def search(query: str) -> list[int]:
        answer = api("GET", "search/tickets", params={"query": query})
        assert answer.status_code == 200, answer.text
        assert answer.json()["total"] == len(answer.json()["results"])
        return [t["id"] for t in answer.json()["results"]]

    assert search("\"tag:'messenger'\"") == [first["id"]]
    assert search("\"tag:'social'\"") == [second["id"], first["id"]]
    assert search("\"tag:'social' AND status:3\"") == [second["id"]]
    assert search("\"(priority:4 OR status:3) AND tag:'social'\"") == [second["id"], first["id"]]
    assert search("\"priority:>3\"") == [first["id"]]
    assert search("\"cf_social_channel:'telegram'\"") == [second["id"]]
    assert search("\"tag:null\"") == []
    for bad in ("tag:'social'", "\"tag:'x' AND\"", "\"shoe:1\"", "\"(tag:'x'\"",
                "\"" + "tag:'x' OR " * 60 + "tag:'y'\""):
        assert api("GET", "search/tickets", params={"query": bad}).status_code == 400, bad
    emu.set_search_lag(60)
    new_ticket(api, tags=["fresh"])
    assert search("\"tag:'fresh'\"") == []  # not indexed yet
    emu.set_search_lag(0)
    assert len(search("\"tag:'fresh'\"")) == 1


def test_ticket_fields(api: Api) -> None:
    fields = api("GET", "ticket_fields").json()
    kinds = {f["name"]: f["type"] for f in fields}
    assert kinds["status"] == "default_status" and kinds["cf_vip"] == "custom_checkbox"
    assert {"custom_text", "custom_dropdown", "custom_checkbox", "custom_date",
            "custom_number", "custom_paragraph", "nested_field"} <= set(kinds.values())
    status = next(f for f in fields if f["name"] == "status")
    assert status["choices"]["4"] == ["Resolved", "This ticket has been Resolved"]
    only = api("GET", "ticket_fields", params={"type": "custom_dropdown"}).json()
    assert [f["name"] for f in only] == ["cf_social_channel"]


def test_control_api(emu: FreshdeskEmulator, api: Api) -> None:
    ticket = new_ticket(api)
    tid = ticket["id"]
    assert control(emu, "POST", f"tickets/{tid}/reply",
                   json={"body": "<div>Hello</div>"}).json()["user_id"] == emu.AGENT_ID
    note = control(emu, "POST", f"tickets/{tid}/note", json={"body": "<div>psst</div>"}).json()
    assert note["private"] is True
    assert control(emu, "POST", f"tickets/{tid}/status",
                   json={"status": "Resolved"}).json()["status"] == 4
    assert control(emu, "POST", f"tickets/{tid}/status", json={"status": 99}).status_code == 400
    everything = control(emu, "GET", "tickets").json()
    assert [len(t["conversations"]) for t in everything] == [2]
    assert len(control(emu, "GET", "contacts").json()) == 1
    fault = control(emu, "POST", "faults", json={"path": "/agents/me", "status": 503,
                                                 "count": 2})
    assert fault.status_code == 201 and len(control(emu, "GET", "faults").json()) == 1
    assert [api("GET", "agents/me").status_code for _ in range(3)] == [503, 503, 200]
    assert control(emu, "POST", "faults", json={"path": "("}).status_code == 400
    assert control(emu, "POST", "faults", json={"colour": 1}).status_code == 400
    control(emu, "POST", "faults", json={"path": "/agents"})
    assert control(emu, "DELETE", "faults").status_code == 204 and emu.state.faults == []
    log = control(emu, "GET", "requests").json()
    assert log[-1]["path"] == "/api/v2/agents/me" and log[-1]["status"] == 200
    assert control(emu, "DELETE", "requests").status_code == 204 and emu.requests_log() == []
    assert control(emu, "PUT", "search_lag", json={"seconds": 5}).json() == {"seconds": 5.0}
    assert control(emu, "PUT", "rate_limit", json={"per_minute": 0}).status_code == 400
    assert control(emu, "POST", "reset").json() == {"ok": True} and emu.state.tickets == {}


def test_automation_rule(emu: FreshdeskEmulator, api: Api) -> None:
    from emulators.serving import ServerThread

    received: list[tuple[str, dict[str, str]]] = []

    def sink(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        received.append((environ["wsgi.input"].read(size).decode(),
                         {k: v for k, v in environ.items() if k.startswith("HTTP_")}))
        status = "500 Oops" if len(received) == 1 else "200 OK"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]

    bridge = ServerThread(sink)
    url = bridge.start()
    try:
        body = '{"freshdesk_webhook": {"ticket_id": "{{ticket.id}}", ' \
               '"ticket_status": "{{ticket.status}}", "triggered_event": "{{triggered_event}}"}}'
        rule = control(emu, "POST", "automation", json={"url": url, "secret": "s", "body": body})
        assert rule.status_code == 201 and control(emu, "GET", "automation").json()["url"] == url
        ticket = new_ticket(api)  # creation is no update: nothing sent
        emu.set_status(ticket["id"], "Resolved")
        deliveries = emu.wait_for_deliveries(2)
        assert [d["status"] for d in deliveries] == [500, 200]  # retried after a 5xx
        sent, headers = received[-1]
        assert json.loads(sent) == {"freshdesk_webhook": {
            "ticket_id": str(ticket["id"]), "ticket_status": "Resolved",
            "triggered_event": "{status:{from:2,to:4}}"}}
        assert headers["HTTP_X_BRIDGE_SECRET"] == "s"
        assert control(emu, "POST", "automation", json={"url": url, "performer": "me"}
                       ).status_code == 400
        assert control(emu, "DELETE", "automation").status_code == 204
        emu.agent_reply(ticket["id"], "<div>no rule, no webhook</div>")
        time.sleep(0.2)
        assert len(control(emu, "GET", "webhook_deliveries").json()) == 2
    finally:
        bridge.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sandbox_command() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulators.freshdesk", "--port", str(port), "--api-key", "KEY",
         "--rate-limit", "50"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline().decode()
        assert f"Freshdesk emulator on http://127.0.0.1:{port}" in banner
        me = requests.get(f"http://127.0.0.1:{port}/api/v2/agents/me", auth=("KEY", "X"),
                          timeout=5)
        assert me.status_code == 200 and me.headers["X-RateLimit-Total"] == "50"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
