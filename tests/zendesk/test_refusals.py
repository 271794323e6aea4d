"""Which Zendesk refusals of a new ticket the bridge can answer by leaving values out:
``RecordInvalid`` details naming a rule's group, agent, type or brand, or ``base``
entries naming a custom field by ``ticket_field_id``; nothing else."""

from __future__ import annotations

import json

import pytest

from bridge.domain import NewComment, NewTicket
from bridge.errors import PermanentError, RefusedFields
from bridge.refusals import create_leaving_out
from bridge.zendesk.mapping import error_for_response
from bridge.zendesk.refusals import leavable, left_out_values, refused_fields, without
from tests.zendesk import fixture_bytes


def record_invalid(**details: object) -> str:
    return json.dumps({"error": "RecordInvalid", "description": "Record validation errors",
                       "details": details})


def field_entry(field_id: object, title: str = "Social channel",
                kind: str = "FieldTagger") -> dict[str, object]:
    return {"description": f"{title} is not valid", "error": "InvalidValue",
            "ticket_field_id": field_id, "ticket_field_type": kind}


TICKET = NewTicket("7", "Hi", NewComment("7", "Hi"), "m-1", group_id="360000000999",
                   ticket_type="Refund",
                   custom_fields=(("360000000031", "myspace"), ("360000000032", "@ana")))


def test_custom_fields_named_by_id_are_refused_fields() -> None:
    body = record_invalid(group=[{"description": "Group: is invalid"}],
                          base=[field_entry(360000000031), field_entry(360000000035)])
    assert refused_fields(body) == ("group", "custom_field_360000000031",
                                    "custom_field_360000000035")
    error = error_for_response(422, body, None)
    assert isinstance(error, RefusedFields) and "Social channel is not valid" in str(error)


@pytest.mark.parametrize("base", [
    [{"description": "Description: cannot be blank", "error": "BlankValue"}],
    [field_entry(360000000031), {"description": "Something else", "error": "InvalidValue"}],
    [field_entry("360000000031")],
    [field_entry(True)],
    [],
])
def test_a_base_entry_that_names_no_field_is_not_a_refusal_of_values(base: object) -> None:
    body = record_invalid(base=base)
    assert refused_fields(body) == ()
    assert type(error_for_response(422, body, None)) is PermanentError


def test_the_recorded_blank_description_stays_a_plain_error() -> None:
    body = fixture_bytes("zendesk_api", "error_422_record_invalid_blank_description.json")
    assert refused_fields(body.decode("utf-8")) == ()


def test_leaving_out_clears_the_named_values_and_custom_fields() -> None:
    assert leavable(TICKET) == {"group", "group_id", "type", "custom_field_360000000031",
                                "custom_field_360000000032"}
    left = without(TICKET, ("group", "custom_field_360000000031"))
    assert (left.group_id, left.ticket_type) == (None, "Refund")
    assert left.custom_fields == (("360000000032", "@ana"),)
    assert left.comment == TICKET.comment and left.marker == TICKET.marker
    refusals = [RefusedFields("r", ("group", "custom_field_360000000031"))]
    assert left_out_values(TICKET, refusals) == [("group", "360000000999"),
                                                 ("custom_field_360000000031", "myspace")]


def test_a_refusal_naming_what_the_ticket_does_not_carry_is_not_retried() -> None:
    """A field Zendesk requires (``ticket_field_id`` of a field the bridge did not send)
    cannot be left out: the first refusal is the answer, as a plain error."""
    calls: list[tuple[str, ...]] = []

    def create(left_out: tuple[str, ...]) -> str:
        calls.append(left_out)
        raise RefusedFields("Zendesk rejected the request (422): Assignee: is required",
                            ("custom_field_360000000031", "custom_field_1"))

    with pytest.raises(PermanentError) as refused:
        create_leaving_out(create, leavable(TICKET))
    assert type(refused.value) is PermanentError and "Assignee: is required" in str(refused.value)
    assert calls == [()]


def test_refusals_of_what_the_ticket_carries_are_left_out_together() -> None:
    answers: list[RefusedFields] = [RefusedFields("r", ("group", "custom_field_360000000031"))]

    def create(left_out: tuple[str, ...]) -> tuple[str, ...]:
        if answers:
            raise answers.pop()
        return left_out

    created, refusals = create_leaving_out(create, leavable(TICKET))
    assert created == ("group", "custom_field_360000000031") and len(refusals) == 1
