"""WhatsApp replies held outside the 24 h window, on SQLite and PostgreSQL: the pipeline
with the real WhatsApp adapter against the WhatsApp emulator and an in-memory helpdesk.

The template goes out once per closed window, every step leaves an internal note, and the
held replies go out in order when the customer writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bridge import clock, db, ingest, pipeline, registry, routing
from bridge.config import get_settings
from bridge.models import Conversation, Delivery
from bridge.social.whatsapp.adapter import WhatsAppChannel
from emulators.whatsapp import Fault, WhatsAppEmulator
from tests.conftest import apply_env
from tests.fakes import FakeClock, FakeHelpdesk

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PHONE, WA_ID, TOKEN = "106540352242922", "972987654321", "wa-token"
TEMPLATE = ("reengage_customer", "hy")


@pytest.fixture(scope="module")
def server() -> Iterator[WhatsAppEmulator]:
    emulator = WhatsAppEmulator(phone_number_id=PHONE, access_token=TOKEN)
    emulator.start()
    yield emulator
    emulator.stop()


class World:
    def __init__(self, hd: FakeHelpdesk, emu: WhatsAppEmulator, fake_clock: FakeClock) -> None:
        self.hd, self.emu, self.clock = hd, emu, fake_clock

    def customer_writes(self, text: str, ago: timedelta = timedelta(0)) -> None:
        """WhatsApp's webhook for a customer message (the emulator's window follows it)."""
        body = self.emu.state.customer_message(WA_ID, text, "Anahit", self.clock.now - ago)
        self.deliver(body)

    def deliver(self, body: dict[str, Any]) -> None:
        parsed = registry.channel("whatsapp").parse(body)
        ids = ingest.store_messages(parsed.messages)
        with db.session() as s:
            touched = routing.route(s, ids) if ids else []
        for conv in touched:
            self.run(conv)

    def run(self, conv: int | None = None) -> None:
        for conv_id in [conv] if conv else pipeline.due_conversations():
            while pipeline.run_conversation(conv_id) == 0.0:
                pass

    @property
    def ticket(self) -> str:
        (ticket,) = self.hd.tickets.values()
        return ticket.id

    def agent_replies(self, body: str, key: str) -> None:
        self.hd.reply(self.ticket, body, self.clock.now)
        with db.session() as s:
            conv = ingest.store_helpdesk_event(s, "fake", key, self.ticket)
        assert conv is not None
        self.run(conv)

    def sent(self) -> list[tuple[str, str | None]]:
        """(type, text or template name) of every send the emulator accepted."""
        return [(m["type"], m["text"] if m["type"] != "template" else m["template"]["name"])
                for m in self.emu.state.sent]

    def states(self) -> list[str]:
        with db.session() as s:
            return list(s.scalars(select(Delivery.state).order_by(Delivery.id)))

    def reengaged_at(self) -> datetime | None:
        with db.session() as s:
            return s.scalars(select(Conversation.reengaged_at)).one()


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, server: WhatsAppEmulator
          ) -> Iterator[World]:
    server.state.reset()
    server.state.window_mode = "sync"
    server.state.templates.add(TEMPLATE)
    apply_env(env, DATABASE_URL=database_url, BRIDGE_MAX_ATTEMPTS="3",
              META_GRAPH_BASE_URL=server.url, WHATSAPP_PHONE_NUMBER_ID=PHONE,
              WHATSAPP_ACCESS_TOKEN=TOKEN, WHATSAPP_TEMPLATE_NAME=TEMPLATE[0],
              WHATSAPP_TEMPLATE_LANGUAGE=TEMPLATE[1], BRIDGE_HTTP_TIMEOUT="5")
    hd, fake_clock = FakeHelpdesk(), FakeClock(T0)
    channel = WhatsAppChannel(get_settings())
    env.setattr(registry, "helpdesk", lambda: hd)
    env.setattr(registry, "channel", lambda kind: channel)
    clock.set_clock(fake_clock)
    server.state.clock = fake_clock
    try:
        yield World(hd, server, fake_clock)
    finally:
        clock.set_clock(None)
        server.state.clock = lambda: datetime.now(UTC)


HELD = "The agent's reply is held, not delivered yet: the customer last wrote 1 day ago;"
TEMPLATE_SENT = ("Sent the approved template 'reengage_customer' (hy) asking the customer "
                 "to write; the reply goes out when they do.")


def test_reply_after_the_window_is_held_then_released(world: World) -> None:
    world.customer_writes("Is my order coming?", ago=timedelta(hours=25))
    world.agent_replies("Yes, it ships today.", "evt-1")
    world.agent_replies("Tracking: ZX-42", "evt-2")
    assert world.sent() == [("template", "reengage_customer")]  # once per closed window
    assert world.states() == ["held", "held"]
    [first, second] = world.hd.notes(world.ticket)
    assert first.startswith(HELD) and first.endswith(TEMPLATE_SENT)
    assert first.count("only an approved template can be sent") == 1
    assert second.startswith(HELD) and second.endswith(
        "The template 'reengage_customer' (hy) sent 2026-11-20 09:00 UTC already asks the "
        "customer to write; the reply goes out when they do.")
    assert world.reengaged_at() == T0

    world.clock.advance(3600)
    world.customer_writes("Hi, I am here")
    assert world.sent() == [("template", "reengage_customer"),
                            ("text", "Yes, it ships today."), ("text", "Tracking: ZX-42")]
    assert world.states() == ["sent", "sent"]
    assert world.hd.notes(world.ticket)[2:] == [
        "The held reply (held since 2026-11-20 09:00 UTC) was delivered: the customer wrote "
        "again."] * 2
    assert world.reengaged_at() is None
    assert world.hd.public_bodies(world.ticket) == ["Is my order coming?", "Hi, I am here"]


def test_next_closed_window_sends_the_template_again(world: World) -> None:
    world.customer_writes("Hello", ago=timedelta(hours=30))
    world.agent_replies("First answer", "evt-1")
    world.customer_writes("Back")
    world.clock.advance(2 * 86400)
    world.agent_replies("Second answer", "evt-2")
    assert world.sent() == [("template", "reengage_customer"), ("text", "First answer"),
                            ("template", "reengage_customer")]
    assert world.states() == ["sent", "held"]


def test_an_old_message_does_not_release_anything(world: World) -> None:
    world.customer_writes("Hello", ago=timedelta(hours=30))
    world.agent_replies("Answer", "evt-1")
    world.customer_writes("an old message delivered late", ago=timedelta(hours=26))
    assert world.states() == ["held"]
    assert world.sent() == [("template", "reengage_customer")]
    assert world.reengaged_at() == T0


def test_without_a_template_the_reply_is_skipped_and_the_note_says_why(
        world: World, env: pytest.MonkeyPatch) -> None:
    apply_env(env, WHATSAPP_TEMPLATE_NAME="")
    channel = WhatsAppChannel(get_settings())
    env.setattr(registry, "channel", lambda kind: channel)
    world.customer_writes("Hello", ago=timedelta(days=2))
    world.agent_replies("Answer", "evt-1")
    assert world.sent() == [] and world.states() == ["skipped"]
    [note] = world.hd.notes(world.ticket)
    assert note.startswith("Reply not delivered to the customer: not sent: the customer last "
                           "wrote 2 days ago;")
    assert note.endswith("Set WHATSAPP_TEMPLATE_NAME (and WHATSAPP_TEMPLATE_LANGUAGE) to an "
                         "approved template: replies are then held and the template asks "
                         "the customer to write.")


def test_refused_template_is_noted_and_the_reply_still_waits(world: World) -> None:
    world.emu.state.templates.discard(TEMPLATE)  # not approved (any more)
    world.customer_writes("Hello", ago=timedelta(days=2))
    world.agent_replies("Answer", "evt-1")
    assert world.sent() == [] and world.states() == ["held"]
    [note] = world.hd.notes(world.ticket)
    assert "The template 'reengage_customer' (hy) could not be sent: WhatsApp 400: (#132001)" \
        in note and note.endswith("The reply goes out if the customer writes.")
    assert world.reengaged_at() is None
    world.customer_writes("Still waiting")
    assert world.sent() == [("text", "Answer")] and world.states() == ["sent"]


def test_template_outage_retries_the_held_path(world: World) -> None:
    world.customer_writes("Hello", ago=timedelta(days=2))
    world.emu.state.add_fault(Fault(path="/messages$", status=503, count=1))
    world.agent_replies("Answer", "evt-1")
    assert world.sent() == [] and world.states() == ["sending"]  # retried later, like a send
    assert world.hd.notes(world.ticket) == []  # nothing happened yet: nothing to say
    world.clock.advance(60)
    world.run()
    assert world.sent() == [("template", "reengage_customer")]
    assert world.states() == ["held"] and len(world.hd.notes(world.ticket)) == 1


def test_platform_window_failure_after_acceptance_holds_the_reply(world: World) -> None:
    """The live API often accepts late free text and fails it by webhook (131047)."""
    world.emu.state.window_mode = "async"
    world.customer_writes("Hello", ago=timedelta(hours=20))  # within our window...
    world.emu.customer_wrote(WA_ID, timedelta(days=2))  # ...but WhatsApp knows better
    world.agent_replies("Answer", "evt-1")
    assert world.sent() == [("text", "Answer")] and world.states() == ["sent"]
    [status_webhook] = world.emu.state.webhooks
    world.clock.advance(5)
    world.deliver(status_webhook)
    assert world.states() == ["held"]
    assert world.sent() == [("text", "Answer"), ("template", "reengage_customer")]
    [note] = world.hd.notes(world.ticket)
    assert note.startswith(
        "WhatsApp could not deliver the agent's reply sent 2026-11-20 09:00 UTC:\n> Answer\n"
        "Reason: Re-engagement message (code 131047): Message failed to send because more "
        "than 24 hours have passed since the customer last replied to this number.\n"
        "The agent's reply is held, not delivered yet: the customer's window was closed.")
    world.customer_writes("I am back")
    assert world.sent()[-1] == ("text", "Answer") and world.states() == ["sent"]
