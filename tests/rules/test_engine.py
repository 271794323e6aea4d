"""Rule evaluation: every condition, stop and continue, how matches merge, the traces."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.rules.engine import evaluate, explain, severity_tag
from bridge.rules.model import Actions, Condition, Facts, Rule

BASE = {"channel": "whatsapp", "account_id": "PN1", "text": "Hello"}


def facts(**changes: Any) -> Facts:
    return Facts(**{**BASE, **changes})


def rule(name: str, stop: bool = True, enabled: bool = True, **parts: Any) -> Rule:
    when = {k: v for k, v in parts.items() if k in Condition.model_fields}
    then = {k: v for k, v in parts.items() if k in Actions.model_fields}
    return Rule(name=name, stop=stop, enabled=enabled, when=Condition(**when),
                then=Actions(**then))


@pytest.mark.parametrize(("condition", "fact", "failed"), [
    pytest.param({}, {}, None, id="empty-condition-matches-all"),
    pytest.param({"channels": ["whatsapp", "x"]}, {}, None, id="channel-in-list"),
    pytest.param({"channels": ["messenger"]}, {}, "channels", id="channel-not-in-list"),
    pytest.param({"accounts": ["PN1"]}, {}, None, id="account"),
    pytest.param({"accounts": ["PN2"]}, {}, "accounts", id="other-account"),
    pytest.param({"languages": ["ar", "fa"]}, {"language": "fa"}, None, id="language"),
    pytest.param({"languages": ["pt"]}, {"language": "pt-BR"}, None, id="language-region"),
    pytest.param({"languages": ["pt-br"]}, {"language": "pt"}, "languages",
                 id="region-needs-region"),
    pytest.param({"languages": ["en"]}, {"language": None}, "languages",
                 id="language-unknown"),
    pytest.param({"keywords": ["refund", "استرداد"]}, {"text": "أريد استرداد المبلغ"}, None,
                 id="any-keyword"),
    pytest.param({"keywords": ["refund"]}, {"text": "refunded already"}, "keywords",
                 id="keyword-whole-word"),
    pytest.param({"regex": r"order #?\d{5}"}, {"text": "Order #12345"}, None, id="regex"),
    pytest.param({"regex": r"order #?\d{5}"}, {"text": "Order #12"}, "regex",
                 id="regex-no-match"),
    pytest.param({"min_followers": 1000}, {"follower_count": 1000}, None,
                 id="followers-at-least"),
    pytest.param({"min_followers": 1000}, {"follower_count": 999}, "min_followers",
                 id="followers-fewer"),
    pytest.param({"min_followers": 0}, {"follower_count": None}, "min_followers",
                 id="followers-unknown"),
    pytest.param({"verified": True}, {"verified": True}, None, id="verified"),
    pytest.param({"verified": False}, {"verified": False}, None, id="not-verified"),
    pytest.param({"verified": True}, {"verified": False}, "verified", id="verified-wanted"),
    pytest.param({"verified": False}, {"verified": None}, "verified", id="verified-unknown"),
    pytest.param({"returning_customer": True}, {"returning_customer": True}, None,
                 id="returning"),
    pytest.param({"returning_customer": False}, {"returning_customer": True},
                 "returning_customer", id="new-customer-wanted"),
    pytest.param({"business_hours": True}, {"business_hours": True}, None, id="open"),
    pytest.param({"business_hours": False}, {"business_hours": True}, "business_hours",
                 id="closed-wanted"),
    pytest.param({"business_hours": False}, {"business_hours": None}, "business_hours",
                 id="hours-unknown"),
])
def test_each_condition(condition: dict[str, Any], fact: dict[str, Any],
                        failed: str | None) -> None:
    decision, traces = explain([rule("r", **condition, tags=["hit"])], facts(**fact))
    assert decision.fired == (() if failed else ("r",))
    assert decision.tags == (() if failed else ("hit",))
    assert [f.condition for f in traces[0].failures] == ([failed] if failed else [])


def test_all_parts_must_hold_and_every_failure_is_listed() -> None:
    r = rule("r", channels=["x"], keywords=["refund"], min_followers=10)
    _, (trace,) = explain([r], facts(text="refund please", follower_count=3))
    assert trace.outcome == "failed"
    assert [f.condition for f in trace.failures] == ["channels", "min_followers"]
    assert trace.failures[0].reason == "channel whatsapp is not one of x"
    assert trace.failures[1].reason == "3 followers, fewer than 10"


def test_stop_ends_evaluation_at_the_first_match() -> None:
    rules = [rule("miss", keywords=["nothing"], tags=["a"]), rule("first", tags=["b"]),
             rule("second", tags=["c"]), rule("off", enabled=False, tags=["d"])]
    decision, traces = explain(rules, facts())
    assert decision.fired == ("first",)
    assert decision.tags == ("b",)
    assert [(t.rule, t.outcome, t.stopped) for t in traces] == [
        ("miss", "failed", False), ("first", "matched", True),
        ("second", "not_reached", False), ("off", "disabled", False)]


def test_continue_lets_later_rules_add() -> None:
    rules = [rule("one", stop=False, tags=["a"]), rule("off", enabled=False, tags=["x"]),
             rule("two", stop=False, tags=["b", "a"]), rule("three", tags=["c"]),
             rule("four", tags=["d"])]
    decision = evaluate(rules, facts())
    assert decision.fired == ("one", "two", "three")
    assert decision.tags == ("a", "b", "c")


def test_merge_semantics() -> None:
    first = rule("first", stop=False, tags=["vip"], categories=["sales_lead"],
                 priority="high", severity="Sev 1", group_id="10",
                 fields={"f1": "from first"})
    second = rule("second", stop=False, categories=["incident", "sales_lead"],
                  priority="low", severity="sev2", group_id="20", assignee_id="7",
                  ticket_type="incident", brand_id="3", take_private=True,
                  fields={"f1": "from second", "f2": 2})
    third = rule("third", suppress=True, ticket_type="question", tags=["vip"])
    decision = evaluate([first, second, third], facts())
    assert decision.fired == ("first", "second", "third")
    assert decision.tags == ("vip", "sales_lead", "severity_sev_1", "incident")
    assert (decision.priority, decision.severity, decision.group_id) == ("high", "Sev 1", "10")
    assert (decision.assignee_id, decision.ticket_type, decision.brand_id) == (
        "7", "incident", "3")
    assert decision.fields == (("f1", "from first"), ("f2", 2))
    assert decision.take_private and decision.suppress


def test_nothing_matches_decides_nothing() -> None:
    decision = evaluate([rule("r", channels=["x"], suppress=True, priority="urgent")],
                        facts())
    assert decision.fired == () and decision.priority is None and not decision.suppress


@pytest.mark.parametrize(("severity", "tag"), [
    pytest.param("high", "severity_high", id="plain"),
    pytest.param("Sev 1", "severity_sev_1", id="case-and-space"),
    pytest.param("P1, urgent", "severity_p1_urgent", id="comma"),
    pytest.param("  ", "", id="blank"),
    pytest.param("x" * 100, "severity_" + "x" * 71, id="tag-length-limit"),
])
def test_severity_tag(severity: str, tag: str) -> None:
    assert severity_tag(severity) == tag


@pytest.mark.parametrize(("keywords", "text", "language", "fires"), [
    pytest.param(["استرداد"], "أريد استرداد المبلغ من فضلكم", "ar", True, id="ar"),
    pytest.param(["החזר כספי"], "אני רוצה הֶחְזֵר כַּסְפִּי", "he", True, id="he"),
    pytest.param(["پس بگیرم"], "می‌خواهم پولم را پس بگیرم", "fa", True, id="fa"),
    pytest.param(["คืนเงิน"], "อยากขอคืนเงินค่ะ", "th", True, id="th"),
    pytest.param(["վերադարձնել"], "Ուզում եմ ՎԵՐԱԴԱՐՁՆԵԼ գումարը", "hy", True, id="hy"),
    pytest.param(["refund"], "I want my Refund", "en", True, id="en"),
    pytest.param(["refund"], "refunds are slow", "en", False, id="en-no"),
])
def test_refund_rule_in_every_script(keywords: list[str], text: str, language: str,
                                     fires: bool) -> None:
    r = rule("refund", keywords=keywords, languages=[language],
             categories=["custom_request"], priority="high")
    decision = evaluate([r], facts(text=text, language=language))
    assert decision.fired == (("refund",) if fires else ())
    assert decision.tags == (("custom_request",) if fires else ())
