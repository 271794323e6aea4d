"""Page comments, Instagram comments and Instagram DMs → Zendesk → back, through the real
pipeline and adapters (Zendesk and Graph emulated), like test_messenger_zendesk.py.

Webhook bodies are built as Meta sends them and parsed by every channel registered for
their ``object`` (as ``/webhooks/meta`` does), stored, routed and run in-process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge import db, ingest, registry, routing
from bridge.domain import InboundMessage
from tests.integration.meta_world import PAGE
from tests.integration.zendesk_world import World

POST = f"{PAGE}_512345678901234"
TOP, REPLY = "512345678901234_1001", "512345678901234_1002"
ANA, ANA_NAME = "7281234567890123", "Ana García"
IG_ACCOUNT, IGSID = "17841400000000001", "1284567890123456"
IG_TOP = "17890000000000001"


def deliver(w: World, payload: dict[str, Any]) -> list[int]:
    """What ``/webhooks/meta`` and the route task do: every channel of the object parses."""
    messages: list[InboundMessage] = []
    for channel in registry.meta_channels(str(payload["object"])):
        messages += channel.parse(payload).messages
    for msg in messages:
        if msg.thread.channel == "instagram":  # Instagram itself knows who wrote when
            w.graph.state.instagram_customer(msg.sender.external_id, msg.sent_at)
    ids = ingest.store_messages(messages)
    with db.session() as s:
        return routing.route(s, ids) if ids else []


def seconds(at: datetime) -> int:
    return int(at.timestamp())


def feed(w: World, comment_id: str, text: str, *, parent: str = POST, verb: str = "add",
         author: tuple[str, str] = (ANA, ANA_NAME)) -> dict[str, Any]:
    value = {"item": "comment", "verb": verb, "comment_id": comment_id, "post_id": POST,
             "parent_id": parent, "from": {"id": author[0], "name": author[1]},
             "message": text, "created_time": seconds(w.clock.now)}
    return {"object": "page", "entry": [{"id": PAGE, "time": seconds(w.clock.now),
                                         "changes": [{"field": "feed", "value": value}]}]}


def started(w: World, payload: dict[str, Any]) -> tuple[int, int]:
    (conv,) = deliver(w, payload)
    assert w.run(conv) is None
    return conv, w.ticket_id(conv)


def test_page_comment_thread_round_trip(world: World) -> None:
    w = world
    w.graph.state.comments.add(TOP, "facebook", ANA, w.clock.now)
    conv, tid = started(w, feed(w, TOP, "Where is my order #123?"))
    ticket = w.tickets()[tid]
    assert {"social", "facebook_comment"} <= set(ticket["tags"])
    requester = w.user(ticket["requester_id"])
    assert requester["external_id"] == f"facebook_comment:{PAGE}:{ANA}"
    assert requester["name"] == ANA_NAME
    assert w.public_bodies(tid) == ["Where is my order #123?"]

    w.clock.advance(600)
    assert w.agent_says(conv, tid, "Hi Ana, it ships today.") is None
    (sent,) = w.sent()
    assert (sent["surface"], sent["comment_id"], sent["text"]) == (
        "facebook_comment", TOP, "Hi Ana, it ships today.")

    w.clock.advance(60)  # our reply comes back as a feed change from the page: dropped
    assert deliver(w, feed(w, "512345678901234_9999", "Hi Ana, it ships today.", parent=TOP,
                           author=(PAGE, "Acme"))) == []

    w.clock.advance(600)  # the customer answers in the thread: the same ticket
    assert deliver(w, feed(w, REPLY, "Thanks! 🙏", parent=TOP)) == [conv]
    assert w.run(conv) is None
    assert list(w.tickets()) == [tid]
    assert w.public_bodies(tid)[-1] == "Thanks! 🙏"

    w.clock.advance(60)  # an edit of the first comment: its own event, same conversation
    assert deliver(w, feed(w, TOP, "Where is my order #124?", verb="edited")) == [conv]
    edit = InboundMessage.from_json(w.rows(conv)[-1].payload)
    assert (edit.kind, edit.refers_to, edit.text) == ("edit", TOP, "Where is my order #124?")
    assert edit.message_id.startswith(f"edit:{TOP}:")


def test_reply_to_a_removed_comment_fails_with_a_note(sqlite_world: World) -> None:
    w = sqlite_world
    conv, tid = started(w, feed(w, TOP, "Hello?"))
    w.graph.state.comments.remove(TOP)
    assert w.agent_says(conv, tid, "Hi!") is None
    assert w.sent() == []
    notes = [n.text for n in w.private_notes(tid)]
    assert any("not delivered" in n and "removed" in n for n in notes), notes


def test_instagram_comment_round_trip(sqlite_world: World) -> None:
    w = sqlite_world
    value = {"from": {"id": IGSID, "username": "ana.garcia"}, "id": IG_TOP,
             "media": {"id": "18012345678901234", "media_product_type": "FEED"},
             "text": "Do you ship to Yerevan? Բարև"}
    body = {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": seconds(w.clock.now),
                                              "changes": [{"field": "comments",
                                                           "value": value}]}]}
    conv, tid = started(w, body)
    ticket = w.tickets()[tid]
    assert {"social", "instagram_comment"} <= set(ticket["tags"])
    assert w.user(ticket["requester_id"])["name"] == "ana.garcia"
    assert w.agent_says(conv, tid, "@ana.garcia yes, we do!") is None
    (sent,) = w.sent()
    assert (sent["surface"], sent["comment_id"], sent["text"]) == (
        "instagram_comment", IG_TOP, "@ana.garcia yes, we do!")


def test_instagram_dm_round_trip(world: World) -> None:
    w = world
    w.graph.state.set_profile(IGSID, "Ana", "García", username="ana.garcia")
    item = {"sender": {"id": IGSID}, "recipient": {"id": IG_ACCOUNT},
            "timestamp": seconds(w.clock.now) * 1000,
            "message": {"mid": "aWdfZAG1", "text": "Hi, is my parcel on its way?"}}
    body = {"object": "instagram", "entry": [{"id": IG_ACCOUNT, "time": seconds(w.clock.now),
                                              "messaging": [item]}]}
    conv, tid = started(w, body)
    ticket = w.tickets()[tid]
    assert {"social", "instagram"} <= set(ticket["tags"])
    requester = w.user(ticket["requester_id"])
    assert requester["external_id"] == f"instagram:{IG_ACCOUNT}:{IGSID}"
    assert requester["name"] == "Ana García"

    w.clock.advance(3600)
    assert w.agent_says(conv, tid, "Yes, it arrives tomorrow.") is None
    (sent,) = w.sent()
    assert (sent["surface"], sent["recipient"], sent["messaging_type"], sent["text"]) == (
        "instagram", IGSID, "RESPONSE", "Yes, it arrives tomorrow.")

    w.clock.advance(3 * 86400)  # days later an agent still may answer, as a human agent
    assert w.agent_says(conv, tid, "Did it arrive?") is None
    assert (w.sent()[-1]["messaging_type"], w.sent()[-1]["tag"]) == ("MESSAGE_TAG",
                                                                      "HUMAN_AGENT")
    assert list(w.tickets()) == [tid]
