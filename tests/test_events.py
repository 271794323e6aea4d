"""Edits, deletions, failed deliveries and receipts through the pipeline, on SQLite and
PostgreSQL, with the in-memory helpdesk: one internal note per event, nothing changed
silently, receipts recorded on the replies and never ticketed."""

from __future__ import annotations

import itertools
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bridge import clock, db, ingest, pipeline, receipts, registry, routing
from bridge.config import Settings
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.metrics import EVENTS_IGNORED, RECEIPTS
from bridge.models import Conversation, Delivery, InboxMessage, SentMessage
from bridge.receipts import Receipt
from bridge.social import meta
from bridge.social.messenger.adapter import MessengerChannel
from bridge.social.telegram.adapter import TelegramChannel
from tests.fakes import FakeChannel, FakeHelpdesk
from tests.test_pipeline import T0, World, world
from tests.web.conftest import build_web, post_meta

__all__ = ["world"]
PAGE, PSID = "1234567890", "5678"
THREAD = ThreadKey("messenger", PAGE, PSID)


def message(mid: str, text: str, at: datetime = T0, **kw: object) -> InboundMessage:
    return InboundMessage(THREAD, mid, Sender(PSID), at, text, **kw)  # type: ignore[arg-type]


def edit(mid: str, text: str, at: datetime, version: int = 1) -> InboundMessage:
    return message(f"edit:{mid}:{version}", text, at, kind="edit", refers_to=mid)


def deletion(mid: str, at: datetime) -> InboundMessage:
    return message(f"delete:{mid}", "", at, kind="delete", refers_to=mid)


def failure(platform_id: str, reason: str, at: datetime) -> InboundMessage:
    return message(f"status:{platform_id}:failed", reason, at, kind="status",
                   refers_to=platform_id)


def deliver(*msgs: InboundMessage) -> list[int]:
    """What the webhook, the route task and the conversation runs do."""
    ids = ingest.store_messages(msgs)
    with db.session() as s:
        touched = routing.route(s, ids) if ids else []
    for conv in touched:
        while pipeline.run_conversation(conv) == 0.0:
            pass
    return touched


def ticketed(hd: FakeHelpdesk) -> str:
    deliver(message("m1", "My parcel is late\nOrder 1234"))
    (ticket,) = hd.tickets.values()
    return ticket.id


def agent_reply(hd: FakeHelpdesk, ticket_id: str, body: str, key: str) -> None:
    hd.reply(ticket_id, body, clock.now())
    with db.session() as s:
        conv = ingest.store_helpdesk_event(s, "fake", key, ticket_id)
    assert conv is not None
    while pipeline.run_conversation(conv) == 0.0:
        pass


def counter(metric: object, *labels: str) -> float:
    return float(metric.labels(*labels)._value.get())  # type: ignore[attr-defined]


def test_edit_is_one_note_quoting_both_versions(world: World) -> None:
    hd, _, _ = world
    ticket = ticketed(hd)
    fix = edit("m1", "My parcel is late\nOrder 1243", T0 + timedelta(minutes=2))
    deliver(fix)
    deliver(fix)  # the webhook again: stored once, noted once
    assert hd.public_bodies(ticket) == ["My parcel is late\nOrder 1234"]  # never changed
    assert hd.notes(ticket) == [
        "The customer edited a message on Messenger (sent 2026-11-20 09:00 UTC).\n"
        "Before:\n> My parcel is late\n> Order 1234\nAfter:\n> My parcel is late\n"
        "> Order 1243"]
    with db.session() as s:
        conv = s.scalars(select(Conversation)).one()
        assert conv.last_customer_at == T0  # an edit is no new message


def test_deletion_quotes_what_stays_on_the_ticket(world: World) -> None:
    hd, _, _ = world
    ticket = ticketed(hd)
    deliver(deletion("m1", T0 + timedelta(minutes=5)))
    assert hd.public_bodies(ticket) == ["My parcel is late\nOrder 1234"]
    assert hd.notes(ticket) == [
        "The customer deleted a message on Messenger (sent 2026-11-20 09:00 UTC). It stays "
        "on this ticket:\n> My parcel is late\n> Order 1234"]


def test_events_about_messages_never_received_say_so(world: World) -> None:
    hd, _, _ = world
    ticket = ticketed(hd)
    deliver(edit("m0", "fixed", T0 + timedelta(minutes=1)),
            deletion("m-1", T0 + timedelta(minutes=2)))
    assert hd.notes(ticket) == [
        "The customer edited a message on Messenger.\nBefore:\n(the bridge never received "
        "the original)\nAfter:\n> fixed",
        "The customer deleted a message on Messenger that the bridge never received (m-1)."]


def test_edit_without_a_ticket_is_ticketed_as_the_message(world: World) -> None:
    hd, _, _ = world
    deliver(edit("m-old", "Where is my order?", T0))
    (ticket,) = hd.tickets.values()
    assert hd.public_bodies(ticket.id) == [
        "Where is my order?\n\n[edited; the bridge never received the original]"]
    assert hd.notes(ticket.id) == []


def test_deletion_without_a_ticket_is_logged_and_counted(world: World) -> None:
    hd, _, _ = world
    before = counter(EVENTS_IGNORED, "worker", "delete_without_ticket")
    deliver(deletion("m-old", T0))
    assert hd.tickets == {} and hd.calls == []
    assert counter(EVENTS_IGNORED, "worker", "delete_without_ticket") == before + 1
    with db.session() as s:
        assert s.scalars(select(InboxMessage.state)).all() == ["done"]


def test_failed_delivery_names_the_reply_and_the_reason(world: World) -> None:
    hd, ch, fake_clock = world
    ticket = ticketed(hd)
    agent_reply(hd, ticket, "Your parcel ships today.", "evt-1")
    assert [m.text for m in ch.sent] == ["Your parcel ships today."]
    fake_clock.advance(60)
    deliver(failure("m1", "User's number is part of an experiment (code 130472)",
                    fake_clock.now), failure("unknown-id", "Something (code 1)", fake_clock.now))
    assert hd.notes(ticket) == [
        "Messenger could not deliver the agent's reply sent 2026-11-20 09:00 UTC:\n"
        "> Your parcel ships today.\n"
        "Reason: User's number is part of an experiment (code 130472)",
        "Messenger could not deliver a message the bridge sent (unknown-id)\n"
        "Reason: Something (code 1)"]
    with db.session() as s:  # a channel that cannot hold replies leaves the delivery alone
        assert s.scalars(select(Delivery.state)).all() == ["sent"]


def test_events_keep_the_customers_order(world: World) -> None:
    hd, _, _ = world
    later = T0 + timedelta(minutes=1)
    deliver(message("m2", "second", later), edit("m1", "first, fixed", later + timedelta(1)),
            message("m1", "first"))
    (ticket,) = hd.tickets.values()
    assert hd.public_bodies(ticket.id) == ["first", "second"]
    assert hd.notes(ticket.id)[0].endswith("Before:\n> first\nAfter:\n> first, fixed")


def test_telegram_edit_through_the_channel_parser(world: World) -> None:
    hd, _, _ = world
    telegram = TelegramChannel(Settings(TELEGRAM_BOT_TOKEN="7012345678:tok"))
    user = {"id": 42, "is_bot": False, "first_name": "Noa"}
    sent = {"message_id": 7, "from": user, "date": int(T0.timestamp()),
            "chat": {"id": 42, "type": "private"}, "text": "Բարեւ, my order?"}
    deliver(*telegram.parse({"update_id": 1, "message": sent}).messages)
    fixed = {**sent, "text": "Բարեւ, my order 55?", "edit_date": int(T0.timestamp()) + 30}
    deliver(*telegram.parse({"update_id": 2, "edited_message": fixed}).messages)
    (ticket,) = hd.tickets.values()
    assert hd.notes(ticket.id) == [
        "The customer edited a message on Telegram (sent 2026-11-20 09:00 UTC).\n"
        "Before:\n> Բարեւ, my order?\nAfter:\n> Բարեւ, my order 55?"]


# ---- receipts ---------------------------------------------------------------------------


def sent_reply(hd: FakeHelpdesk, ch: FakeChannel) -> tuple[str, Delivery]:
    ticket = ticketed(hd)
    agent_reply(hd, ticket, "On its way.", "evt-1")
    with db.session() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert s.scalars(select(SentMessage.message_id)).all() == ["m1"]  # FakeChannel's id
        return ticket, delivery


def test_receipts_are_recorded_on_the_reply(world: World) -> None:
    hd, ch, _ = world
    ticket, _ = sent_reply(hd, ch)
    read_before = counter(RECEIPTS, "messenger", "read")
    at_delivered, at_read = T0 + timedelta(seconds=5), T0 + timedelta(seconds=9)
    assert receipts.record([Receipt(THREAD, "delivered", at_delivered, ("m1",))]) == 1
    assert receipts.record([Receipt(THREAD, "read", at_read, ("m1",)),
                            Receipt(THREAD, "read", at_read, ("m1",))]) == 1  # once
    with db.session() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert (delivery.delivered_at, delivery.read_at) == (at_delivered, at_read)
    assert counter(RECEIPTS, "messenger", "read") == read_before + 2
    assert hd.notes(ticket) == [] and len(hd.tickets) == 1  # never ticketed


def test_watermark_receipts_cover_replies_sent_before_them(world: World) -> None:
    hd, ch, _ = world
    sent_reply(hd, ch)
    early = Receipt(THREAD, "read", T0, watermark=T0 - timedelta(hours=1))
    assert receipts.record([early]) == 0
    assert receipts.record([Receipt(THREAD, "read", T0, watermark=T0 + timedelta(1))]) == 1
    with db.session() as s:
        delivery = s.scalars(select(Delivery)).one()
        assert delivery.read_at == T0 and delivery.delivered_at == T0


def test_receipts_for_unknown_messages_create_nothing(world: World) -> None:
    stranger = ThreadKey("messenger", PAGE, "someone-else")
    sent_before = counter(RECEIPTS, "messenger", "sent")
    assert receipts.record([Receipt(stranger, "delivered", T0, ("mid.x",)),
                            Receipt(stranger, "read", T0, watermark=T0),
                            Receipt(stranger, "sent", T0, ("mid.x",))]) == 0
    with db.session() as s:
        for model in (Conversation, InboxMessage, Delivery):
            assert s.scalar(select(func.count()).select_from(model)) == 0
    assert counter(RECEIPTS, "messenger", "sent") == sent_before + 1


def test_messenger_receipts_are_collected_only_from_receipt_bodies() -> None:
    channel = MessengerChannel(Settings(META_PAGE_ID=PAGE))
    stamp = itertools.count(1459991487970)
    delivery = {"object": "page", "entry": [{"id": PAGE, "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": next(stamp),
         "delivery": {"mids": ["mid.1"], "watermark": 1459991487000}},
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": next(stamp),
         "read": {"watermark": 1459991487500}}]}]}
    found = receipts.collect(channel, delivery, channel.parse(delivery))
    assert [(r.status, r.message_ids, r.watermark) for r in found] == [
        ("delivered", ("mid.1",), datetime.fromtimestamp(1459991487, UTC)),
        ("read", (), datetime.fromtimestamp(1459991487.5, UTC))]
    text = {"object": "page", "entry": [{"id": PAGE, "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": next(stamp),
         "message": {"mid": "mid.2", "text": "hi"}}]}]}
    assert receipts.collect(channel, text, channel.parse(text)) == ()


# ---- Messenger edits and unsends: parsed into inbox rows -----------------------------------


def test_messenger_message_edit_fixture() -> None:
    """tests/fixtures/meta_messenger/message_edit.json, from Meta's ``message_edits`` page."""
    raw = (Path(__file__).parent / "fixtures" / "meta_messenger" / "message_edit.json")
    channel = MessengerChannel(Settings(META_PAGE_ID=PAGE))
    mid = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"
    [edit] = channel.parse(meta.decode(raw.read_bytes())).messages
    assert edit == InboundMessage(
        THREAD, f"edit:{mid}:1", Sender(PSID), datetime.fromtimestamp(1458668856.463, UTC),
        "Order 1243, not 1234 — շնորհակալություն", kind="edit", refers_to=mid)
    assert InboundMessage.from_json(edit.to_json()) == edit


def test_messenger_unsent_message_is_a_deletion() -> None:
    channel = MessengerChannel(Settings(META_PAGE_ID=PAGE))
    body = {"object": "page", "entry": [{"id": PAGE, "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1700000000000,
         "message": {"mid": "mid.9", "is_deleted": True}}]}]}
    [deleted] = channel.parse(body).messages
    assert (deleted.kind, deleted.message_id, deleted.refers_to) == (
        "delete", "delete:mid.9", "mid.9")


def test_a_tapped_button_is_acknowledged_where_the_channel_asks(
        world: World, env: pytest.MonkeyPatch) -> None:
    hd, _, _ = world
    acknowledged: list[str] = []

    class Tapping(FakeChannel):
        def acknowledge(self, message: InboundMessage) -> None:
            acknowledged.append(message.message_id)

    tapping = Tapping()
    env.setattr(registry, "channel", lambda kind: tapping)
    deliver(message("m1", "hi"), message("callback:q1", "Yes", T0 + timedelta(1),
                                         quick_reply="yes"))
    assert acknowledged == ["callback:q1"]
    (ticket,) = hd.tickets.values()
    assert hd.public_bodies(ticket.id) == ["hi", "Yes"]  # not a CSAT answer: a message


def test_whatsapp_receipt_through_the_webhook_is_one_update(
        env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    """The request records the receipt on the reply: no vendor call, no row of its own."""
    with socket.socket() as never_listening:
        never_listening.bind(("127.0.0.1", 0))
        app = build_web(env, sqlite_url, never_listening.getsockname()[1])
        web = next(app)
        number, customer = "106540352242922", "972987654321"
        with db.session() as s:
            conv = Conversation(channel="whatsapp", account_id=number, thread_id=customer,
                                outbound_due=False, created_at=T0)
            s.add(conv)
            s.flush()
            reply = Delivery(helpdesk="zendesk", comment_id="c1", conversation_id=conv.id,
                             ticket_id="7", body="On its way", state="sent", attempts=1,
                             created_at=T0, sent_at=T0)
            s.add(reply)
            s.flush()
            s.add(SentMessage(channel="whatsapp", account_id=number,
                              message_id="wamid.read-me", delivery_id=reply.id))
            s.commit()
        status = {"id": "wamid.read-me", "status": "read", "timestamp": "1700000000",
                  "recipient_id": customer}
        body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
            "field": "messages", "value": {"messaging_product": "whatsapp",
                                           "metadata": {"phone_number_id": number},
                                           "statuses": [status]}}]}]}
        answer = post_meta(web.client, json.dumps(body).encode())
        assert (answer.status_code, answer.get_json()) == (
            200, {"status": "accepted", "messages": 0, "ignored": 1})
        read = datetime.fromtimestamp(1700000000, UTC)
        with db.session() as s:
            assert [(d.read_at, d.delivered_at) for d in s.scalars(select(Delivery))] == [
                (read, read)]
            assert s.scalar(select(func.count()).select_from(InboxMessage)) == 0
            assert s.scalar(select(func.count()).select_from(Conversation)) == 1
        assert web.batched_ids == []
        with pytest.raises(StopIteration):
            next(app)  # build_web's own check: no vendor call on the request path
