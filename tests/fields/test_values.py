"""Rule field values against each field kind, on both helpdesks' real field shapes:
what is written (converted where unambiguous) or exactly why not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bridge.fields.model import TicketField
from bridge.fields.validate import value_errors
from bridge.fields.values import check_value
from tests.fields import field, fields_of

# (helpdesk, field key, value, what is written)
ACCEPTED: list[tuple[str, str, Any, Any]] = [
    ("zendesk", "360002", "silver", "silver"),
    ("zendesk", "360003", "@ana", "@ana"),
    ("zendesk", "360003", 42, "42"),
    ("zendesk", "360004", "line one\nline two", "line one\nline two"),
    ("zendesk", "360005", True, True),
    ("zendesk", "360005", "false", False),
    ("zendesk", "360006", "2025-03-01", "2025-03-01"),
    ("zendesk", "360006", date(2025, 3, 1), "2025-03-01"),
    ("zendesk", "360007", 12, 12),
    ("zendesk", "360007", "-12", -12),
    ("zendesk", "360008", 19.99, 19.99),
    ("zendesk", "360008", "19.99", 19.99),
    ("zendesk", "360008", 20, 20),
    ("zendesk", "360009", "AB-1234", "AB-1234"),
    ("zendesk", "360010", ["billing", "returns", "billing"], ["billing", "returns"]),
    ("zendesk", "360010", "shipping", ["shipping"]),
    ("zendesk", "360011", {"anything": 1}, {"anything": 1}),
    ("zendesk", "360002", None, None),
    ("freshdesk", "cf_tier", "bronze", "bronze"),
    ("freshdesk", "cf_customer_handle", "x" * 255, "x" * 255),
    ("freshdesk", "cf_internal_summary", "y" * 5000, "y" * 5000),
    ("freshdesk", "cf_vip", "TRUE", True),
    ("freshdesk", "cf_follow_up_date", "2024-02-29", "2024-02-29"),
    ("freshdesk", "cf_follower_count", "1200", 1200),
    ("freshdesk", "cf_order_value", 5, 5),
    ("freshdesk", "cf_region", "Europe", "Europe"),
    ("freshdesk", "cf_city", "Yerevan", "Yerevan"),
]

# (helpdesk, field key, value, the reason, exactly)
REFUSED: list[tuple[str, str, Any, str]] = [
    ("freshdesk", "cf_tier", "gold",
     "'gold' is not an option of drop-down 'Tier' (cf_tier): bronze, silver"),
    ("zendesk", "360002", "gold",
     "'gold' is not an option of drop-down 'Tier' (360002): bronze (Bronze), silver (Silver)"),
    ("zendesk", "360001", "Purchase",
     "'Purchase' is not an option of drop-down 'Order type' (360001): order_purchase "
     "(Purchase), order_return (Return), order_exchange (Exchange) (did you mean its value "
     "'order_purchase'?)"),
    ("zendesk", "360002", True,
     "drop-down 'Tier' (360002) takes one option, not true"),
    ("zendesk", "360010", ["billing", "gold"],
     "'gold' is not an option of multi-select 'Topics' (360010): billing (Billing), "
     "shipping (Shipping), returns (Returns)"),
    ("zendesk", "360010", 7, "multi-select 'Topics' (360010) takes a list of options, not 7"),
    ("zendesk", "360005", "yes",
     "field 360005 'VIP customer' is a checkbox: it takes true or false, not 'yes'"),
    ("freshdesk", "cf_vip", 1,
     "field cf_vip 'VIP customer' is a checkbox: it takes true or false, not 1"),
    ("zendesk", "360006", "03/01/2025",
     "field 360006 'Follow-up date' is a date: it takes YYYY-MM-DD, not '03/01/2025'"),
    ("freshdesk", "cf_follow_up_date", "2025-02-30",
     "'2025-02-30' is not a real date (field cf_follow_up_date 'Follow-up date')"),
    ("zendesk", "360007", "12.5",
     "field 360007 'Follower count' takes a whole number, not '12.5'"),
    ("freshdesk", "cf_follower_count", True,
     "field cf_follower_count 'Follower count' takes a whole number, not true"),
    ("zendesk", "360008", "abc", "field 360008 'Order value' takes a number, not 'abc'"),
    ("freshdesk", "cf_order_value", float("inf"),
     "field cf_order_value 'Order value' takes a number, not inf"),
    ("zendesk", "360009", "ab-1234",
     "'ab-1234' does not match the pattern ^[A-Z]{2}-\\d{4}$ of field 360009 'Order "
     "reference'"),
    ("freshdesk", "cf_customer_handle", "x" * 256,
     "field cf_customer_handle 'Customer handle' takes at most 255 characters (the value "
     "has 256)"),
    ("zendesk", "360003", True, "field 360003 'Customer handle' takes text, not true"),
    ("freshdesk", "cf_region", "Mars",
     "'Mars' is not an option of drop-down 'Region' (cf_region): Europe, Asia"),
]


@pytest.mark.parametrize(("helpdesk", "key", "value", "written"), ACCEPTED)
def test_accepted_values_are_written_converted(helpdesk: str, key: str, value: Any,
                                                written: Any) -> None:
    assert check_value(field(helpdesk, key), value) == (written, None)
    assert value_errors(fields_of(helpdesk), {key: value}, helpdesk) == []


@pytest.mark.parametrize(("helpdesk", "key", "value", "reason"), REFUSED)
def test_refused_values_say_exactly_why(helpdesk: str, key: str, value: Any,
                                        reason: str) -> None:
    assert check_value(field(helpdesk, key), value) == (None, reason)
    assert value_errors(fields_of(helpdesk), {key: value}, helpdesk) == [reason]


def test_unknown_field_names_the_helpdesk_and_its_fields() -> None:
    [error] = value_errors(fields_of("zendesk"), {"360001234": "x"}, "zendesk")
    assert error.startswith("field 360001234 does not exist in Zendesk; fields: "
                            "360001 'Order type', 360002 'Tier', 360003 'Customer handle'")
    assert "Legacy code" not in error  # inactive fields are not offered
    [error] = value_errors(fields_of("freshdesk"), {"cf_colour": "red"}, "freshdesk")
    assert error.startswith("field cf_colour does not exist in Freshdesk; fields: "
                            "cf_tier 'Tier', cf_customer_handle 'Customer handle'")
    assert error.endswith("cf_city 'City', cf_channel 'Channel'")
    many = tuple(TicketField(f"cf_{n}", f"Field {n}", "text") for n in range(15))
    [error] = value_errors(many, {"cf_x": 1}, "freshdesk")
    assert error.endswith("cf_11 'Field 11' and 3 more")


def test_inactive_field_and_several_errors_in_order() -> None:
    errors = value_errors(fields_of("zendesk"), {"360013": "old", "360002": "silver",
                                                 "360005": "maybe"}, "zendesk")
    assert errors == [
        "field 360013 'Legacy code' is inactive in Zendesk",
        "field 360005 'VIP customer' is a checkbox: it takes true or false, not 'maybe'",
    ]
