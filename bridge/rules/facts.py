"""What the rules read about one message: ``Facts`` from the stored message and the bridge's
own records, without any vendor call.

- ``language``: the inbox row's stored language, else the detector's answer
  (``bridge.automation.language.detect``, lingua); ``None`` when unsure.
- sender attributes (handle, display name, profile URL, follower count, verified) are what
  the platform put in the webhook; the display name falls back to the one the bridge
  remembered for this sender (``Identity``), since Messenger's webhooks carry none.
- ``returning_customer``: this sender (channel, account, sender id) already had a ticket
  through an *earlier* conversation: their ``Identity`` has a helpdesk user and was created
  before this conversation was. The identity is created when the sender's first message
  reaches the helpdesk, after that message's conversation exists, so a first conversation,
  its follow-up tickets and a retry after a crash all count as "new". A pasted dry-run
  message has no sender: never returning.
- ``business_hours``: whether the message was sent within the business hours of the SLA
  calendar of the policy that would apply to the new ticket, chosen as the SLA code
  chooses it when the clocks start (channel, no priority, tags ``social`` and the channel;
  rules may later pick another policy, which cannot be known before they run). When no
  policy matches: the first calendar of the ``[sla]`` configuration; with none, the 24x7
  calendar, so every message is within business hours.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.automation import language as detection
from bridge.domain import InboundMessage
from bridge.models import Identity
from bridge.rules.language import detect_language
from bridge.rules.model import Facts
from bridge.sla.calendar import Calendar


def message_facts(session: Session, msg: InboundMessage, *, language: str | None,
                  conversation_created: datetime | None) -> Facts:
    """The facts of one stored message; ``conversation_created`` is when its conversation
    began (``None``: no conversation, as for a pasted message)."""
    key, sender = msg.thread, msg.sender
    ident = _identity(session, key.channel, key.account_id, sender.external_id)
    return Facts(
        channel=key.channel, account_id=key.account_id, text=msg.text, language=language,
        external_id=sender.external_id, handle=sender.handle,
        display_name=sender.display_name or (ident.display_name if ident else None),
        profile_url=sender.profile_url, link=msg.link,
        follower_count=sender.follower_count, verified=sender.verified,
        returning_customer=_returning(ident, conversation_created),
        business_hours=business_hours(key.channel, msg.sent_at),
    )


def pasted_facts(channel: str, account_id: str, text: str) -> Facts:
    """The facts of a message an admin pasted into the dry run: sent now, no sender."""
    return Facts(channel=channel, account_id=account_id, text=text,
                 language=detect_language(text),
                 business_hours=business_hours(channel, clock.now()))


def message_language(stored: str | None, msg: InboundMessage) -> str | None:
    """The row's stored language, else the detector's answer (lower case)."""
    found = stored or detection.detect(msg)
    return found.strip().lower() if found else None


def _identity(session: Session, channel: str, account_id: str,
              sender_id: str) -> Identity | None:
    return session.scalars(select(Identity).where(
        Identity.channel == channel, Identity.account_id == account_id,
        Identity.external_user_id == sender_id)).first()


def _returning(ident: Identity | None, conversation_created: datetime | None) -> bool:
    if ident is None or not ident.helpdesk_user_id or conversation_created is None:
        return False
    return clock.aware(ident.created_at) < clock.aware(conversation_created)


def business_hours(channel: str, at: datetime) -> bool:
    """Whether ``at`` lies within the business hours that apply to ``channel`` (see the
    module docstring). Raises ``ConfigError`` when the configuration file is broken."""
    return calendar_for(channel).is_open(at)


def calendar_for(channel: str) -> Calendar:
    from bridge.escalation import sla_settings

    conf = sla_settings()
    policy = conf.choose(channel, None, ("social", channel))
    if policy is not None:
        return conf.calendar_for(policy)
    named = [cal for name, cal in conf.calendars.items() if name != "24x7"]
    return named[0] if named else conf.calendars["24x7"]
