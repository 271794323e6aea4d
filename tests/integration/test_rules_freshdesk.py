"""Routing rules and field mappings at work on Freshdesk (emulator): the guarantees of
``test_rules_zendesk.py`` on Freshdesk's shapes (integer priority, ``responder_id``, ticket
types by name, ``cf_*`` custom fields, which Freshdesk refuses with a 400 when unknown, so
leaving a removed one out is what keeps the ticket)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from prometheus_client import REGISTRY

from bridge import db
from bridge.admin import store
from bridge.cli import main
from bridge.rules.model import Actions, Condition, Mapping, Rule, Transform
from emulators.freshdesk import FreshdeskEmulator
from emulators.freshdesk.api_fields import remove_field
from emulators.freshdesk.fields import GROUPS
from emulators.graph import GraphEmulator
from tests.integration.freshdesk_world import AGENT, FD_KEY, FreshdeskWorld, freshdesk_world

PSID = "6543210987654321"
CREATE_CONTACT = "POST /api/v2/contacts"
CREATE_TICKET = "POST /api/v2/tickets"
GROUP = next(iter(GROUPS))
CHANNEL_NAMES = {"messenger": "Messenger", "facebook_comment": "Facebook comment",
                 "instagram": "Instagram", "instagram_comment": "Instagram comment",
                 "whatsapp": "WhatsApp", "x": "X", "telegram": "Telegram"}
CHANNEL_MAPPING = Mapping(name="Channel", source="channel", field="cf_social_channel",
                          transforms=[Transform(kind="lookup", table=CHANNEL_NAMES)])


@pytest.fixture(scope="module")
def freshdesk_server() -> Iterator[FreshdeskEmulator]:
    emu = FreshdeskEmulator(api_key=FD_KEY)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, freshdesk_server: FreshdeskEmulator,
          graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    yield from freshdesk_world(env, database_url, freshdesk_server, graph_server)


@pytest.fixture
def sqlite_world(env: pytest.MonkeyPatch, sqlite_url: str, freshdesk_server: FreshdeskEmulator,
                 graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    yield from freshdesk_world(env, sqlite_url, freshdesk_server, graph_server)


def save(*rules: Rule, mappings: tuple[Mapping, ...] = ()) -> None:
    with db.session() as s:
        for rule in rules:
            store.create_rule(s, rule, "test")
        for mapping in mappings:
            store.create_mapping(s, mapping, "test")


def doctor() -> Result:
    return CliRunner().invoke(main, ["doctor"], catch_exceptions=False)


def suppressed(channel: str) -> float:
    return REGISTRY.get_sample_value("bridge_messages_suppressed_total",
                                     {"channel": channel}) or 0.0


def test_a_matching_message_becomes_a_ticket_shaped_by_the_rules(world: FreshdeskWorld) -> None:
    w = world
    save(Rule(name="refunds", when=Condition(keywords=["refund"]), then=Actions(
        tags=["refund"], categories=["custom_request"], severity="Major", priority="urgent",
        group_id=str(GROUP), assignee_id=str(AGENT), ticket_type="Refund",
        fields={"cf_vip": "true", "cf_order_number": "12345"})),
        mappings=(CHANNEL_MAPPING,
                  Mapping(name="Language", source="language", field="cf_customer_handle")))
    mark = w.mark()
    conv = w.writes(PSID, "I want a refund for order 12345, it never arrived")
    assert w.run(conv) is None

    assert w.calls(mark) == [CREATE_CONTACT, CREATE_TICKET]
    ((_, ticket),) = w.tickets().items()
    assert {"social", "messenger", "lang_en", "refund", "custom_request",
            "severity_major"} <= set(ticket["tags"])
    assert (ticket["priority"], ticket["group_id"], ticket["responder_id"], ticket["type"]) == (
        4, GROUP, AGENT, "Refund")
    fields = ticket["custom_fields"]
    assert (fields["cf_vip"], fields["cf_order_number"], fields["cf_social_channel"],
            fields["cf_customer_handle"]) == (True, 12345, "Messenger", "en")


def test_a_field_removed_in_freshdesk_is_left_out_and_doctor_names_the_mapping(
        sqlite_world: FreshdeskWorld, redis_url: str) -> None:
    w = sqlite_world
    w.configure(REDIS_URL=redis_url)
    save(mappings=(CHANNEL_MAPPING,))
    assert doctor().exit_code == 0

    remove_field(w.freshdesk.state, "cf_social_channel")
    broken = doctor()
    assert broken.exit_code == 1
    assert "FAIL  mapping 'Channel' (database, id 1): field cf_social_channel does not " \
           "exist in Freshdesk" in broken.output

    mark = w.mark()
    conv = w.writes(PSID, "Hello, where is my parcel?")
    assert w.run(conv) is None
    assert w.calls(mark) == [CREATE_CONTACT, CREATE_TICKET]
    assert [r.state for r in w.rows(conv)] == ["done"]  # Freshdesk would have said 400
    ((_, ticket),) = w.tickets().items()
    assert "cf_social_channel" not in ticket["custom_fields"]


def test_a_suppressed_message_makes_no_freshdesk_call(sqlite_world: FreshdeskWorld) -> None:
    w = sqlite_world
    save(Rule(name="spam", when=Condition(regex=r"bit\.ly/\w+"), then=Actions(suppress=True)))
    before, mark = suppressed("messenger"), w.mark()
    conv = w.writes(PSID, "Claim your prize at bit.ly/xyz123")
    assert w.run(conv) is None
    assert w.calls(mark) == [] and w.tickets() == {}
    assert [r.state for r in w.rows(conv)] == ["suppressed"]
    assert suppressed("messenger") == before + 1


def test_arabic_text_gets_lang_ar(world: FreshdeskWorld) -> None:
    w = world
    text = "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣ من فضلكم"
    conv = w.writes(PSID, text)
    assert w.run(conv) is None
    assert w.calls() == [CREATE_CONTACT, CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert "lang_ar" in ticket["tags"]
    assert w.customer_texts(tid) == [text]
    assert w.conversation(conv).language == "ar"
