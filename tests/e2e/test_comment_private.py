"""A public page comment taken private, through gunicorn, Celery and beat: the comment
becomes a Zendesk ticket, the agent tags it and replies, the reply reaches the customer as
the comment's private reply with a public notice under the comment, and the customer's
answer in Messenger lands on the same ticket.

The feed webhook body follows Meta's Webhooks reference for the Page object, field
``feed`` (as tests/integration/test_comments_zendesk.py builds it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
import requests

from emulators.zendesk.control import UI_META
from emulators.zendesk.state import EmulatorState
from emulators.zendesk.tickets import update_ticket
from emulators.zendesk.triggers import fire
from tests.e2e.conftest import APP_SECRET, PAGE, Bridge
from tests.e2e.harness import wait_for

pytestmark = pytest.mark.e2e
POST = f"{PAGE}_512345678901234"
TOP = "512345678901234_1001"
ANA = "7281234567890123"
NOTICE = "We've sent you a private message."


def meta_posts(bridge: Bridge, payload: dict[str, Any]) -> requests.Response:
    """Meta delivers a webhook body, signed like Meta signs it."""
    body = json.dumps(payload).encode()
    sig = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return requests.post(f"{bridge.procs.url}/webhooks/meta", data=body, timeout=10,
                         headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"})


def page_comment(comment_id: str, text: str) -> dict[str, Any]:
    now = int(time.time())
    value = {"item": "comment", "verb": "add", "comment_id": comment_id, "post_id": POST,
             "parent_id": POST, "from": {"id": ANA, "name": "Ana García"}, "message": text,
             "created_time": now}
    return {"object": "page", "entry": [{"id": PAGE, "time": now,
                                         "changes": [{"field": "feed", "value": value}]}]}


def agent_tags_and_replies(bridge: Bridge, ticket_id: int, tag: str, text: str) -> None:
    """One update in the agent workspace: the tag and a public reply; triggers fire."""
    state = bridge.zendesk.state
    data = {"additional_tags": [tag], "comment": {"body": text, "public": True}}
    with state.lock:
        change = update_ticket(state, ticket_id, data, EmulatorState.AGENT_ID, "web", UI_META)
    fire(state, change, bridge.zendesk.base_url)


def requester_bodies(bridge: Bridge, ticket_id: int) -> list[str]:
    return [c["body"] for c in bridge.comments(ticket_id)
            if c["public"] and c["author_id"] != EmulatorState.AGENT_ID]


def test_page_comment_taken_private(production_bridge: Bridge) -> None:
    bridge = production_bridge
    installed = bridge.procs.cli("zendesk", "install", "--url", bridge.procs.url)
    assert installed.returncode == 0, installed.stderr
    bridge.graph.state.comments.add(TOP, "facebook", ANA)

    assert meta_posts(bridge, page_comment(TOP, "My parcel never arrived 😞")).status_code == 200
    ticket = wait_for(lambda: bridge.tickets()[0], 30, "a ticket")
    assert set(ticket["tags"]) >= {"social", "facebook_comment"}

    text = "Sorry, Ana! Could you send us your address in private?"
    agent_tags_and_replies(bridge, ticket["id"], "reply_private", text)
    wait_for(lambda: len(bridge.sent()) == 2, 30, "the private reply and the notice")
    private, notice = bridge.sent()
    assert (private["surface"], private["comment_id"], private["recipient"], private["text"]) \
        == ("private_reply", TOP, ANA, text)
    assert (notice["surface"], notice["comment_id"], notice["text"]) == (
        "facebook_comment", TOP, NOTICE)

    assert bridge.customer_writes(ANA, "mid-dm-1", "Calle Mayor 5, Madrid").status_code == 200
    wait_for(lambda: requester_bodies(bridge, ticket["id"])[-1:] == ["Calle Mayor 5, Madrid"],
             30, "the DM on the same ticket")
    assert len(bridge.tickets()) == 1
    notes = [c["body"] for c in bridge.comments(ticket["id"]) if not c["public"]]
    assert any(f"continues in Messenger (PSID {ANA})" in n for n in notes), notes

    bridge.zendesk.agent_comment(ticket["id"], "Thanks, a new parcel ships today.")
    wait_for(lambda: len(bridge.sent()) == 3, 30, "the next reply, in Messenger")
    last = bridge.sent()[-1]
    assert (last["surface"], last["recipient"], last["text"]) == (
        "messenger", ANA, "Thanks, a new parcel ships today.")
    assert [r["surface"] for r in bridge.sent()].count("facebook_comment") == 1
