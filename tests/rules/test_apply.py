"""Rules and mappings at work, on SQLite and PostgreSQL: the facts of a stored message, the
saved rulebook's decision with field values checked against the helpdesk's fields, and the
worker opening (or suppressing) tickets with it, on an in-memory helpdesk and channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from bridge import clock, db, ingest, pipeline, registry, routing
from bridge.domain import InboundMessage, NewTicket, Sender, ThreadKey, TicketRef
from bridge.errors import TransientError
from bridge.fields import cache
from bridge.fields.model import TicketField
from bridge.models import Conversation, Identity, InboxMessage
from bridge.rules import apply, facts
from bridge.rules.model import Actions, Condition, Facts, Mapping, Rule
from tests.calendars import weekday_calendar
from tests.conftest import apply_env
from tests.fakes import FakeChannel, FakeClock, FakeHelpdesk
from tests.integration.rules_admin import save

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday, 10:00 in Paris
PAGE = "1234567890"
TIER = TicketField("cf_tier", "Tier", "dropdown", options=(("gold", "Gold"),
                                                          ("silver", "Silver")))
HANDLE = TicketField("cf_handle", "Handle", "text")
ORDERS = TicketField("cf_orders", "Orders", "integer")
CALENDARS = (weekday_calendar("paris", "Europe/Paris", "09:00-17:00")
             + weekday_calendar("nights", "UTC", "22:00-06:00") + """
[[sla.policies]]
name = "whatsapp at night"
channels = ["whatsapp"]
first_reply = "1h"
calendar = "nights"
""")


class RecordingHelpdesk(FakeHelpdesk):
    """The in-memory helpdesk, keeping every ticket as the bridge asked for it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[NewTicket] = []

    def create_ticket(self, ticket: NewTicket) -> TicketRef:
        self.asked.append(ticket)
        return super().create_ticket(ticket)


World = tuple[RecordingHelpdesk, FakeClock]


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str) -> Iterator[World]:
    apply_env(env, DATABASE_URL=database_url, BRIDGE_MAX_ATTEMPTS="3")
    hd, fake_clock = RecordingHelpdesk(), FakeClock(T0)
    hd.custom_fields = (TIER, HANDLE, ORDERS)
    channel = FakeChannel()
    env.setattr(registry, "helpdesk", lambda: hd)
    env.setattr(registry, "channel", lambda kind: channel)
    clock.set_clock(fake_clock)
    yield hd, fake_clock
    clock.set_clock(None)


def configure(env: pytest.MonkeyPatch, tmp_path: Path, text: str) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    env.setenv("BRIDGE_CONFIG", str(path))
    from bridge import config

    config.reset_settings()


def message(text: str, mid: str = "m1", channel: str = "messenger", psid: str = "5678",
            at: datetime = T0, **sender: object) -> InboundMessage:
    return InboundMessage(ThreadKey(channel, PAGE, psid), mid,
                          Sender(psid, **sender), at, text)  # type: ignore[arg-type]


def deliver(*msgs: InboundMessage) -> int:
    """Stored, routed and run until idle, as the webhook and the worker do; the conversation."""
    ids = ingest.store_messages(msgs)
    with db.session() as s:
        (conv_id,) = routing.route(s, ids)
    delay = pipeline.run_conversation(conv_id)
    while delay == 0.0:
        delay = pipeline.run_conversation(conv_id)
    return conv_id


def rows(conv_id: int) -> list[InboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(InboxMessage).where(
            InboxMessage.conversation_id == conv_id).order_by(InboxMessage.id)))


def suppressed_count(channel: str) -> float:
    value = REGISTRY.get_sample_value("bridge_messages_suppressed_total", {"channel": channel})
    return value or 0.0


# ---- facts ---------------------------------------------------------------------------------


def test_the_facts_of_a_stored_message(world: World) -> None:
    msg = InboundMessage(ThreadKey("instagram_comment", PAGE, "c1"), "c1", Sender(
        "17841", handle="ana.g", profile_url="https://instagram.com/ana.g",
        follower_count=12000, verified=True), T0, "Where is my order?",
        link="https://instagram.com/p/abc")
    with db.session() as s:
        s.add(Identity(channel="instagram_comment", account_id=PAGE, external_user_id="17841",
                       display_name="Ana García", created_at=T0))
        s.commit()
        found = facts.message_facts(s, msg, language="en", conversation_created=T0)
    assert found == Facts(
        channel="instagram_comment", account_id=PAGE, text="Where is my order?",
        language="en", external_id="17841", handle="ana.g", display_name="Ana García",
        profile_url="https://instagram.com/ana.g", link="https://instagram.com/p/abc",
        follower_count=12000, verified=True, returning_customer=False, business_hours=True)


@pytest.mark.parametrize(("helpdesk_user", "identity_at", "conversation_at", "returning"), [
    pytest.param("u1", T0, T0 + timedelta(days=3), True, id="earlier-conversation"),
    pytest.param("u1", T0, T0, False, id="this-conversation-made-it"),
    pytest.param(None, T0, T0 + timedelta(days=3), False, id="never-reached-the-helpdesk"),
    pytest.param("u1", T0, None, False, id="pasted-message"),
])
def test_a_returning_customer_had_a_ticket_through_an_earlier_conversation(
        world: World, helpdesk_user: str | None, identity_at: datetime,
        conversation_at: datetime | None, returning: bool) -> None:
    with db.session() as s:
        s.add(Identity(channel="messenger", account_id=PAGE, external_user_id="5678",
                       helpdesk="fake", helpdesk_user_id=helpdesk_user, created_at=identity_at))
        s.commit()
        found = facts.message_facts(s, message("hi"), language=None,
                                    conversation_created=conversation_at)
    assert found.returning_customer is returning


@pytest.mark.parametrize(("channel", "at", "inside"), [
    pytest.param("messenger", T0, True, id="first-calendar-friday-10h-paris"),
    pytest.param("messenger", T0 + timedelta(hours=8), False, id="first-calendar-friday-18h"),
    pytest.param("whatsapp", T0, False, id="policy-calendar-morning"),
    pytest.param("whatsapp", T0 - timedelta(hours=6), True, id="policy-calendar-3h-utc"),
])
def test_business_hours_come_from_the_sla_calendar(
        env: pytest.MonkeyPatch, tmp_path: Path, channel: str, at: datetime,
        inside: bool) -> None:
    configure(env, tmp_path, CALENDARS)
    assert facts.business_hours(channel, at) is inside


def test_without_calendars_every_message_is_within_business_hours(
        env: pytest.MonkeyPatch) -> None:
    assert facts.business_hours("x", T0 + timedelta(days=1, hours=14)) is True  # Saturday


# ---- the decision ------------------------------------------------------------------------------


def test_toml_rules_then_database_rules_with_the_language_tag_first(
        world: World, env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    configure(env, tmp_path, '[[rules]]\nname = "vip"\nstop = false\n'
                             'when = { min_followers = 1000 }\n'
                             'then = { tags = ["vip"], priority = "high" }\n')
    save(Rule(name="refunds", when=Condition(keywords=["refund"]),
              then=Actions(tags=["refund"], priority="low", group_id="42")))
    hd, _ = world
    with db.session() as s:
        decision = apply.decide(s, Facts("messenger", PAGE, "I want a refund", language="ar",
                                         follower_count=5000))
    assert decision.fired == ("vip", "refunds")
    assert decision.tags == ("lang_ar", "vip", "refund")
    assert (decision.priority, decision.group_id) == ("high", "42")
    assert hd.calls == []  # no field values: the helpdesk's fields are not even read


def test_field_values_the_helpdesk_does_not_take_are_left_out_with_why(world: World) -> None:
    hd, _ = world
    book = apply.Rulebook(
        (Rule(name="tier", then=Actions(fields={"cf_tier": "platinum", "cf_orders": "12"})),),
        (Mapping(source="handle", field="cf_handle"), Mapping(source="channel", field="cf_gone")))
    with db.session() as s:
        decision = apply.decide(s, Facts("x", "acct", "hi", handle="ana"), book=book)
    assert decision.fields == (("cf_orders", 12), ("cf_handle", "ana"))
    (tier, gone) = decision.skipped_fields
    assert "'platinum' is not an option" in tier and "gold" in tier
    assert "field cf_gone does not exist" in gone
    assert hd.calls == ["ticket_fields"]


def test_unknown_fields_leave_every_value_out(world: World) -> None:
    hd, _ = world
    hd.failures = [TransientError("Zendesk is down")]
    book = apply.Rulebook((), (Mapping(source="channel", field="cf_handle"),))
    with db.session() as s:
        decision = apply.decide(s, Facts("x", "acct", "hi"), book=book)
    assert decision.fields == ()
    (reason,) = decision.skipped_fields
    assert "cf_handle" in reason and "Zendesk is down" in reason


# ---- the worker ----------------------------------------------------------------------------------


def test_the_new_ticket_carries_the_decision(world: World) -> None:
    hd, _ = world
    with db.session() as s:
        cache.refresh(s, hd)
    save(Rule(name="complaints", when=Condition(keywords=["شكوى"]), then=Actions(
        tags=["complaint"], categories=["incident"], severity="Major", priority="urgent",
        group_id="7", assignee_id="8", ticket_type="problem", brand_id="9", take_private=True,
        fields={"cf_tier": "gold"})), mappings=(Mapping(source="handle", field="cf_handle"),))
    text = "لدي شكوى بخصوص طلبي الأخير، لم يصل بعد"
    conv = deliver(message(text, channel="facebook_comment", psid="c_1", handle="sami"))
    (ticket,) = hd.asked
    assert ticket.tags == ("social", "facebook_comment", "lang_ar", "complaint", "incident",
                           "severity_major", "reply_private")
    assert (ticket.priority, ticket.group_id, ticket.assignee_id, ticket.ticket_type,
            ticket.brand_id) == ("urgent", "7", "8", "problem", "9")
    assert ticket.custom_fields == (("cf_tier", "gold"), ("cf_handle", "sami"))
    (row,) = rows(conv)
    assert (row.state, row.language) == ("done", "ar")
    with db.session() as s:
        assert s.get(Conversation, conv).language == "ar"  # type: ignore[union-attr]


def test_take_private_tags_only_comment_channels(world: World) -> None:
    hd, _ = world
    save(Rule(name="private", then=Actions(take_private=True)))
    deliver(message("Hello there, my parcel is late"))
    assert "reply_private" not in hd.asked[0].tags


def test_a_suppressed_message_costs_no_call_and_the_next_is_evaluated_again(
        world: World) -> None:
    hd, fake_clock = world
    save(Rule(name="spam", when=Condition(keywords=["giveaway"]),
              then=Actions(suppress=True)))
    before = suppressed_count("messenger")
    conv = deliver(message("Free crypto giveaway, click now"))
    assert hd.calls == []
    (row,) = rows(conv)
    assert (row.state, row.ticket_id, row.last_error) == ("suppressed", None, None)
    assert suppressed_count("messenger") == before + 1
    assert pipeline.run_conversation(conv) is None and hd.calls == []  # final: no retry

    fake_clock.advance(60)
    assert deliver(message("Sorry, where is my order?", mid="m2", at=fake_clock.now)) == conv
    assert hd.calls == ["ensure_requester", "create_ticket"]
    assert [r.state for r in rows(conv)] == ["suppressed", "done"]
    assert suppressed_count("messenger") == before + 1


def test_a_broken_rules_file_makes_the_message_wait(
        world: World, env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hd, _ = world
    configure(env, tmp_path, "[[rules]]\nname = 'x'\nwhen = { channels = ['fax'] }\n")
    conv = deliver(message("Hello, my parcel is late"))
    (row,) = rows(conv)
    assert row.state == "sending" and row.next_attempt_at is not None  # a retry, later
    assert "the rules cannot be read" in (row.last_error or "")
    assert "rules[0].when.channels[0]" in (row.last_error or "")
    assert hd.calls == []
