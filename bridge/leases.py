"""Claim-once leases on conversations: the unit of per-conversation ordering.

A conditional UPDATE takes the lease only when nobody holds a live one, so two
workers never process one conversation at the same time, on any database. A
holder that dies leaves a lease that simply expires.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bridge import clock
from bridge.models import Conversation


def claim(s: Session, conv_id: int, owner: str, seconds: int) -> bool:
    now = clock.now()
    result = s.execute(
        update(Conversation)
        .where(Conversation.id == conv_id)
        .where(or_(Conversation.lease_until.is_(None), Conversation.lease_until < now))
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=seconds))
    )
    s.commit()
    return bool(getattr(result, "rowcount", 0))


def renew(s: Session, conv_id: int, owner: str, seconds: int) -> None:
    s.execute(
        update(Conversation)
        .where(Conversation.id == conv_id, Conversation.lease_owner == owner)
        .values(lease_until=clock.now() + timedelta(seconds=seconds))
    )
    s.commit()


def release(s: Session, conv_id: int, owner: str) -> None:
    s.execute(
        update(Conversation)
        .where(Conversation.id == conv_id, Conversation.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    s.commit()
