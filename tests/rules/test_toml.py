"""Rules and mappings from the BRIDGE_CONFIG TOML file: a good file, and bad files whose
errors name the file, the array index and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.errors import ConfigError
from bridge.rules.engine import evaluate
from bridge.rules.model import Facts, Transform
from bridge.rules.toml import (
    file_rules,
    load_file_rules,
    parse_file_rules,
    toml_mappings,
    toml_rules,
)
from tests.conftest import apply_env

GOOD = """
[automation]                 # other sections of the same file are left alone
language = "en"

[[rules]]
name = "vip on whatsapp"
stop = false
when = { channels = ["whatsapp"], accounts = [15550001111], min_followers = 10000 }
then = { tags = ["vip"], priority = "high", group_id = 360001234567 }

[[rules]]
name = "refunds"
when.keywords = ["refund", "استرداد", "החזר כספי", "คืนเงิน", "վերադարձ", "پس بگیرم"]
when.regex = "order #?\\\\d{5,}"
then.categories = ["custom_request"]
then.fields = { "360012345678" = "refund", cf_reason = "refund" }

[[rules]]
name = "spam"
enabled = false
when.keywords = ["crypto giveaway"]
then.suppress = true

[[mappings]]
source = "handle"
field = "cf_social_handle"
transforms = [{ kind = "lower" }, { kind = "truncate", length = 64 }]

[[mappings]]
name = "language"
source = "language"
field = 360000000042
transforms = [{ kind = "lookup", table = { he = "hebrew" } }, { kind = "default", value = "?" }]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bridge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    loaded = load_file_rules(path)
    assert loaded.source == f"toml:{path}"
    assert [r.name for r in loaded.rules] == ["vip on whatsapp", "refunds", "spam"]
    vip, refunds, spam = loaded.rules
    assert not vip.stop and vip.when.accounts == ["15550001111"]
    assert vip.then.group_id == "360001234567"
    assert refunds.stop and refunds.when.regex == r"order #?\d{5,}"
    assert refunds.then.fields == {"360012345678": "refund", "cf_reason": "refund"}
    assert not spam.enabled and spam.then.suppress
    assert [(m.source, m.field) for m in loaded.mappings] == [
        ("handle", "cf_social_handle"), ("language", "360000000042")]
    assert loaded.mappings[0].transforms[1] == Transform(kind="truncate", length=64)
    facts = Facts(channel="whatsapp", account_id="15550001111", follower_count=20000,
                  text="אני רוצה החזר כספי, Order #12345")
    decision = evaluate(loaded.rules, facts)
    assert decision.fired == ("vip on whatsapp", "refunds")
    assert decision.tags == ("vip", "custom_request")
    without_order = evaluate(loaded.rules, Facts(channel="whatsapp", account_id="1",
                                                 text="אני רוצה החזר כספי"))
    assert without_order.fired == ()


@pytest.mark.parametrize("text", [pytest.param("", id="empty-file"),
                                  pytest.param("[automation]\n", id="no-rules")])
def test_a_file_without_rules_has_none(tmp_path: Path, text: str) -> None:
    loaded = load_file_rules(write(tmp_path, text))
    assert loaded.rules == () and loaded.mappings == ()


def test_no_file_means_no_rules() -> None:
    assert load_file_rules(None).rules == () and load_file_rules("").source == ""


RULE = '[[rules]]\nname = "a"\n'


@pytest.mark.parametrize(("text", "error"), [
    pytest.param("rules = 3", "rules: expected an array of tables", id="not-an-array"),
    pytest.param("rules = [1]", "rules[0]: expected a table, got int", id="not-a-table"),
    pytest.param('[[rules]]\nstop = true', "rules[0].name: Field required", id="no-name"),
    pytest.param(RULE + 'when.channels = ["myspace"]',
                 "rules[0].when.channels[0]: Input should be 'messenger'", id="bad-channel"),
    pytest.param(RULE + RULE + 'when.colour = "red"',
                 "rules[1].when.colour: Extra inputs are not permitted", id="unknown-field"),
    pytest.param(RULE + 'when.regex = "(unclosed"',
                 "rules[0].when.regex: regex does not compile", id="bad-regex"),
    pytest.param(RULE + 'when.regex = "(a+)+$"',
                 "rules[0].when.regex: position 3: a repeated group", id="risky-regex"),
    pytest.param(RULE + 'then.tags = ["two words"]',
                 "rules[0].then.tags: tag 'two words': no spaces", id="bad-tag"),
    pytest.param(RULE + 'then.priority = "asap"',
                 "rules[0].then.priority: Input should be 'low'", id="bad-priority"),
    pytest.param(RULE + 'then.categories = ["gossip"]',
                 "rules[0].then.categories[0]: Input should be 'sales_lead'",
                 id="bad-category"),
    pytest.param(RULE + 'when.min_followers = -1',
                 "rules[0].when.min_followers: Input should be greater than or equal to 0",
                 id="negative-followers"),
    pytest.param(RULE + RULE, "rules[1].name: rule 'a' is defined twice", id="same-name"),
    pytest.param('[[mappings]]\nsource = "shoe_size"\nfield = "cf_x"',
                 "mappings[0].source: Input should be 'channel'", id="bad-source"),
    pytest.param('[[mappings]]\nsource = "handle"',
                 "mappings[0].field: Field required", id="no-field"),
    pytest.param('[[mappings]]\nsource = "handle"\nfield = "cf_x"\n'
                 'transforms = [{ kind = "truncate" }]',
                 "mappings[0].transforms[0]: truncate needs length", id="truncate-length"),
    pytest.param('[[mappings]]\nsource = "handle"\nfield = "cf_x"\n'
                 'transforms = [{ kind = "reverse" }]',
                 "mappings[0].transforms[0].kind: Input should be 'lower'", id="bad-kind"),
])
def test_errors_name_file_index_and_field(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_file_rules(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert error in str(caught.value)


def test_bad_value_error_prefix_is_dropped() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_file_rules({"rules": [{"name": "a", "when": {"regex": "("}}]}, "x.toml")
    assert str(caught.value).startswith("x.toml: rules[0].when.regex: regex does not compile")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"bridge\.toml: not valid TOML"):
        load_file_rules(write(tmp_path, "rules = ["))
    with pytest.raises(ConfigError, match="cannot read"):
        load_file_rules(tmp_path / "absent.toml")


def test_file_rules_follow_bridge_config(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert file_rules().rules == () and toml_rules() == [] and toml_mappings() == []
    path = write(tmp_path, GOOD)
    apply_env(env, BRIDGE_CONFIG=str(path))
    assert file_rules().source == f"toml:{path}"
    assert [(source, r.name) for source, r in toml_rules()] == [
        (f"toml:{path}", "vip on whatsapp"), (f"toml:{path}", "refunds"),
        (f"toml:{path}", "spam")]
    assert [(source, m.field) for source, m in toml_mappings()] == [
        (f"toml:{path}", "cf_social_handle"), (f"toml:{path}", "360000000042")]
