"""Scheduling automated jobs, in the transaction of the event that causes them, and the
beat sweep that finds the due ones.

The hooks run where ``escalation.track`` runs, under the conversation lease:
``on_customer_message`` (a customer message reached the ticket), ``on_reply_delivered``
(an agent's reply reached the customer) and ``on_status`` (``sync_step`` read a new ticket
status). Each job is one ``automations`` row with a key that is unique per conversation,
so an event seen twice schedules nothing new. ``claim_due`` (beat) claims due rows once
(``SKIP LOCKED`` on PostgreSQL, a conditional ``UPDATE ... RETURNING`` everywhere) and
marks their conversations due; the run loop (``bridge.automation.run``) acts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bridge import clock, db
from bridge.automation.settings import AutomationSettings, automation_settings
from bridge.db import insert_ignore
from bridge.errors import ConfigError
from bridge.ingest import mark_due
from bridge.models import Automation, Conversation
from bridge.sla.policy import window_deadline, window_length

log = structlog.get_logger(__name__)
OPEN = ("pending", "sending")
DONE_STATUSES = ("solved", "closed")
PENDING_JOBS = ("pending_reminder", "auto_solve")
SOLVED_JOBS = ("checkin", "csat")
# A channel without a platform window still gets one acknowledgement per day of talk.
ACK_WINDOW = timedelta(hours=24)


def settings_or_none() -> AutomationSettings | None:
    """The settings; a broken ``[automation]`` section is logged, and never stops a
    customer's message from reaching the ticket."""
    try:
        return automation_settings()
    except ConfigError as exc:
        log.error("automation_config_unreadable", error=str(exc))
        return None


def schedule(s: Session, conv: Conversation, kind: str, key: str, due_at: datetime,
             **payload: Any) -> bool:
    """Insert the job once per (conversation, key); True when it is new."""
    assert conv.ticket_id is not None
    return insert_ignore(s, Automation, {
        "conversation_id": conv.id, "ticket_id": conv.ticket_id, "kind": kind, "key": key,
        "due_at": due_at, "state": "pending", "attempts": 0, "created_at": clock.now(),
        "payload": json.dumps(payload, ensure_ascii=False),
    }, ["conversation_id", "key"])


def cancel(s: Session, conv_id: int, kinds: Iterable[str]) -> None:
    """Cancel the conversation's open jobs of these kinds."""
    s.execute(update(Automation)
              .where(Automation.conversation_id == conv_id, Automation.kind.in_(list(kinds)),
                     Automation.state.in_(OPEN))
              .values(state="cancelled", done_at=clock.now(), claimed_until=None))


def on_customer_message(s: Session, conv: Conversation, at: datetime,
                        previous: datetime | None) -> None:
    """A customer message reached the ticket; ``previous`` is the customer's message
    before it. The customer answered: reminders, auto-solve, check-in and keep-alive
    stop. A message that opens a new messaging window is acknowledged."""
    cancel(s, conv.id, ("checkin", *PENDING_JOBS, "keepalive"))
    conf = settings_or_none()
    if conf is None or conv.ticket_id is None:
        return
    now = clock.now()
    ack = conf.job("acknowledgement", conv.channel)
    window = window_length(conv.channel) or ACK_WINDOW
    if ack is not None and (previous is None or at - previous > window):
        # Messages are processed in order and ``previous`` only grows, so two
        # acknowledgements are always more than a window apart.
        schedule(s, conv, "acknowledgement", f"acknowledgement:{_iso(at)}", now + ack.wait)
    keep = conf.job("keepalive", conv.channel)
    closes = window_deadline(conv.channel, conv.last_customer_at)
    if keep is not None and closes is not None and closes - keep.wait > now:
        assert conv.last_customer_at is not None
        schedule(s, conv, "keepalive", f"keepalive:{_iso(conv.last_customer_at)}",
                 closes - keep.wait)


def on_reply_delivered(s: Session, conv: Conversation) -> None:
    """An agent's reply reached the customer: a delayed acknowledgement would come too
    late, and no keep-alive is needed in this window."""
    cancel(s, conv.id, ("acknowledgement", "keepalive"))


def on_status(s: Session, conv: Conversation, old: str | None, new: str) -> None:
    """``sync_step`` read a new status. A status the bridge set itself (auto-solve) is
    not an agent's change: it is never mirrored and starts no check-in or CSAT."""
    by_bridge = conv.bridge_status is not None and new == conv.bridge_status
    if not by_bridge:
        conv.bridge_status = None
    if new != "pending":
        cancel(s, conv.id, PENDING_JOBS)
    if new == "pending" or new in DONE_STATUSES:
        cancel(s, conv.id, ("keepalive",))  # the agent is waiting, or it is over
    conf = settings_or_none()
    if conf is None or conv.ticket_id is None:
        return
    now = clock.now()
    if new == "pending" and old != "pending":
        for kind in PENDING_JOBS:
            job = conf.job(kind, conv.channel)
            if job is not None:
                schedule(s, conv, kind, f"{kind}:{_iso(now)}", now + job.wait)
    if new in DONE_STATUSES and old not in DONE_STATUSES:
        if not by_bridge:
            _solved(s, conv, conf, now)
    elif new not in DONE_STATUSES and old in DONE_STATUSES:
        cancel(s, conv.id, SOLVED_JOBS)
        if not by_bridge and conf.job("on_reopened", conv.channel) is not None:
            schedule(s, conv, "on_reopened", f"on_reopened:{_iso(now)}", now)


def _solved(s: Session, conv: Conversation, conf: AutomationSettings, now: datetime) -> None:
    if conf.job("on_solved", conv.channel) is not None:
        schedule(s, conv, "on_solved", f"on_solved:{_iso(now)}", now)
    csat = conf.job("csat", conv.channel)
    if csat is not None:  # once per ticket, however often it is solved
        schedule(s, conv, "csat", f"csat:{conv.ticket_id}", now + csat.wait)
    checkin = conf.job("checkin", conv.channel)
    if checkin is not None:
        schedule(s, conv, "checkin", f"checkin:{_iso(now)}", now + checkin.wait)


def claim_due(limit: int = 1000, claim_seconds: int = 120) -> list[int]:
    """Conversations with a due job, each due row claimed for ``claim_seconds`` and its
    conversation marked due (committed); two sweeps never claim the same row."""
    now = clock.now()
    unclaimed = (Automation.state == "pending", Automation.due_at <= now,
                 or_(Automation.claimed_until.is_(None), Automation.claimed_until < now))
    with db.session() as s:
        q = select(Automation.id).where(*unclaimed).order_by(Automation.due_at).limit(limit)
        if db.is_postgres(s):
            q = q.with_for_update(skip_locked=True)
        candidates = list(s.scalars(q))
        if not candidates:
            s.commit()
            return []
        # The claim re-checks its condition: on SQLite (no row locks) two sweeps may see
        # the same candidates, and only one UPDATE finds each row still unclaimed.
        claimed = s.scalars(
            update(Automation).where(Automation.id.in_(candidates), *unclaimed)
            .values(claimed_until=now + timedelta(seconds=claim_seconds))
            .returning(Automation.conversation_id)).all()
        conversations = sorted(set(claimed))  # one lock order for every sweep
        for conv_id in conversations:
            mark_due(s, conv_id)
        s.commit()
        return conversations


def _iso(t: datetime) -> str:
    """A fixed-width UTC instant for keys (``isoformat`` drops zero microseconds)."""
    return clock.aware(t).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
