"""SLA clocks through the pipeline: steps at the right minute, once, retried on failure."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bridge import config as bridge_config
from bridge import db, escalation, ingest
from bridge.errors import TransientError
from bridge.models import SlaAction, SlaRecord
from bridge.sla_report import report
from tests.test_pipeline import T0, World, message, run_all, store, world

__all__ = ["world"]
MIN = 60


def sweep() -> list[int]:
    """What beat does: claim due conversations and escalate them."""
    ids = escalation.claim_due()
    return [i for i in ids if escalation.escalate(i)]


def start(w: World) -> tuple[int, str]:
    hd, _, _ = w
    (conv_id,) = store(message("m1", "my parcel is lost"))
    run_all(conv_id)
    (ticket,) = hd.tickets.values()
    return conv_id, ticket.id


def test_steps_fire_at_their_minute_and_once(world: World) -> None:
    hd, _, clock = world
    conv_id, tid = start(world)
    clock.advance(29 * MIN)
    assert sweep() == []
    clock.advance(1 * MIN)  # 50% of the 1 h first-reply target
    assert sweep() == [conv_id]
    run_all(conv_id)
    assert "sla_warning" in hd.tickets[tid].tags
    assert sweep() == []  # done once; the next step is at 48 min
    clock.advance(18 * MIN)
    assert sweep() == [conv_id]
    run_all(conv_id)
    assert "sla_at_risk" in hd.tickets[tid].tags and hd.tickets[tid].priority == "high"
    assert hd.calls.count("apply_actions") == 2


def test_after_a_long_downtime_every_due_step_comes_at_once_in_order(world: World) -> None:
    hd, _, clock = world
    conv_id, tid = start(world)
    clock.advance(3 * 3600)
    assert sweep() == [conv_id]
    run_all(conv_id)
    with db.session() as s:
        keys = [a.step_key.rsplit(":", 1)[-1] for a in s.scalars(
            select(SlaAction).order_by(SlaAction.id))]
    assert keys[:4] == ["50%", "80%", "100%", "+1h"]
    assert hd.tickets[tid].priority == "urgent"
    assert {"sla_warning", "sla_at_risk", "sla_breached"} <= set(hd.tickets[tid].tags)
    notes = [c[2] for c in hd.tickets[tid].comments if not c[3]]
    assert notes and all(tid in n or "first reply" in n for n in notes)


def test_a_delivered_reply_stops_the_clock(world: World) -> None:
    hd, ch, clock = world
    conv_id, tid = start(world)
    clock.advance(10 * MIN)
    hd.reply(tid, "On it!", clock.now)
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-1", tid)
    run_all(conv_id)
    assert [m.text for m in ch.sent] == ["On it!"]
    clock.advance(5 * 3600)  # the resolution clock (3 d) has its first step at 36 h
    assert sweep() == []
    assert hd.calls.count("apply_actions") == 0


def test_pending_pauses_the_clock(world: World) -> None:
    hd, _, clock = world
    conv_id, tid = start(world)
    hd.tickets[tid].status = "pending"
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-1", tid)
    run_all(conv_id)
    with db.session() as s:
        rec = s.get(SlaRecord, conv_id)
        assert rec is not None and rec.next_due_at is None
    clock.advance(10 * 3600)
    assert sweep() == []


def test_a_failing_helpdesk_retries_the_step_neither_skipped_nor_doubled(world: World) -> None:
    hd, _, clock = world
    conv_id, tid = start(world)
    clock.advance(30 * MIN)
    assert sweep() == [conv_id]
    hd.failures = [TransientError("503")]
    run_all(conv_id)
    assert "sla_warning" not in hd.tickets[tid].tags
    clock.advance(10 * MIN)
    run_all(conv_id)
    assert "sla_warning" in hd.tickets[tid].tags
    with db.session() as s:
        states = s.scalars(select(SlaAction.state)).all()
    assert states == ["done"]


def test_concurrent_sweeps_claim_each_conversation_once(world: World) -> None:
    _, _, clock = world
    convs = [store(message(f"m{i}", "hi", psid=f"p{i}"))[0] for i in range(20)]
    for c in convs:
        run_all(c)
    clock.advance(31 * MIN)
    got: list[list[int]] = []
    for _ in range(5):  # rounds: on SQLite, sweeps racing for the same rows leave some
        threads = [threading.Thread(target=lambda: got.append(escalation.claim_due(limit=15)))
                   for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    claimed = [i for part in got for i in part]
    assert sorted(claimed) == sorted(set(claimed))  # never twice
    assert set(claimed) == set(convs)  # and every one, within a few rounds


def test_sla_show_prints_clocks_and_steps(world: World) -> None:
    _, _, clock = world
    conv_id, tid = start(world)
    clock.advance(40 * MIN)
    sweep()
    run_all(conv_id)
    with db.session() as s:
        text = "\n".join(report(s, tid))
    assert "policy default" in text and "first reply: target 1h" in text
    assert "steps done: 50%" in text and "80%" in text and "messaging window closes" in text
    assert (T0 + timedelta(hours=1)).strftime("%H:%M") in text


def test_a_mapped_breach_field_receives_the_deadline(world: World, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    hd, _, clock = world
    config_file = tmp_path / "bridge.toml"
    config_file.write_text('[sla]\nbreach_field = "360001234567"\n')
    monkeypatch.setenv("BRIDGE_CONFIG", str(config_file))
    bridge_config.reset_settings()
    conv_id, tid = start(world)
    clock.advance(3600)
    assert sweep() == [conv_id]
    run_all(conv_id)
    deadline = (T0 + timedelta(hours=1)).isoformat(timespec="minutes")
    assert hd.tickets[tid].fields == {"360001234567": deadline}


def test_a_bad_breach_field_is_a_clear_configuration_error(tmp_path: Path) -> None:
    from bridge.errors import ConfigError
    from bridge.sla.settings import load_sla_settings

    bad = tmp_path / "bridge.toml"
    bad.write_text("[sla]\nbreach_field = 12\n")
    with pytest.raises(ConfigError, match=r"bridge.toml: sla.breach_field: 12 is not"):
        load_sla_settings(bad)


POLICIES = """
[[sla.policies]]
name = "vip"
tags = ["vip"]
first_reply = "10m"
resolution = "1d"

[[sla.policies]]
name = "standard"
first_reply = "1h"
resolution = "3d"
"""


def test_a_tag_added_in_the_helpdesk_switches_to_its_policy(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hd, _, clock = world
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(POLICIES)
    monkeypatch.setenv("BRIDGE_CONFIG", str(config_file))
    bridge_config.reset_settings()
    conv_id, tid = start(world)
    with db.session() as s:
        rec = s.get(SlaRecord, conv_id)
        assert rec is not None and rec.policy == "standard"
    clock.advance(2 * MIN)
    hd.tickets[tid].tags = (*hd.tickets[tid].tags, "vip")  # an agent tags the ticket
    with db.session() as s:
        ingest.store_helpdesk_event(s, "fake", "evt-vip", tid)
    run_all(conv_id)
    with db.session() as s:
        rec = s.get(SlaRecord, conv_id)
        assert rec is not None and rec.policy == "vip"
    clock.advance(8 * MIN)  # 10 min after the customer's message: the vip deadline
    assert sweep() == [conv_id]
    run_all(conv_id)
    assert "sla_breached" in hd.tickets[tid].tags
