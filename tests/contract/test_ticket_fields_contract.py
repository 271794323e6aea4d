"""Ticket fields through every adapter, against its emulator: the fields are read with
their kinds, a ticket is written with every field kind and assignment in one call, what
validation keeps is what the helpdesk stores, and fields changed in the helpdesk later
are left out of new tickets (which are still created) and flag the mappings they break.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bridge import db
from bridge.domain import NewComment, NewTicket, Requester, TicketRef
from bridge.errors import PermanentError
from bridge.fields import cache, check
from bridge.fields.validate import filter_fields, value_errors
from bridge.helpdesk import Helpdesk
from bridge.rules.model import Mapping
from tests.contract.drivers import Driver

KINDS = ("text", "textarea", "dropdown", "checkbox", "date", "integer", "decimal")


def create(hd: Helpdesk, driver: Driver, custom: tuple[tuple[str, Any], ...] = (),
           **extra: Any) -> TicketRef:
    author = hd.ensure_requester(Requester("telegram:bot:42", "Ana Customer"))
    ticket = NewTicket(author, "Order question", NewComment(author, "Where is my order?"),
                       "social-bridge-fields-1",
                       tags=("social", "telegram"), custom_fields=custom, **extra)
    return hd.create_ticket(ticket)


def test_ticket_fields_are_the_custom_fields_with_their_kinds(driver: Driver,
                                                              hd: Helpdesk) -> None:
    fields = {f.key: f for f in hd.ticket_fields()}
    for kind, key in driver.FIELDS.items():
        assert fields[key].kind == kind, key
    dropdown = fields[driver.FIELDS["dropdown"]]
    assert driver.GOOD["dropdown"] in dropdown.option_values
    assert {f.kind for f in fields.values()} >= set(KINDS)


def test_a_ticket_with_every_field_kind_in_one_call(driver: Driver, hd: Helpdesk) -> None:
    values = {driver.FIELDS[kind]: driver.GOOD[kind] for kind in driver.FIELDS}
    fields = hd.ticket_fields()
    assert value_errors(fields, values, hd.name) == []
    kept, skipped = filter_fields(values, fields, hd.name)
    assert skipped == ()
    ref = create(hd, driver, kept, priority="high", group_id=driver.group_id,
                 assignee_id=driver.agent_id, ticket_type=driver.ticket_type,
                 brand_id=driver.brand_id)
    assert driver.custom_field_values(ref.ticket_id) == values
    assert driver.assignment(ref.ticket_id) == (driver.agent_id, driver.ticket_type,
                                                driver.brand_id)
    assert driver.priority_and_group(ref.ticket_id) == ("high", driver.group_id)


@pytest.mark.parametrize("kind", (*KINDS, "regexp", "multiselect"))
def test_what_validation_keeps_the_helpdesk_stores(driver: Driver, hd: Helpdesk,
                                                   kind: str) -> None:
    if kind not in driver.FIELDS:
        pytest.skip(f"{driver.name} has no {kind} field")
    key, fields = driver.FIELDS[kind], hd.ticket_fields()
    kept, skipped = filter_fields({key: driver.GOOD[kind]}, fields, hd.name)
    assert skipped == ()
    ref = create(hd, driver, kept)
    assert driver.custom_field_values(ref.ticket_id)[key] == driver.GOOD[kind]
    if kind not in driver.BAD:
        return
    bad = driver.BAD[kind]
    assert filter_fields({key: bad}, fields, hd.name)[0] == ()
    try:  # and the helpdesk would not have taken it either: refused, dropped or ignored
        ref = create(hd, driver, ((key, bad),))
    except PermanentError as exc:
        assert "(400)" in str(exc) or "(422)" in str(exc)
    else:
        assert driver.custom_field_values(ref.ticket_id).get(key) != bad


@pytest.fixture
def session(sqlite_url: str) -> Iterator[Session]:
    engine = db.make_engine(sqlite_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_fields_changed_later_are_left_out_and_flagged(driver: Driver, hd: Helpdesk,
                                                       session: Session) -> None:
    dropdown, text, integer = (driver.FIELDS[k] for k in ("dropdown", "text", "integer"))
    values = {dropdown: driver.GOOD["dropdown"], text: "@ana", integer: 7}
    mappings = [Mapping(source="follower_count", field=integer),
                Mapping(source="handle", field=text)]
    assert cache.refresh(session, hd).fields == hd.ticket_fields()
    assert check.broken_mappings(session, mappings, hd) == {}
    driver.remove_field(integer)  # an admin edits the fields while the bridge runs
    driver.set_options(dropdown, ["other"])
    fields = cache.refresh(session, hd).fields
    kept, skipped = filter_fields(values, fields, hd.name)
    assert kept == ((text, "@ana"),)
    assert skipped[0].startswith(f"left out: {driver.GOOD['dropdown']!r} is not an option")
    assert skipped[1].startswith(f"left out: field {integer} does not exist in ")
    ref = create(hd, driver, kept)  # the ticket is still created, without them
    assert driver.custom_field_values(ref.ticket_id) == {text: "@ana"}
    [error] = check.broken_mappings(session, mappings, hd)[0]
    assert error.startswith(f"field {integer} does not exist in ")
    assert check.mapping_errors(session, mappings[1], hd) == []
