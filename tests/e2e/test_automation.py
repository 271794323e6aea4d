"""Automation through the real processes: gunicorn, a Celery worker and beat on Redis and
PostgreSQL, with a BRIDGE_CONFIG of second-long timings. An acknowledgement due 2 s after
the message (so beat's automation sweep claims it and a worker sends it) reaches the Graph
emulator, and an escalation step's tag lands on the Zendesk ticket at its minute (here:
its second)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Bridge
from tests.e2e.harness import wait_for

pytestmark = pytest.mark.e2e
HALF_WAY = 5.0  # seconds: 50% of the 10 s first-reply target
ACK_DELAY = 2.0


@pytest.fixture
def automation_config() -> str:
    return """
[[sla.policies]]
name = "fast"
first_reply = "10s"

[[sla.policies.escalation]]
at = "50%"
add_tags = ["sla_half_way"]

[automation.acknowledgement]
delay = "2s"
text.en.open = "Thanks! Your ticket number is {ticket}. We usually answer within {first_reply}."
"""


def sweeps_running(bridge: Bridge) -> bool:
    """Beat has sent an automation sweep and a worker has run it: both are up."""
    log = (bridge.procs.logdir / "worker.log").read_text(errors="replace")
    return any("bridge.tasks.automation_sweep[" in line and "succeeded" in line
               for line in log.splitlines())


def test_acknowledgement_and_escalation_step_on_time(configured_bridge: Bridge) -> None:
    bridge = configured_bridge
    wait_for(lambda: sweeps_running(bridge), 30, "beat and a worker")
    written = time.time()
    response = bridge.customer_writes("psid-a", "mid-a", "Where is my parcel?",
                                      at_ms=int(written * 1000))
    assert response.status_code == 200
    ticket = wait_for(lambda: bridge.tickets()[0], 30, "the ticket")

    (ack,) = wait_for(lambda: bridge.sent(), 30, "the acknowledgement")
    # Not before its delay; then within a sweep interval or two (beat every second).
    assert ACK_DELAY - 0.1 <= ack["at"].timestamp() - written < ACK_DELAY + 5
    assert ack["text"] == (f"Thanks! Your ticket number is {ticket['id']}. "
                           "We usually answer within 10s.")
    assert (ack["recipient"], ack["messaging_type"], ack["tag"]) == ("psid-a", "RESPONSE", None)
    wait_for(lambda: [c for c in bridge.comments(ticket["id"]) if not c["public"]
                      and c["body"] == f"Automatic message sent to the customer: {ack['text']}"],
             30, "the internal note about the acknowledgement")

    def tagged() -> bool:
        current = next(t for t in bridge.tickets() if t["id"] == ticket["id"])
        return "sla_half_way" in current["tags"]

    wait_for(tagged, 30, "the 50% escalation tag")
    elapsed = time.time() - written
    # Due 5 s after the message; beat sweeps every second, then a worker acts.
    assert HALF_WAY - 0.1 <= elapsed < HALF_WAY + 10, elapsed
    assert len(bridge.sent()) == 1  # the note is private: never mirrored
    result = bridge.procs.cli("sla", "show", str(ticket["id"]))
    assert result.returncode == 0, result.stderr
    assert "acknowledgement due" in result.stdout and ": done" in result.stdout
