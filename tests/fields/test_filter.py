"""``filter_fields``: at ticket creation, what fits the helpdesk's current fields is
written (converted), and everything else is left out with its reason."""

from __future__ import annotations

from bridge.fields.model import TicketField
from bridge.fields.validate import filter_fields
from tests.fields import fields_of


def test_values_that_fit_are_kept_converted_in_order() -> None:
    values = (("360002", "silver"), ("360007", "12"), ("360005", "true"),
              ("360006", "2025-03-01"))
    kept, skipped = filter_fields(values, fields_of("zendesk"), "zendesk")
    assert kept == (("360002", "silver"), ("360007", 12), ("360005", True),
                    ("360006", "2025-03-01"))
    assert skipped == ()


def test_broken_values_are_left_out_with_their_reason() -> None:
    values = {"cf_tier": "gold", "cf_vip": True, "cf_gone": "x", "cf_follow_up_date": "soon"}
    kept, skipped = filter_fields(values, fields_of("freshdesk"), "freshdesk")
    assert kept == (("cf_vip", True),)
    assert skipped[0] == ("left out: 'gold' is not an option of drop-down 'Tier' (cf_tier): "
                          "bronze, silver")
    assert skipped[1].startswith("left out: field cf_gone does not exist in Freshdesk; ")
    assert skipped[2] == ("left out: field cf_follow_up_date 'Follow-up date' is a date: "
                          "it takes YYYY-MM-DD, not 'soon'")


def test_a_field_made_inactive_later_is_left_out() -> None:
    fields = fields_of("zendesk")
    before, _ = filter_fields((("360003", "@ana"),), fields, "zendesk")
    assert before == (("360003", "@ana"),)
    changed = tuple(TicketField(f.key, f.title, f.kind, active=f.key != "360003")
                    for f in fields)
    kept, skipped = filter_fields((("360003", "@ana"),), changed, "zendesk")
    assert kept == ()
    assert skipped == ("left out: field 360003 'Customer handle' is inactive in Zendesk",)


def test_later_values_of_one_field_win_and_nothing_is_nothing() -> None:
    kept, skipped = filter_fields((("360002", "gold"), ("360002", "bronze")),
                                  fields_of("zendesk"), "zendesk")
    assert (kept, skipped) == ((("360002", "bronze"),), ())
    assert filter_fields((), fields_of("zendesk")) == ((), ())
    kept, skipped = filter_fields({"360002": "silver"}, (), "zendesk")
    assert kept == ()
    assert skipped == ("left out: field 360002 does not exist in Zendesk; fields: "
                       "(no custom fields)",)
