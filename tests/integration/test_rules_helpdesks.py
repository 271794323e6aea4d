"""Routing rules at work on either helpdesk (``any_world``), through the real pipeline and
adapters: spam is suppressed without a call, and the detected language becomes a tag.
What the rules make of each helpdesk's own shapes is in ``test_rules_zendesk.py`` and
``test_rules_freshdesk.py``."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from bridge.rules.model import Actions, Condition, Rule
from tests.integration.meta_world import MetaWorld
from tests.integration.rules_admin import save
from tests.integration.scenarios import PSID, opens_a_ticket

ARABIC = "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣ من فضلكم"
FRENCH = "Bonjour, ma commande n'est toujours pas arrivée"


def suppressed(channel: str) -> float:
    return REGISTRY.get_sample_value("bridge_messages_suppressed_total",
                                     {"channel": channel}) or 0.0


@pytest.mark.parametrize(("helpdesk", "when", "spam"), [
    ("zendesk", Condition(keywords=["giveaway"]), "Free crypto GIVEAWAY, click the link"),
    ("freshdesk", Condition(regex=r"bit\.ly/\w+"), "Claim your prize at bit.ly/xyz123"),
], ids=["zendesk-keywords", "freshdesk-regex"], indirect=["helpdesk"])
def test_a_suppressed_message_makes_no_helpdesk_call(any_sqlite_world: MetaWorld,
                                                     when: Condition, spam: str) -> None:
    w = any_sqlite_world
    save(Rule(name="spam", when=when, then=Actions(suppress=True)))
    before, mark = suppressed("messenger"), w.mark()
    conv = w.writes(PSID, spam)
    assert w.run(conv) is None
    assert w.calls(mark) == [] and w.tickets() == {}
    assert [r.state for r in w.rows(conv)] == ["suppressed"]
    assert suppressed("messenger") == before + 1

    w.writes_later(conv, PSID, "Sorry, my real question: where is my order?", after=30)
    assert w.calls(mark) == [w.CREATE_REQUESTER, w.CREATE_TICKET]
    ((_, ticket),) = w.tickets().items()
    assert ticket["subject"] == "Sorry, my real question: where is my order?"


@pytest.mark.parametrize(("helpdesk", "text", "language"), [
    ("zendesk", ARABIC, "ar"), ("zendesk", FRENCH, "fr"), ("freshdesk", ARABIC, "ar"),
], ids=["zendesk-ar", "zendesk-fr", "freshdesk-ar"], indirect=["helpdesk"])
def test_the_detected_language_is_a_tag(any_world: MetaWorld, text: str, language: str) -> None:
    w = any_world
    conv, tid, ticket = opens_a_ticket(w, text)
    assert w.calls() == [w.CREATE_REQUESTER, w.CREATE_TICKET]  # no rules: no field read either
    assert f"lang_{language}" in ticket["tags"]
    assert {"social", "messenger"} <= set(ticket["tags"])
    assert w.customer_texts(tid) == [text]
    assert w.conversation(conv).language == language
