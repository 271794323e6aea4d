"""What the bridge does with no SLA configuration: one 24x7 policy and its ladder."""

from __future__ import annotations

from datetime import timedelta

from bridge.sla.policy import EscalationStep, Ladder, SlaPolicy, Targets

DEFAULT_LADDER = Ladder((
    EscalationStep(0.5, add_tags=("sla_warning",)),
    EscalationStep(0.8, add_tags=("sla_at_risk",), set_priority="high"),
    EscalationStep(1.0, add_tags=("sla_breached",),
                   internal_note="SLA breached on ticket {ticket}: {target} was due {deadline}."),
    EscalationStep(timedelta(hours=1), set_priority="urgent",
                   internal_note="Ticket {ticket} is still past its SLA: {target} was due "
                                 "{deadline} (time left: {remaining})."),
))
DEFAULT_WINDOW = EscalationStep(
    timedelta(hours=-2), name="window", add_tags=("window_closing",),
    internal_note="The messaging window closes at {deadline}: after that only approved "
                  "templates reach the customer.")
DEFAULT_POLICY = SlaPolicy(
    "default", targets=Targets(timedelta(hours=1), timedelta(hours=4), timedelta(days=3)),
    ladder=DEFAULT_LADDER, window=DEFAULT_WINDOW)
