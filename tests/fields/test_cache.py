"""The ticket-field cache on SQLite and PostgreSQL: read when absent or older than the
TTL, kept (with the failure noted) when the helpdesk cannot be read, and what the admin
API's checks answer from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bridge import clock, db, registry, tasks
from bridge.errors import TransientError
from bridge.fields import cache, check
from bridge.fields.model import TicketField
from bridge.rules.model import Mapping, Transform
from tests.conftest import apply_env
from tests.fakes import FakeClock, FakeHelpdesk

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TIER = TicketField("cf_tier", "Tier", "dropdown", options=(("bronze", "bronze"),
                                                          ("silver", "silver")))
HANDLE = TicketField("cf_handle", "Handle", "text")

World = tuple[FakeHelpdesk, FakeClock]


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str) -> Iterator[World]:
    apply_env(env, DATABASE_URL=database_url)
    hd, fake_clock = FakeHelpdesk(), FakeClock(T0)
    hd.custom_fields = (TIER, HANDLE)
    env.setattr(registry, "helpdesk", lambda: hd)
    clock.set_clock(fake_clock)
    yield hd, fake_clock
    clock.set_clock(None)


def load() -> cache.CachedFields:
    with db.session() as s:
        return cache.load(s)


def test_read_once_then_served_until_the_ttl(world: World) -> None:
    hd, fake_clock = world
    first = load()
    assert (first.helpdesk, first.fields, first.fetched_at) == ("fake", (TIER, HANDLE), T0)
    fake_clock.advance(cache.TTL.total_seconds() - 1)
    hd.custom_fields = (TIER,)
    assert load().fields == (TIER, HANDLE)
    assert hd.calls.count("ticket_fields") == 1
    fake_clock.advance(1)
    assert load().fields == (TIER,)  # the field removed in the helpdesk is gone
    assert hd.calls.count("ticket_fields") == 2
    with db.session() as s:  # stored for every process, not in memory
        stored = cache.read(s, "fake")
    assert stored is not None and stored.fields == (TIER,)
    assert stored.fetched_at == T0 + cache.TTL


def test_a_failed_refresh_keeps_the_old_fields_and_notes_why(world: World) -> None:
    hd, fake_clock = world
    load()
    hd.failures.append(TransientError("Zendesk unreachable (GET /ticket_fields)"))
    with db.session() as s:
        kept = cache.refresh(s)
    assert kept.fields == (TIER, HANDLE) and kept.fetched_at == T0
    assert (kept.error, kept.failed_at) == ("Zendesk unreachable (GET /ticket_fields)", T0)
    fake_clock.advance(cache.TTL.total_seconds())
    hd.failures.append(TransientError("still down"))
    assert load().error == "still down"
    calls = hd.calls.count("ticket_fields")
    fake_clock.advance(cache.RETRY_AFTER_FAILURE.total_seconds() - 1)
    assert load().error == "still down"  # no new attempt within a minute of the failure
    assert hd.calls.count("ticket_fields") == calls
    fake_clock.advance(1)
    fresh = load()
    assert (fresh.error, fresh.failed_at, fresh.fetched_at) == (
        None, None, T0 + cache.TTL + cache.RETRY_AFTER_FAILURE)


def test_never_read_and_failing_is_unavailable(world: World) -> None:
    hd, _ = world
    hd.failures.append(TransientError("Freshdesk timed out"))
    with pytest.raises(cache.FieldsUnavailable, match="could not be read: Freshdesk timed "
                                                      "out"):
        load()
    hd.failures.append(TransientError("Freshdesk timed out"))
    with db.session() as s:
        assert check.mapping_errors(s, Mapping(source="handle", field="cf_handle")) == [
            "cannot check ticket fields now: the ticket fields of fake could not be read: "
            "Freshdesk timed out"]
        assert cache.read(s, "fake") is None


def test_checks_answer_from_the_cache_and_flag_later_changes(world: World) -> None:
    hd, fake_clock = world
    tier = Mapping(source="display_name", field="cf_tier",
                   transforms=[Transform(kind="lookup", table={"Ana": "silver"})])
    handle = Mapping(source="handle", field="cf_handle")
    with db.session() as s:
        assert check.mapping_errors(s, tier) == []
        assert check.field_value_errors(s, {"cf_tier": "silver"}) == []
        assert check.field_value_errors(s, {"cf_tier": "gold"}) == [
            "'gold' is not an option of drop-down 'Tier' (cf_tier): bronze, silver"]
        assert check.field_value_errors(s, {}) == []
        assert check.broken_mappings(s, [tier, handle]) == {}
    hd.custom_fields = (TicketField("cf_tier", "Tier", "dropdown",
                                    options=(("gold", "gold"),)),)  # an admin edits fields
    fake_clock.advance(cache.TTL.total_seconds())
    with db.session() as s:
        broken = check.broken_mappings(s, [tier, handle])
    assert broken == {
        0: ["the lookup table can give 'silver', which is not an option of drop-down 'Tier' "
            "(cf_tier): gold"],
        1: ["field cf_handle does not exist in fake; fields: cf_tier 'Tier'"]}


def test_beat_task_refreshes_and_survives_failures(world: World) -> None:
    hd, fake_clock = world
    assert tasks.refresh_ticket_fields() == 2
    hd.custom_fields = (HANDLE,)
    fake_clock.advance(5)
    assert tasks.refresh_ticket_fields() == 1  # now, whatever the TTL
    hd.failures.append(TransientError("down"))
    assert tasks.refresh_ticket_fields() == 1  # the old field kept
    with db.session() as s:
        stored = cache.read(s, "fake")
    assert stored is not None and stored.error == "down"
    assert stored.fetched_at == T0 + timedelta(seconds=5)


def test_beat_task_without_any_fields_logs_and_returns_zero(world: World) -> None:
    hd, _ = world
    hd.failures.append(TransientError("down"))
    assert tasks.refresh_ticket_fields() == 0
