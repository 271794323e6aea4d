"""Routing rules and field mappings at work on Zendesk (emulator), through the real pipeline
and adapters: a matching message becomes a ticket with the rules' tags, priority, group,
assignee, type and custom fields, in the call budget; a field removed in Zendesk is left
out (and ``bridge doctor`` names the mapping). Suppression and language tags, alike on
both helpdesks, are in ``test_rules_helpdesks.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY

from bridge.rules.model import Actions, Condition, Mapping, Rule, Transform
from emulators.zendesk.api_fields import remove_field
from emulators.zendesk.fields import SATISFACTION_ID
from tests.integration.rules_admin import doctor, save
from tests.integration.scenarios import PSID, opens_a_ticket
from tests.integration.zendesk_world import AGENT, World, put

CHANNEL_FIELD, ORDER_NUMBER, SUMMARY = "360000000031", "360000000036", "360000000033"
GROUP = "360000000101"


def custom_fields(ticket: dict[str, Any]) -> dict[str, Any]:
    return {str(f["id"]): f["value"] for f in ticket["custom_fields"] if f["value"] is not None}


def test_a_matching_message_becomes_a_ticket_shaped_by_the_rules(world: World) -> None:
    w = world
    save(Rule(name="refunds", when=Condition(keywords=["refund"]), then=Actions(
        tags=["refund"], categories=["custom_request"], severity="Major", priority="high",
        group_id=GROUP, assignee_id=str(AGENT), ticket_type="Incident",
        fields={str(SATISFACTION_ID): "bad", ORDER_NUMBER: "12345"})),
        mappings=(Mapping(name="Channel", source="channel", field=CHANNEL_FIELD),
                  Mapping(name="Language", source="language", field=SUMMARY,
                          transforms=[Transform(kind="upper")])))
    conv, tid, ticket = opens_a_ticket(w, "I want a refund for order 12345, it never arrived")
    assert {"social", "messenger", "lang_en", "refund", "custom_request",
            "severity_major"} <= set(ticket["tags"])
    assert (ticket["priority"], ticket["group_id"], ticket["assignee_id"], ticket["type"]) == (
        "high", int(GROUP), AGENT, "incident")
    assert custom_fields(ticket) == {str(SATISFACTION_ID): "bad", ORDER_NUMBER: 12345,
                                     CHANNEL_FIELD: "messenger", SUMMARY: "EN"}
    assert w.conversation(conv).language == "en"

    mark = w.writes_later(conv, PSID, "Another refund question", after=60)
    assert w.calls(mark) == [put(tid)]  # a comment: the rules opened the ticket only


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
    conv, _, _ = opens_a_ticket(w, "Hello, where is my parcel?")  # doctor refreshed the cache
    (create,) = [r for r in w.log(mark) if r["path"] == "/api/v2/tickets.json"]
    assert not create["json"]["ticket"].get("custom_fields")  # left out, not sent to fail
    assert [r.state for r in w.rows(conv)] == ["done"]
    assert REGISTRY.get_sample_value("bridge_ticket_fields_skipped_total",
                                     skipped) == before + 1


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
