"""Routing rules and field mappings at work on Zendesk (emulator), through the real pipeline
and adapters: a matching message becomes a ticket with the rules' tags, priority, group,
assignee, type and custom fields, in the call budget; a field removed in Zendesk is left
out (and ``bridge doctor`` names the mapping); spam is suppressed without a call; the
detected language becomes a tag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from prometheus_client import REGISTRY

from bridge import db
from bridge.admin import store
from bridge.cli import main
from bridge.rules.model import Actions, Condition, Mapping, Rule, Transform
from emulators.zendesk.api_fields import remove_field
from emulators.zendesk.fields import SATISFACTION_ID
from tests.integration.conftest import AGENT, World

PSID = "6543210987654321"
CREATE_USER = "POST /api/v2/users/create_or_update.json"
CREATE_TICKET = "POST /api/v2/tickets.json"
CHANNEL_FIELD, ORDER_NUMBER, SUMMARY = "360000000031", "360000000036", "360000000033"
GROUP = "360000000101"


def save(*rules: Rule, mappings: tuple[Mapping, ...] = ()) -> None:
    """As the admin API saves them: each checked against Zendesk's fields first."""
    with db.session() as s:
        for rule in rules:
            store.create_rule(s, rule, "test")
        for mapping in mappings:
            store.create_mapping(s, mapping, "test")


def custom_fields(ticket: dict[str, Any]) -> dict[str, Any]:
    return {str(f["id"]): f["value"] for f in ticket["custom_fields"] if f["value"] is not None}


def doctor() -> Result:
    return CliRunner().invoke(main, ["doctor"], catch_exceptions=False)


def suppressed(channel: str) -> float:
    return REGISTRY.get_sample_value("bridge_messages_suppressed_total",
                                     {"channel": channel}) or 0.0


def test_a_matching_message_becomes_a_ticket_shaped_by_the_rules(world: World) -> None:
    w = world
    save(Rule(name="refunds", when=Condition(keywords=["refund"]), then=Actions(
        tags=["refund"], categories=["custom_request"], severity="Major", priority="high",
        group_id=GROUP, assignee_id=str(AGENT), ticket_type="Incident",
        fields={str(SATISFACTION_ID): "bad", ORDER_NUMBER: "12345"})),
        mappings=(Mapping(name="Channel", source="channel", field=CHANNEL_FIELD),
                  Mapping(name="Language", source="language", field=SUMMARY,
                          transforms=[Transform(kind="upper")])))
    mark = w.mark()
    conv = w.writes(PSID, "I want a refund for order 12345, it never arrived")
    assert w.run(conv) is None

    assert w.calls(mark) == [CREATE_USER, CREATE_TICKET]
    ((tid, ticket),) = w.tickets().items()
    assert {"social", "messenger", "lang_en", "refund", "custom_request",
            "severity_major"} <= set(ticket["tags"])
    assert (ticket["priority"], ticket["group_id"], ticket["assignee_id"], ticket["type"]) == (
        "high", int(GROUP), AGENT, "incident")
    assert custom_fields(ticket) == {str(SATISFACTION_ID): "bad", ORDER_NUMBER: 12345,
                                     CHANNEL_FIELD: "messenger", SUMMARY: "EN"}
    assert w.conversation(conv).language == "en"

    w.clock.advance(60)
    mark = w.mark()
    w.writes(PSID, "Another refund question")  # a comment: the rules opened the ticket only
    assert w.run(conv) is None
    assert w.calls(mark) == [f"PUT /api/v2/tickets/{tid}.json"]


def test_a_field_removed_in_zendesk_is_left_out_and_doctor_names_the_mapping(
        sqlite_world: World, redis_url: str) -> None:
    w = sqlite_world
    w.configure(REDIS_URL=redis_url)
    save(mappings=(Mapping(name="Channel", source="channel", field=CHANNEL_FIELD),))
    healthy = doctor()
    assert healthy.exit_code == 0, healthy.output
    assert "ok    mapping 'Channel' (database, id 1): fits" in healthy.output

    remove_field(w.zendesk.state, int(CHANNEL_FIELD))  # an admin deletes it in Zendesk
    broken = doctor()
    assert broken.exit_code == 1
    assert f"FAIL  mapping 'Channel' (database, id 1): field {CHANNEL_FIELD} does not " \
           "exist in Zendesk" in broken.output
    assert "1 problem(s) found" in broken.output

    skipped = {"helpdesk": "zendesk", "field": CHANNEL_FIELD}
    before = REGISTRY.get_sample_value("bridge_ticket_fields_skipped_total", skipped) or 0.0
    mark = w.mark()
    conv = w.writes(PSID, "Hello, where is my parcel?")
    assert w.run(conv) is None
    assert w.calls(mark) == [CREATE_USER, CREATE_TICKET]  # doctor refreshed the cache
    (create,) = [r for r in w.log(mark) if r["path"] == "/api/v2/tickets.json"]
    assert not create["json"]["ticket"].get("custom_fields")  # left out, not sent to fail
    assert [r.state for r in w.rows(conv)] == ["done"]
    assert REGISTRY.get_sample_value("bridge_ticket_fields_skipped_total",
                                     skipped) == before + 1


def test_a_suppressed_message_makes_no_zendesk_call(sqlite_world: World) -> None:
    w = sqlite_world
    save(Rule(name="spam", when=Condition(keywords=["giveaway"]),
              then=Actions(suppress=True)))
    before, mark = suppressed("messenger"), w.mark()
    conv = w.writes(PSID, "Free crypto GIVEAWAY, click the link")
    assert w.run(conv) is None
    assert w.calls(mark) == [] and w.tickets() == {}
    assert [r.state for r in w.rows(conv)] == ["suppressed"]
    assert suppressed("messenger") == before + 1

    w.clock.advance(30)
    w.writes(PSID, "Sorry, my real question: where is my order?")
    assert w.run(conv) is None
    assert w.calls(mark) == [CREATE_USER, CREATE_TICKET]
    ((_, ticket),) = w.tickets().items()
    assert ticket["subject"] == "Sorry, my real question: where is my order?"


@pytest.mark.parametrize(("text", "tag"), [
    ("مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣ من فضلكم", "lang_ar"),
    ("Bonjour, ma commande n'est toujours pas arrivée", "lang_fr"),
])
def test_the_detected_language_is_a_tag(world: World, text: str, tag: str) -> None:
    w = world
    conv = w.writes(PSID, text)
    assert w.run(conv) is None
    assert w.calls() == [CREATE_USER, CREATE_TICKET]  # no rules: no field read either
    ((_, ticket),) = w.tickets().items()
    assert tag in ticket["tags"] and {"social", "messenger"} <= set(ticket["tags"])
    assert w.public_bodies(int(w.ticket_id(conv))) == [text]


def test_doctor_reports_a_broken_file_and_rule_values_with_their_source(
        sqlite_world: World, redis_url: str, tmp_path: Path) -> None:
    w = sqlite_world
    save(Rule(name="happy", when=Condition(keywords=["thanks"]),
              then=Actions(fields={str(SATISFACTION_ID): "good"})))
    bad = tmp_path / "bridge.toml"
    bad.write_text("[[rules]]\nname = 'x'\nthen = { priority = 'asap' }\n", encoding="utf-8")
    w.configure(REDIS_URL=redis_url, BRIDGE_CONFIG=str(bad))
    remove_field(w.zendesk.state, SATISFACTION_ID)
    result = doctor()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"FAIL  rules and mappings in {bad}: {bad}: "
                               "rules[0].then.priority") for line in lines), result.output
    assert any(line.startswith(f"FAIL  rule 'happy' (database, id 1): field {SATISFACTION_ID}"
                               " does not exist in Zendesk") for line in lines), result.output
    assert "ok    broker: reachable" in result.output
    assert "ok    database: reachable" in result.output
