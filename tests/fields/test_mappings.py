"""Mappings against each helpdesk's fields: the field must exist and be active, and every
value the source can give (after its transforms) must fit the field's kind."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.fields.validate import mapping_errors
from bridge.rules.model import Mapping
from tests.fields import fields_of


def mapping(source: str, target: str, *transforms: dict[str, Any]) -> Mapping:
    return Mapping.model_validate({"source": source, "field": target,
                                   "transforms": list(transforms)})


def errors(helpdesk: str, source: str, target: str, *transforms: dict[str, Any]) -> list[str]:
    return mapping_errors(fields_of(helpdesk), mapping(source, target, *transforms), helpdesk)


# (helpdesk, source, field, transforms): mappings that may be saved
FITTING: list[tuple[str, str, str, tuple[dict[str, Any], ...]]] = [
    ("zendesk", "follower_count", "360003", ()),  # a number into text
    ("zendesk", "follower_count", "360007", ()),
    ("freshdesk", "follower_count", "cf_follower_count", ()),
    ("freshdesk", "follower_count", "cf_order_value", ()),
    ("zendesk", "verified", "360005", ()),
    ("freshdesk", "returning_customer", "cf_vip", ()),
    ("zendesk", "handle", "360003", ({"kind": "truncate", "length": 40},)),
    ("freshdesk", "text", "cf_internal_summary", ()),
    ("zendesk", "language", "360002", ()),  # ISO codes: unmatched ones left out at run time
    ("zendesk", "display_name", "360002", ({"kind": "lookup", "table": {"Ana": "silver"}},)),
    ("freshdesk", "channel", "cf_channel", (
        {"kind": "lookup", "table": {"messenger": "Messenger", "whatsapp": "WhatsApp",
                                     "telegram": "Telegram"}, "value": "Messenger"},)),
    ("zendesk", "channel", "360001", (
        {"kind": "lookup", "table": {"messenger": "order_purchase"},
         "value": "order_return"},)),
    ("zendesk", "categories", "360010", (
        {"kind": "lookup", "table": {c: "billing" for c in (
            "sales_lead", "custom_request", "incident", "technical_issue", "ugc")}},)),
    ("zendesk", "verified", "360002", (
        {"kind": "lookup", "table": {"true": "silver", "false": "bronze"}},)),
    ("freshdesk", "verified", "cf_follow_up_date", (
        {"kind": "lookup", "table": {"true": "2030-01-01"}, "value": "2031-01-01"},)),
    ("zendesk", "profile_url", "360011", ()),  # a kind the bridge does not judge
    ("freshdesk", "handle", "cf_city", ()),
]


@pytest.mark.parametrize(("helpdesk", "source", "target", "transforms"), FITTING)
def test_fitting_mappings_may_be_saved(helpdesk: str, source: str, target: str,
                                       transforms: tuple[dict[str, Any], ...]) -> None:
    assert errors(helpdesk, source, target, *transforms) == []


def test_a_number_cannot_go_into_a_checkbox_or_a_date() -> None:
    assert errors("zendesk", "follower_count", "360005") == [
        "source 'follower_count' gives a number, which field 360005 'VIP customer' "
        "(checkbox) cannot take"]
    assert errors("freshdesk", "follower_count", "cf_follow_up_date") == [
        "source 'follower_count' gives a number, which field cf_follow_up_date "
        "'Follow-up date' (date) cannot take"]


def test_free_text_needs_a_lookup_for_a_dropdown_and_cannot_be_a_number() -> None:
    assert errors("freshdesk", "display_name", "cf_tier") == [
        "source 'display_name' gives free text, which is rarely an option of 'Tier' "
        "(cf_tier): add a lookup transform whose values are its options"]
    assert errors("zendesk", "text", "360007") == [
        "source 'text' gives free text, which field 360007 'Follower count' (integer) "
        "cannot take"]
    assert errors("zendesk", "follower_count", "360007", {"kind": "lower"}) == [
        "source 'follower_count' gives free text after its transforms, which field 360007 "
        "'Follower count' (integer) cannot take"]
    assert errors("zendesk", "verified", "360002") == [
        "source 'verified' gives true or false, which field 360002 'Tier' (dropdown) "
        "cannot take"]


def test_lookup_values_must_be_options() -> None:
    table = {"Ana": "gold", "Bob": "silver", "Eve": "platinum"}
    assert errors("freshdesk", "display_name", "cf_tier", {"kind": "lookup", "table": table,
                                                          "value": "tin"}) == [
        "the lookup table can give 'gold', 'platinum', which are not options of drop-down "
        "'Tier' (cf_tier): bronze, silver",
        "the lookup fallback can give 'tin', which is not an option of drop-down 'Tier' "
        "(cf_tier): bronze, silver"]


def test_channel_kinds_are_checked_against_the_options() -> None:
    assert errors("freshdesk", "channel", "cf_channel") == [
        "source 'channel' can give 'messenger', 'facebook_comment', 'instagram', "
        "'instagram_comment', 'whatsapp', 'x', 'telegram', which are not options of "
        "drop-down 'Channel' (cf_channel): Messenger, WhatsApp, Telegram"]
    # unmatched kinds pass through the lookup, so they are still checked
    partial = {"kind": "lookup", "table": {"messenger": "Messenger", "whatsapp": "WhatsApp",
                                           "telegram": "Telegram"}}
    [error] = errors("freshdesk", "channel", "cf_channel", partial)
    assert error.startswith("source 'channel' can give 'facebook_comment', 'instagram', "
                            "'instagram_comment', 'x', which are not options")


def test_categories_go_to_a_multiselect_only_with_their_own_options() -> None:
    assert errors("zendesk", "categories", "360010") == [
        "source 'categories' can give 'sales_lead', 'custom_request', 'incident', "
        "'technical_issue', 'ugc', which are not options of multi-select 'Topics' (360010): "
        "billing (Billing), shipping (Shipping), returns (Returns)"]
    assert errors("zendesk", "categories", "360003") == [
        "source 'categories' gives a list of categories, which field 360003 'Customer "
        "handle' (text) cannot take"]


def test_known_values_are_checked_like_rule_values() -> None:
    assert errors("freshdesk", "verified", "cf_follow_up_date", {"kind": "default",
                                                                 "value": "soon"}) == [
        "source 'verified' can give 'true': field cf_follow_up_date 'Follow-up date' is a "
        "date: it takes YYYY-MM-DD, not 'true'",
        "source 'verified' can give 'false': field cf_follow_up_date 'Follow-up date' is a "
        "date: it takes YYYY-MM-DD, not 'false'",
        "the default can give 'soon': field cf_follow_up_date 'Follow-up date' is a date: "
        "it takes YYYY-MM-DD, not 'soon'"]
    assert errors("zendesk", "handle", "360009", {"kind": "default", "value": "none"}) == [
        "the default can give 'none': 'none' does not match the pattern ^[A-Z]{2}-\\d{4}$ "
        "of field 360009 'Order reference'"]


def test_unknown_and_inactive_fields() -> None:
    [error] = errors("zendesk", "handle", "360001234")
    assert error.startswith("field 360001234 does not exist in Zendesk; fields: 360001 "
                            "'Order type'")
    assert errors("zendesk", "handle", "360013") == [
        "field 360013 'Legacy code' is inactive in Zendesk"]
