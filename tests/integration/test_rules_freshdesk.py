"""Routing rules and field mappings at work on Freshdesk (emulator): the guarantees of
``test_rules_zendesk.py`` on Freshdesk's shapes (integer priority, ``responder_id``, ticket
types by name, ``cf_*`` custom fields, which Freshdesk refuses with a 400 when unknown, so
leaving a removed one out is what keeps the ticket)."""

from __future__ import annotations

from bridge.rules.model import Actions, Condition, Mapping, Rule, Transform
from emulators.freshdesk.api_fields import remove_field
from emulators.freshdesk.fields import GROUPS
from tests.integration.freshdesk_world import AGENT, FreshdeskWorld
from tests.integration.rules_admin import doctor, save
from tests.integration.scenarios import opens_a_ticket

GROUP = next(iter(GROUPS))
CHANNEL_NAMES = {"messenger": "Messenger", "facebook_comment": "Facebook comment",
                 "instagram": "Instagram", "instagram_comment": "Instagram comment",
                 "whatsapp": "WhatsApp", "x": "X", "telegram": "Telegram"}
CHANNEL_MAPPING = Mapping(name="Channel", source="channel", field="cf_social_channel",
                          transforms=[Transform(kind="lookup", table=CHANNEL_NAMES)])


def test_a_matching_message_becomes_a_ticket_shaped_by_the_rules(fd_world: FreshdeskWorld) -> None:
    w = fd_world
    save(Rule(name="refunds", when=Condition(keywords=["refund"]), then=Actions(
        tags=["refund"], categories=["custom_request"], severity="Major", priority="urgent",
        group_id=str(GROUP), assignee_id=str(AGENT), ticket_type="Refund",
        fields={"cf_vip": "true", "cf_order_number": "12345"})),
        mappings=(CHANNEL_MAPPING,
                  Mapping(name="Language", source="language", field="cf_customer_handle")))
    _, _, ticket = opens_a_ticket(w, "I want a refund for order 12345, it never arrived")
    assert {"social", "messenger", "lang_en", "refund", "custom_request",
            "severity_major"} <= set(ticket["tags"])
    assert (ticket["priority"], ticket["group_id"], ticket["responder_id"], ticket["type"]) == (
        4, GROUP, AGENT, "Refund")
    fields = ticket["custom_fields"]
    assert (fields["cf_vip"], fields["cf_order_number"], fields["cf_social_channel"],
            fields["cf_customer_handle"]) == (True, 12345, "Messenger", "en")


def test_a_field_removed_in_freshdesk_is_left_out_and_doctor_names_the_mapping(
        fd_sqlite_world: FreshdeskWorld, redis_url: str) -> None:
    w = fd_sqlite_world
    w.configure(REDIS_URL=redis_url)
    save(mappings=(CHANNEL_MAPPING,))
    assert doctor().exit_code == 0

    remove_field(w.freshdesk.state, "cf_social_channel")
    broken = doctor()
    assert broken.exit_code == 1
    assert "FAIL  mapping 'Channel' (database, id 1): field cf_social_channel does not " \
           "exist in Freshdesk" in broken.output

    conv, _, ticket = opens_a_ticket(w, "Hello, where is my parcel?")
    assert [r.state for r in w.rows(conv)] == ["done"]  # Freshdesk would have said 400
    assert "cf_social_channel" not in ticket["custom_fields"]
