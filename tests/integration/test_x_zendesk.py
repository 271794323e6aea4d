"""X → Zendesk → X through the real pipeline and the real adapters.

Each test plays X (the captured Account Activity bodies of ../shared/fixtures/x_twitter,
or bodies of the same shape) and a Zendesk agent (the emulator's agent actions), runs the
conversation in-process under a fake clock shared with the X emulator, and asserts on
what the emulators hold: tickets and comments in Zendesk, posts and DMs on X.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from bridge import db, ingest, registry, routing
from emulators.x import Fault, XEmulator
from emulators.zendesk import ZendeskEmulator
from tests.conftest import shared_path
from tests.fakes import FakeClock
from tests.integration.conftest import served
from tests.integration.world import world_lifecycle
from tests.integration.zendesk_world import ZendeskSide

ACCOUNT = "2975699229"  # @ScruffyMcG, the subscribed account of the captures
PENN = "1205290247124217856"
MENTION = "1205348660982083584"
REPLY = "1207623566339919872"
T0 = datetime(2019, 12, 20, 9, 0, tzinfo=UTC)  # just after the captures


@pytest.fixture(scope="module")
def x_server() -> Iterator[XEmulator]:
    yield from served(XEmulator(account_id=ACCOUNT))


@dataclass
class XWorld(ZendeskSide):
    """One test's bridge on Zendesk, whose customers are on X."""

    env: pytest.MonkeyPatch
    database_url: str
    zendesk: ZendeskEmulator
    x: XEmulator
    clock: FakeClock

    def settings(self) -> dict[str, str]:
        keys = self.x.state
        return {
            **self.zendesk_settings(),
            "X_API_BASE_URL": self.x.url, "X_ACCOUNT_ID": ACCOUNT,
            "X_CONSUMER_KEY": keys.consumer_key, "X_CONSUMER_SECRET": keys.consumer_secret,
            "X_ACCESS_TOKEN": keys.access_token,
            "X_ACCESS_TOKEN_SECRET": keys.access_token_secret,
            "BRIDGE_HTTP_TIMEOUT": "5"}

    # ---- X, as it delivers webhooks ----------------------------------------------------

    def deliver(self, payload: dict[str, Any]) -> list[int]:
        """What the webhook and then the route task do; the conversations touched."""
        parsed = registry.channel("x").parse(payload)
        ids = ingest.store_messages(parsed.messages)
        with db.session() as s:
            return routing.route(s, ids) if ids else []

    def capture(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            shared_path("fixtures", "x_twitter", name).read_text(encoding="utf-8"))
        return data

    def customer_reply_to(self, parent_id: str, text: str, tweet_id: str) -> dict[str, Any]:
        """The customer answering a post (ours or theirs), as the captured reply is shaped."""
        body = self.capture("tweet_create_reply_in_reply_to.json")
        tweet = body["tweet_create_events"][0]
        tweet.update(id=int(tweet_id), id_str=tweet_id, text=text,
                     in_reply_to_status_id=int(parent_id), in_reply_to_status_id_str=parent_id,
                     timestamp_ms=str(int(self.clock.now.timestamp() * 1000)))
        return body

    def started(self, capture: str) -> tuple[int, int, dict[str, Any]]:
        """The captured body opens a ticket: (conversation id, ticket id, ticket)."""
        (conv,) = self.deliver(self.capture(capture))
        assert self.run(conv) is None
        ((tid, ticket),) = self.tickets().items()
        assert {"social", "x"} <= set(ticket["tags"])
        return conv, tid, ticket


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, zendesk_server: ZendeskEmulator,
          x_server: XEmulator) -> Iterator[XWorld]:
    yield from world_lifecycle(lambda fake: XWorld(env, database_url, zendesk_server,
                                                   x_server, fake),
                               zendesk_server, x_server, T0)


def test_customer_dm_becomes_a_ticket_and_the_agent_answers_by_dm(world: XWorld) -> None:
    w = world
    conv, tid, ticket = w.started("dm_incoming_text.json")
    assert w.public_bodies(tid) == ["Yes, you are!"]
    requester = w.user(ticket["requester_id"])
    assert requester["external_id"] == f"x:{ACCOUNT}:{PENN}"
    assert requester["name"] == "pennbrooke"

    w.clock.advance(600)
    assert w.agent_says(conv, tid, "Thanks! Your refund is on its way 🙂") is None
    (dm,) = w.x.state.dms()
    assert dm["participant_id"] == PENN
    assert dm["text"] == "Thanks! Your refund is on its way 🙂"
    assert w.x.state.posts() == []

    w.clock.advance(60)
    assert w.agent_says(conv, tid, "Thanks! Your refund is on its way 🙂") is None  # new comment
    assert len(w.x.state.dms()) == 2  # one DM per agent comment, never re-sent


def test_the_accounts_own_events_are_never_ticketed(world: XWorld) -> None:
    w = world
    own = w.capture("dm_incoming_text.json")
    event = own["direct_message_events"][0]["message_create"]
    event["sender_id"], event["target"]["recipient_id"] = ACCOUNT, PENN  # our echo
    assert w.deliver(own) == []
    assert w.tickets() == {}


def test_mention_and_replies_are_one_public_conversation(world: XWorld) -> None:
    w = world
    conv, tid, _ = w.started("tweet_create_user_mention.json")
    assert w.public_bodies(tid) == ["@ScruffyMcG This is a test of Twitter API webhooks."]

    assert w.deliver(w.capture("tweet_create_reply_in_reply_to.json")) == [conv]
    assert w.run(conv) is None
    assert list(w.tickets()) == [tid]  # the reply joined the ticket
    assert w.public_bodies(tid)[-1] == "@ScruffyMcG This is only a test."

    w.clock.advance(300)
    assert w.agent_says(conv, tid, "Sorry about that, we are looking into it.") is None
    (ours,) = w.x.state.posts()
    assert ours["text"] == "Sorry about that, we are looking into it."
    assert ours["in_reply_to"] == REPLY  # under the customer's latest post
    assert w.x.state.dms() == []

    # The customer answers our reply: same conversation, same ticket.
    w.clock.advance(300)
    answer = w.customer_reply_to(ours["id"], "@ScruffyMcG still broken", "1207700000000000000")
    assert w.deliver(answer) == [conv]
    assert w.run(conv) is None
    assert list(w.tickets()) == [tid]
    assert w.public_bodies(tid)[-1] == "@ScruffyMcG still broken"

    assert w.agent_says(conv, tid, "A replacement ships today.") is None
    assert w.x.state.posts()[-1]["in_reply_to"] == "1207700000000000000"


def test_long_agent_reply_is_a_numbered_thread_and_a_note(world: XWorld) -> None:
    w = world
    conv, tid, _ = w.started("tweet_create_user_mention.json")
    text = " ".join(f"Step {i}: unplug the router, wait ten seconds, plug it in."
                    for i in range(12))
    assert w.agent_says(conv, tid, text) is None
    posts = w.x.state.posts()
    assert [p["text"][:4] for p in posts] == ["1/3 ", "2/3 ", "3/3 "]
    assert [p["in_reply_to"] for p in posts] == [MENTION, posts[0]["id"], posts[1]["id"]]
    (note,) = w.note_texts(tid)
    assert "split into 3 numbered reply posts" in note


def test_rate_limited_reply_waits_for_xs_reset_then_goes_once(world: XWorld) -> None:
    w = world
    conv, tid, _ = w.started("dm_incoming_text.json")
    w.x.state.add_fault(Fault(path="/2/dm_conversations", status=429, retry_after=600))
    delay = w.agent_says(conv, tid, "We are on it.")
    assert delay is not None
    assert delay == pytest.approx(600, abs=2)  # a wait at x-rate-limit-reset, not a sleep
    assert w.x.state.dms() == []
    w.clock.advance(delay + 1)
    assert w.run(conv) is None
    assert [d["text"] for d in w.x.state.dms()] == ["We are on it."]
    assert w.note_texts(tid) == []


def test_a_refused_dm_is_an_internal_note(world: XWorld) -> None:
    w = world
    conv, tid, _ = w.started("dm_incoming_text.json")
    w.x.state.dm_refusing.add(PENN)
    assert w.agent_says(conv, tid, "Hello?") is None
    assert w.x.state.dms() == []
    (note,) = w.note_texts(tid)
    assert "not delivered" in note and "cannot send messages to this user" in note
