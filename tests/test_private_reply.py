"""Public to private (``bridge.private_reply``), through the real pipeline and adapters with
the Zendesk and Graph emulators (the integration world, on SQLite and PostgreSQL).

The agent puts the tag on a comment ticket and replies: the reply is the comment's one
private reply, a public notice goes under the comment, and the DM thread continues on the
same ticket. Webhook bodies are built as Meta sends them (Meta's Webhooks reference for the
Page ``feed`` and Instagram ``comments`` fields, and the Messenger/Instagram ``messaging``
items), like tests/integration/test_comments_zendesk.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import select

from bridge import db, ingest, registry, routing
from bridge.admin import store
from bridge.domain import InboundMessage
from bridge.models import Conversation, Delivery
from bridge.rules.model import Actions, Condition, Rule
from emulators.graph.state import Fault
from emulators.zendesk.control import UI_META
from emulators.zendesk.state import EmulatorState
from emulators.zendesk.tickets import update_ticket
from emulators.zendesk.triggers import fire
from tests.integration import conftest as integration
from tests.integration.conftest import PAGE, World

# The integration world's fixtures (its conftest covers tests/integration only).
zendesk_server, graph_server = integration.zendesk_server, integration.graph_server
world, sqlite_world = integration.world, integration.sqlite_world

POST = f"{PAGE}_512345678901234"
TOP, REPLY = "512345678901234_1001", "512345678901234_1002"
ANA, ANA_NAME = "7281234567890123", "Ana García"
BEN = "7281234567890999"
IG_ACCOUNT, IGSID, IG_TOP = "17841400000000001", "1284567890123456", "17890000000000001"
TAG = "reply_private"
NOTICE = "We've sent you a private message."
OPENER = "Hi! We've seen your comment and will continue here in private."


# ---- Meta, as it delivers webhooks ----------------------------------------------------------

def deliver(w: World, payload: dict[str, Any]) -> list[int]:
    """What ``/webhooks/meta`` and the route task do: every channel of the object parses."""
    messages: list[InboundMessage] = []
    for channel in registry.meta_channels(str(payload["object"])):
        messages += channel.parse(payload).messages
    for msg in messages:  # the platform knows when the customer last wrote
        if msg.thread.channel == "instagram":
            w.graph.state.instagram_customer(msg.sender.external_id, msg.sent_at)
        if msg.thread.channel == "messenger":
            w.graph.state.last_customer_message[msg.sender.external_id] = msg.sent_at
    ids = ingest.store_messages(messages)
    with db.session() as s:
        return routing.route(s, ids) if ids else []


def now_s(w: World) -> int:
    return int(w.clock.now.timestamp())


def page_comment(w: World, comment_id: str, text: str, *, parent: str = POST,
                 author: tuple[str, str] = (ANA, ANA_NAME)) -> dict[str, Any]:
    value = {"item": "comment", "verb": "add", "comment_id": comment_id, "post_id": POST,
             "parent_id": parent, "from": {"id": author[0], "name": author[1]},
             "message": text, "created_time": now_s(w)}
    return {"object": "page", "entry": [{"id": PAGE, "time": now_s(w),
                                         "changes": [{"field": "feed", "value": value}]}]}


def comment_removed(w: World, comment_id: str) -> dict[str, Any]:
    value = {"item": "comment", "verb": "remove", "comment_id": comment_id, "post_id": POST,
             "parent_id": TOP, "from": {"id": ANA, "name": ANA_NAME}, "created_time": now_s(w)}
    return {"object": "page", "entry": [{"id": PAGE, "time": now_s(w),
                                         "changes": [{"field": "feed", "value": value}]}]}


def instagram(w: World, key: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": now_s(w), key: [item]}]}


def ig_comment(w: World, comment_id: str, text: str) -> dict[str, Any]:
    return instagram(w, "changes", {"field": "comments", "value": {
        "from": {"id": IGSID, "username": "ana.garcia"}, "id": comment_id, "text": text,
        "media": {"id": "18012345678901234", "media_product_type": "FEED"}}})


def ig_dm(w: World, mid: str, text: str) -> dict[str, Any]:
    return instagram(w, "messaging", {
        "sender": {"id": IGSID}, "recipient": {"id": IG_ACCOUNT},
        "timestamp": now_s(w) * 1000, "message": {"mid": mid, "text": text}})


def messenger_dm(w: World, psid: str, text: str) -> dict[str, Any]:
    return w.payload(w.item(psid, text))


# ---- the agent, in Zendesk ----------------------------------------------------------------

def agent(w: World, ticket_id: int, body: str | None = None, *, add: Iterable[str] = (),
          remove: Iterable[str] = ()) -> int | None:
    """One update in the agent workspace (tags and/or a public reply), its triggers, and the
    webhook the bridge stores: the conversation that answers for the ticket."""
    data: dict[str, Any] = {"additional_tags": list(add), "remove_tags": list(remove)}
    if body is not None:
        data["comment"] = {"body": body, "public": True}
    state = w.zendesk.state
    with state.lock:
        change = update_ticket(state, ticket_id, data, EmulatorState.AGENT_ID, "web", UI_META)
    fire(state, change, w.zendesk.base_url)
    return w.agent_webhook(ticket_id)


def notes(w: World, ticket_id: int) -> list[str]:
    return [str(c["body"]) for c in w.comments(ticket_id) if not c["public"]]


def surfaces(w: World) -> list[tuple[str, str]]:
    return [(str(r["surface"]), str(r["text"])) for r in w.sent()]


def deliveries(conv_id: int) -> list[Delivery]:
    with db.session() as s:
        return list(s.scalars(select(Delivery).where(Delivery.conversation_id == conv_id)
                              .order_by(Delivery.id)))


def started(w: World, payload: dict[str, Any]) -> tuple[int, int]:
    (conv,) = deliver(w, payload)
    assert w.run(conv) is None
    return conv, w.ticket_id(conv)


def taken_private(w: World, conv: int, tid: int, text: str) -> int:
    """The agent adds the tag and replies; the comment conversation runs; the DM one."""
    assert agent(w, tid, text, add=[TAG]) == conv
    assert w.run(conv) is None
    moved = w.conversation(conv)
    assert (moved.private_state, moved.moved_to_id is not None) == ("sent", True)
    assert moved.moved_to_id is not None
    return moved.moved_to_id


# ---- the flow -------------------------------------------------------------------------------

def test_page_comment_taken_private_continues_in_messenger(world: World) -> None:
    w = world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "My order #123 never came 😡"))
    assert w.conversation(conv).private_state == "public"  # read once: no tag yet
    w.clock.advance(600)
    w.graph.state.comments.add(REPLY, "facebook", ANA, w.clock.now, TOP)
    assert deliver(w, page_comment(w, REPLY, "Hello??", parent=TOP)) == [conv]
    assert w.run(conv) is None

    w.clock.advance(600)
    dm = taken_private(w, conv, tid, "Sorry Ana! Could you send me your address?")
    private, notice = w.sent()
    assert (private["surface"], private["comment_id"], private["recipient"], private["text"]) \
        == ("private_reply", REPLY, ANA, "Sorry Ana! Could you send me your address?")
    assert (notice["surface"], notice["comment_id"], notice["text"]) == (
        "facebook_comment", TOP, NOTICE)
    linked = w.conversation(dm)
    assert (linked.channel, linked.account_id, linked.thread_id, linked.ticket_id) == (
        "messenger", PAGE, ANA, str(tid))
    assert any(n.startswith("Replied privately to the comment; the conversation continues "
                            f"in Messenger (PSID {ANA})") for n in notes(w, tid)), notes(w, tid)

    w.clock.advance(300)  # the customer answers in Messenger: a comment on the same ticket
    assert deliver(w, messenger_dm(w, ANA, "Calle Mayor 5, Madrid")) == [dm]
    assert w.run(dm) is None
    assert list(w.tickets()) == [tid]
    assert w.public_bodies(tid)[-1] == "Calle Mayor 5, Madrid"

    w.clock.advance(300)  # the next agent reply goes to the DM only
    assert agent(w, tid, "Thanks, it ships today.") == dm
    assert w.run(dm) is None and w.run(conv) is None
    assert surfaces(w)[2:] == [("messenger", "Thanks, it ships today.")]
    assert w.sent()[-1]["recipient"] == ANA

    w.clock.advance(300)  # a later public comment still reaches the ticket
    w.graph.state.comments.add("512345678901234_1003", "facebook", ANA, w.clock.now, TOP)
    assert deliver(w, page_comment(w, "512345678901234_1003", "Got it, thanks!",
                                   parent=TOP)) == [conv]
    assert w.run(conv) is None
    assert w.public_bodies(tid)[-1] == "Got it, thanks!"
    assert len(w.sent()) == 3  # and nothing more went out


def test_instagram_comment_taken_private_continues_in_direct(world: World) -> None:
    w = world
    w.graph.state.comments.add(IG_TOP, "instagram", IGSID, w.clock.now)
    conv, tid = started(w, ig_comment(w, IG_TOP, "Is my parcel lost? Բարև"))
    w.clock.advance(3600)
    dm = taken_private(w, conv, tid, "Let's check: what's your order number?")
    assert surfaces(w) == [("private_reply", "Let's check: what's your order number?"),
                           ("instagram_comment", NOTICE)]
    assert w.sent()[0]["recipient"] == IGSID and w.sent()[0]["comment_id"] == IG_TOP
    linked = w.conversation(dm)
    assert (linked.channel, linked.account_id, linked.thread_id, linked.ticket_id) == (
        "instagram", IG_ACCOUNT, IGSID, str(tid))
    assert any(f"continues in Instagram (IGSID {IGSID})" in n for n in notes(w, tid))

    w.clock.advance(60)
    assert deliver(w, ig_dm(w, "aWdfZAG1", "Order 4711")) == [dm]
    assert w.run(dm) is None
    assert w.public_bodies(tid)[-1] == "Order 4711"
    assert agent(w, tid, "Found it: it arrives tomorrow.") == dm
    assert w.run(dm) is None
    assert surfaces(w)[-1] == ("instagram", "Found it: it arrives tomorrow.")
    assert list(w.tickets()) == [tid]


def test_a_rule_taking_the_comment_private_sends_the_opener_at_once(
        sqlite_world: World) -> None:
    """A routing rule's take_private tags the ticket as it is created; the bridge knows it
    wrote the tag (no read of the ticket) and answers privately without waiting for an
    agent."""
    w = sqlite_world
    with db.session() as s:
        store.create_rule(s, Rule(name="complaints in private",
                                  when=Condition(keywords=["broke"]),
                                  then=Actions(take_private=True)), "test")
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Your product broke after one day"))
    assert surfaces(w) == [("private_reply", OPENER), ("facebook_comment", NOTICE)]
    dm = w.conversation(conv).moved_to_id
    assert dm is not None
    assert any(n.startswith("Wrote privately to the comment") and f"PSID {ANA}" in n
               for n in notes(w, tid)), notes(w, tid)

    w.clock.advance(120)  # the customer answers the opener; the agent's reply follows
    assert deliver(w, messenger_dm(w, ANA, "It just stopped working")) == [dm]
    assert w.run(dm) is None
    assert agent(w, tid, "Sorry! A replacement is on its way.") == dm
    assert w.run(dm) is None
    assert surfaces(w)[-1] == ("messenger", "Sorry! A replacement is on its way.")
    assert w.public_bodies(tid)[-1] == "Sorry! A replacement is on its way."


def test_messenger_thread_with_its_own_ticket_moves_to_the_comment_ticket(
        sqlite_world: World) -> None:
    w = sqlite_world
    old = w.writes(ANA, "An older question")
    assert w.run(old) is None
    old_ticket = w.ticket_id(old)
    w.clock.advance(86400)
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Still waiting!"))
    assert taken_private(w, conv, tid, "Let's talk in private.") == old
    assert w.ticket_id(old) == tid
    assert any(f"was on ticket {old_ticket} until now" in n for n in notes(w, tid))
    assert agent(w, old_ticket, "late reply on the old ticket") is None


# ---- refusals -------------------------------------------------------------------------------

def _already_replied(w: World) -> None:
    w.graph.state.comments.comments[TOP].private_replied = True


def _eight_days_later(w: World) -> None:
    w.clock.advance(8 * 86400)


def _removed(w: World) -> None:
    w.graph.state.comments.remove(TOP)
    assert deliver(w, comment_removed(w, TOP)) != []


@pytest.mark.parametrize(("setup", "reason", "public_ok"), [
    (_already_replied, "this comment already had its private reply", True),
    (_eight_days_later, "within 7 days of the comment", True),
    (_removed, "no comment of the customer's is left to answer", False),
])
def test_refused_private_reply_is_noted_and_never_posted_publicly(
        sqlite_world: World, setup: Any, reason: str, public_ok: bool) -> None:
    w = sqlite_world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Where is my refund?"))
    setup(w)
    assert agent(w, tid, "Your IBAN ends in 1234, right?", add=[TAG]) == conv
    assert w.run(conv) is None
    assert w.sent() == []
    (note,) = [n for n in notes(w, tid) if "was not sent privately" in n]
    assert reason in note and "not posted publicly either" in note
    assert [d.state for d in deliveries(conv)] == ["skipped"]
    assert w.conversation(conv).moved_to_id is None

    assert agent(w, tid, "Please check your inbox.", remove=[TAG]) == conv
    assert w.run(conv) is None  # without the tag, replies go public again
    if public_ok:
        assert surfaces(w) == [("facebook_comment", "Please check your inbox.")]
    else:  # a removed comment takes no public reply either
        assert w.sent() == []
        assert any("Reply not delivered" in n and "removed" in n for n in notes(w, tid))


def test_removed_comment_refuses_the_private_reply_on_the_platform(sqlite_world: World) -> None:
    """The bridge did not hear of the removal: Meta's refusal (code 100, subcode 33)."""
    w = sqlite_world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Where is my refund?"))
    w.graph.state.comments.remove(TOP)
    assert agent(w, tid, "Let me check", add=[TAG]) == conv
    assert w.run(conv) is None
    assert w.sent() == []
    assert any("was not sent privately" in n and "removed" in n for n in notes(w, tid))


def test_private_reply_retried_after_a_lost_answer_is_not_sent_twice(
        sqlite_world: World) -> None:
    """Meta took the private reply but its answer never came (a 500 here, the comment
    marked as answered): the retry is refused by Meta, and the note says what happened."""
    w = sqlite_world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Hello?"))
    w.graph.state.add_fault(Fault(path=r"/messages$", status=500))
    assert agent(w, tid, "Hi Ana, writing you privately", add=[TAG]) == conv
    assert w.run(conv) is not None  # the delivery waits for its retry
    (d,) = deliveries(conv)
    assert (d.state, d.attempts) == ("sending", 1)  # it may have reached Meta
    _already_replied(w)
    assert w.run_until_idle(conv) >= 1
    assert w.sent() == []  # the emulator recorded nothing twice; the retry was refused
    (d,) = deliveries(conv)
    assert d.state == "sent"
    assert any("most likely this one" in n and "PSID is unknown" in n for n in notes(w, tid))


def test_helpdesk_events_go_to_the_dm_conversation_once_moved(sqlite_world: World) -> None:
    w = sqlite_world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, page_comment(w, TOP, "Hi"))
    dm = taken_private(w, conv, tid, "Writing privately")
    with db.session() as s:  # a webhook stored just before the move still marks the old one
        moved = s.get(Conversation, conv)
        assert moved is not None
        moved.outbound_due = True
        s.commit()
    w.zendesk.agent_comment(tid, "One more thing")
    assert w.run(conv) is None  # hands over: no read, no delivery on the comment thread
    assert w.conversation(dm).outbound_due
    w.clock.advance(10)
    assert deliver(w, messenger_dm(w, ANA, "Yes?")) == [dm]
    assert w.run(dm) is None
    assert surfaces(w)[-1] == ("messenger", "One more thing")
    assert [r["surface"] for r in w.sent()].count("facebook_comment") == 1  # the notice


def test_comment_tickets_are_not_read_to_learn_their_tags(sqlite_world: World) -> None:
    w = sqlite_world
    mark = w.mark()
    conv, _tid = started(w, page_comment(w, TOP, "Hi"))
    assert not [c for c in w.calls(mark) if c.startswith("GET /api/v2/tickets/")]
    w.clock.advance(60)
    mark = w.mark()
    assert deliver(w, page_comment(w, REPLY, "anyone?", parent=TOP)) == [conv]
    assert w.run(conv) is None
    assert not [c for c in w.calls(mark) if c.startswith("GET /api/v2/tickets/")]
