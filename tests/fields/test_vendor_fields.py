"""Both helpdesks' ticket-field shapes (documentation fixtures) as ``TicketField``, read
through each adapter with only the network replaced."""

from __future__ import annotations

import json

import pytest

from bridge.errors import PermanentError
from bridge.fields.model import TicketField
from bridge.freshdesk.adapter import FreshdeskHelpdesk
from bridge.zendesk.adapter import ZendeskHelpdesk
from bridge.zendesk.fields import custom_ticket_fields
from tests.fields import FIXTURES, field, freshdesk_fields, zendesk_fields
from tests.freshdesk import CannedFreshdesk


def test_zendesk_custom_fields_only_with_normalised_kinds() -> None:
    fields = zendesk_fields()
    assert all(int(f.key) >= 360001 for f in fields)  # subject, status, group... left out
    kinds = {f.key: f.kind for f in fields}
    assert kinds == {
        "360001": "dropdown", "360002": "dropdown", "360003": "text", "360004": "textarea",
        "360005": "checkbox", "360006": "date", "360007": "integer", "360008": "decimal",
        "360009": "regexp", "360010": "multiselect", "360011": "other", "360012": "other",
        "360013": "text",
    }
    order_type = field("zendesk", "360001")
    assert order_type.options == (("order_purchase", "Purchase"), ("order_return", "Return"),
                                  ("order_exchange", "Exchange"))
    assert order_type.vendor_type == "tagger" and order_type.describe() == "360001 'Order type'"
    assert field("zendesk", "360009").pattern == r"^[A-Z]{2}-\d{4}$"
    assert not field("zendesk", "360013").active
    assert all(f.active for f in fields if f.key != "360013")


def test_freshdesk_cf_fields_with_nested_levels() -> None:
    fields = freshdesk_fields()
    assert [f.key for f in fields] == [
        "cf_tier", "cf_customer_handle", "cf_internal_summary", "cf_vip", "cf_follow_up_date",
        "cf_follower_count", "cf_order_value", "cf_region", "cf_country", "cf_city",
        "cf_channel"]
    assert field("freshdesk", "cf_tier").options == (("bronze", "bronze"), ("silver", "silver"))
    assert field("freshdesk", "cf_customer_handle").max_length == 255
    assert field("freshdesk", "cf_internal_summary").max_length is None
    assert field("freshdesk", "cf_order_value").kind == "decimal"
    assert field("freshdesk", "cf_follower_count").kind == "integer"
    region = field("freshdesk", "cf_region")
    assert (region.kind, region.option_values) == ("dropdown", ("Europe", "Asia"))
    assert (field("freshdesk", "cf_city").kind, field("freshdesk", "cf_city").title) == (
        "other", "City")


def test_ticket_field_json_round_trip() -> None:
    for item in zendesk_fields() + freshdesk_fields():
        assert TicketField.from_json(json.loads(json.dumps(item.to_json()))) == item
    assert TicketField.from_json({"key": "9", "kind": "hologram"}).kind == "other"


def test_zendesk_adapter_reads_the_documented_shape_through_zenpy() -> None:
    zd = ZendeskHelpdesk(base_url="https://example.zendesk.com", email="a@example.com",
                         token="t")
    body = (FIXTURES / "zendesk" / "ticket_fields_200.json").read_bytes()
    canned = CannedFreshdesk({("GET", "/api/v2/ticket_fields.json"): (200, body)})
    zd.session.mount("https://", canned)
    assert zd.ticket_fields() == zendesk_fields()
    assert canned.calls() == ["GET /api/v2/ticket_fields.json"]


def test_freshdesk_adapter_reads_the_documented_shape() -> None:
    fd = FreshdeskHelpdesk(base_url="https://acme.freshdesk.com", api_key="k")
    body = (FIXTURES / "freshdesk" / "ticket_fields_200.json").read_bytes()
    canned = CannedFreshdesk({("GET", "/api/v2/ticket_fields"): (200, body)})
    fd.client.session.mount("https://", canned)
    assert fd.ticket_fields() == freshdesk_fields()


def test_a_field_without_id_is_an_unexpected_body() -> None:
    with pytest.raises(PermanentError, match="unexpected Zendesk ticket field"):
        custom_ticket_fields([{"type": "text", "title": "No id"}])
