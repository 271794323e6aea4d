"""Field mappings: transforms one by one and chained, sources, precedence, the decision."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bridge.rules.decide import decide, dry_run
from bridge.rules.mappings import apply_mappings, source_value
from bridge.rules.model import Actions, Condition, Decision, Facts, Mapping, Rule, Transform
from bridge.rules.transforms import apply_transforms

LOWER = {"kind": "lower"}
UPPER = {"kind": "upper"}
TIERS = {"kind": "lookup", "table": {"whatsapp": "WA", "Messenger": "FB"}}


def chain(*items: dict[str, Any]) -> list[Transform]:
    return [Transform(**item) for item in items]


@pytest.mark.parametrize(("value", "transforms", "expected"), [
    pytest.param("@Some_User", [LOWER], "@some_user", id="lower"),
    pytest.param("ԲԱՐԵՎ Straße", [LOWER], "բարեվ straße", id="lower-armenian"),
    pytest.param("abc", [UPPER], "ABC", id="upper"),
    pytest.param(True, [LOWER], "true", id="boolean-as-text"),
    pytest.param(1200, [], 1200, id="number-kept-without-transforms"),
    pytest.param(None, [LOWER], None, id="none-stays-none"),
    pytest.param("whatsapp", [TIERS], "WA", id="lookup"),
    pytest.param("MESSENGER", [TIERS], "FB", id="lookup-case-insensitive"),
    pytest.param("telegram", [TIERS], "telegram", id="lookup-passes-unmatched"),
    pytest.param("telegram", [{**TIERS, "value": "other"}], "other",
                 id="lookup-fallback"),
    pytest.param(None, [{"kind": "default", "value": "unknown"}], "unknown",
                 id="default-for-none"),
    pytest.param("", [{"kind": "default", "value": "unknown"}], "unknown",
                 id="default-for-empty"),
    pytest.param("x", [{"kind": "default", "value": "unknown"}], "x", id="default-unused"),
    pytest.param(False, [{"kind": "default", "value": "unknown"}], False,
                 id="false-is-a-value"),
    pytest.param("refund please", [{"kind": "truncate", "length": 6}], "refund",
                 id="truncate"),
    pytest.param("short", [{"kind": "truncate", "length": 60}], "short",
                 id="truncate-short-text"),
    pytest.param("مَرْحَبًا", [{"kind": "truncate", "length": 3}], "مَ",
                 id="truncate-keeps-harakat-with-letter"),
    pytest.param("สวัสดี", [{"kind": "truncate", "length": 2}], "ส",
                 id="truncate-keeps-thai-vowel-with-consonant"),
    pytest.param("👍🏽ok", [{"kind": "truncate", "length": 2}], "👍🏽", id="truncate-emoji"),
    pytest.param("🇫🇷🇩🇪", [{"kind": "truncate", "length": 3}], "🇫🇷", id="truncate-flags"),
    pytest.param("WhatsApp", [LOWER, TIERS], "WA", id="chain-lower-then-lookup"),
    pytest.param("whatsapp", [TIERS, LOWER], "wa", id="chain-lookup-then-lower"),
    pytest.param("WhatsApp", [LOWER, TIERS, {"kind": "truncate", "length": 1}], "W",
                 id="chain-lower-lookup-truncate"),
    pytest.param(None, [TIERS, {"kind": "default", "value": "none"}, UPPER], "NONE",
                 id="chain-default-then-upper"),
])
def test_transforms(value: Any, transforms: list[dict[str, Any]], expected: Any) -> None:
    assert apply_transforms(value, chain(*transforms)) == expected


@pytest.mark.parametrize(("transform", "error"), [
    pytest.param({"kind": "lookup"}, "lookup needs table", id="lookup"),
    pytest.param({"kind": "default"}, "default needs value", id="default"),
    pytest.param({"kind": "truncate"}, "truncate needs length", id="truncate"),
])
def test_incomplete_transforms_are_refused(transform: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        Transform(**transform)


def test_risky_regex_is_refused() -> None:
    with pytest.raises(ValidationError, match="unbounded repeat"):
        Condition(regex="(a+)+$")


FACTS = Facts(channel="instagram_comment", account_id="IG1", text="Great post!",
              language="he", external_id="ig:42", handle="@Dana", display_name="Dana",
              profile_url="https://instagram.com/dana", link="https://instagram.com/p/1",
              follower_count=15000, verified=True, returning_customer=True)


@pytest.mark.parametrize(("source", "expected"), [
    ("channel", "instagram_comment"), ("account", "IG1"), ("handle", "@Dana"),
    ("display_name", "Dana"), ("external_id", "ig:42"),
    ("profile_url", "https://instagram.com/dana"), ("language", "he"),
    ("link", "https://instagram.com/p/1"), ("follower_count", 15000), ("verified", True),
    ("returning_customer", True), ("text", "Great post!"), ("categories", "ugc"),
])
def test_sources(source: Any, expected: Any) -> None:
    decision = Decision(tags=("vip", "ugc", "sales_lead"))
    assert source_value(source, FACTS, decision) == expected


def mapping(source: str, field: str, *transforms: dict[str, Any],
            enabled: bool = True) -> Mapping:
    return Mapping(source=source, field=field, transforms=chain(*transforms),  # type: ignore[arg-type]
                   enabled=enabled)


def test_precedence_rules_first_then_first_non_empty_mapping() -> None:
    mappings = [
        mapping("handle", "cf_handle", LOWER),
        mapping("handle", "cf_handle", UPPER),  # same field, later: unused
        mapping("channel", "cf_rule_field"),  # a rule wrote it: unused
        mapping("categories", "360001"),  # no category: empty, skipped...
        mapping("language", "360001"),  # ... so this fallback fills it
        mapping("verified", "cf_off", enabled=False),
        mapping("follower_count", "cf_followers"),
    ]
    decision = Decision(fields=(("cf_rule_field", "from rule"),))
    assert apply_mappings(mappings, FACTS, decision) == (
        ("cf_rule_field", "from rule"), ("cf_handle", "@dana"), ("360001", "he"),
        ("cf_followers", 15000))


def test_an_absent_fact_writes_nothing() -> None:
    whatsapp = Facts(channel="whatsapp", account_id="PN1")
    assert apply_mappings([mapping("profile_url", "cf_profile")], whatsapp, Decision()) == ()


def test_decide_adds_language_tag_categories_and_fields() -> None:
    rules = [Rule(name="ugc", when=Condition(channels=["instagram_comment"]),
                  then=Actions(categories=["ugc"], tags=["lang_he"], fields={"cf_x": 1}))]
    mappings = [mapping("categories", "cf_category"), mapping("language", "cf_x")]
    decision, traces = dry_run(rules, mappings, FACTS)
    assert decision.tags == ("lang_he", "ugc")
    assert decision.fields == (("cf_x", 1), ("cf_category", "ugc"))
    assert [t.outcome for t in traces] == ["matched"]
    assert decide(rules, mappings, FACTS) == decision


def test_decide_without_language_or_rules() -> None:
    plain = Facts(channel="x", account_id="1")
    assert decide([], [], plain) == Decision()
