"""What automation asks of Zendesk: set a status (auto-solve) and record a CSAT answer
(tags added and removed, a custom field, a private note), against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.domain import NewComment, NewTicket, Requester, TicketActions
from bridge.errors import PermanentError, TicketClosed
from bridge.zendesk.adapter import ZendeskHelpdesk
from tests.helpdesks import emulator_fixtures
from tests.zendesk import EMAIL, TOKEN, running_emulator

server, emu = emulator_fixtures(running_emulator)


@pytest.fixture
def zd(emu: Any) -> ZendeskHelpdesk:
    return ZendeskHelpdesk(base_url=emu.base_url, email=EMAIL, token=TOKEN, timeout=2)


def new_ticket(zd: ZendeskHelpdesk) -> str:
    requester = zd.ensure_requester(Requester("messenger:page1:user1", "Ana Customer"))
    return zd.create_ticket(NewTicket(requester, "Hello", NewComment(requester, "Hello"),
                                      "m-1", tags=("social", "messenger"))).ticket_id


def ticket(emu: Any, ticket_id: str) -> dict[str, Any]:
    with emu.state.lock:
        return dict(emu.state.tickets[int(ticket_id)])


def test_set_status_is_one_put_and_idempotent(emu: Any, zd: ZendeskHelpdesk) -> None:
    tid = new_ticket(zd)
    mark = len(emu.requests_log())
    zd.set_status(tid, "solved")
    zd.set_status(tid, "solved")
    assert ticket(emu, tid)["status"] == "solved"
    assert [(r["method"], r["path"]) for r in emu.requests_log()[mark:]] == [
        ("PUT", f"/api/v2/tickets/{tid}")] * 2
    assert zd.read_ticket(tid).status == "solved"


def test_set_status_on_a_closed_ticket_is_ticket_closed(emu: Any, zd: ZendeskHelpdesk) -> None:
    tid = new_ticket(zd)
    zd.set_status(tid, "solved")
    emu.set_status(int(tid), "closed")
    with pytest.raises(TicketClosed):
        zd.set_status(tid, "solved")
    with pytest.raises(PermanentError, match="cannot set status 'new'"):
        zd.set_status(tid, "new")


def test_csat_answer_replaces_the_other_tag_and_sets_the_field(
        emu: Any, zd: ZendeskHelpdesk) -> None:
    tid = new_ticket(zd)
    zd.apply_actions(tid, TicketActions(add_tags=("csat_good",), remove_tags=("csat_bad",),
                                        custom_fields=(("360000000001", "good"),),
                                        note="Customer satisfaction answer: good"))
    zd.apply_actions(tid, TicketActions(add_tags=("csat_bad",), remove_tags=("csat_good",),
                                        custom_fields=(("360000000001", "bad"),)))
    found = ticket(emu, tid)
    assert "csat_bad" in found["tags"] and "csat_good" not in found["tags"]
    assert {"social", "messenger"} <= set(found["tags"])
    assert {"id": 360000000001, "value": "bad"} in found["custom_fields"]
    with emu.state.lock:
        notes = [c for c in emu.state.comments[int(tid)] if not c["public"]]
    assert [n["body"] for n in notes] == ["Customer satisfaction answer: good"]
    assert zd.read_ticket(tid).replies == ()  # a private note is never a reply
