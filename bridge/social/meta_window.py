"""The messaging window of Meta's Send API, shared by Messenger and Instagram DMs.

Free-form replies go out as ``RESPONSE`` within 24 h of the customer's last message; up
to 7 days a reply written by a person may carry the ``HUMAN_AGENT`` tag (Meta forbids it
for automation). Both platforms run on the same Send API and the same policy, so one
function decides for both; only the platform's name in the refusal differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.errors import WindowClosed

RESPONSE_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SendPolicy:
    """How a reply may go out: ``messaging_type``, an optional message tag, a note."""

    messaging_type: str
    tag: str | None = None
    note: str | None = None


def window_rule(platform: str) -> str:
    return f"{platform} allows replies for 24 hours, or 7 days for a human agent"


def send_policy(last_customer_at: datetime | None, now: datetime, human: bool,
                platform: str = "Messenger") -> SendPolicy:
    """The Send API parameters the window allows, or ``WindowClosed`` in an agent's words."""
    rule = window_rule(platform)
    if last_customer_at is None:
        raise WindowClosed(f"not sent: the customer has not written on {platform}; {rule}")
    age = now - last_customer_at
    if age <= RESPONSE_WINDOW:
        return SendPolicy("RESPONSE")
    if human and age <= HUMAN_AGENT_WINDOW:
        return SendPolicy("MESSAGE_TAG", "HUMAN_AGENT", "sent with the HUMAN_AGENT tag")
    why = "" if human else " (this reply is automated, so the 7-day rule does not apply)"
    raise WindowClosed(f"not sent: the customer last wrote {ago(age)}; {rule}{why}")


def ago(age: timedelta) -> str:
    """``3 days ago``, ``1 hour ago``: how an agent reads an age."""
    if age.days >= 1:
        return f"{age.days} day{'s' if age.days > 1 else ''} ago"
    hours = int(age.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''} ago"
