"""SLA glue: the pure clocks of ``bridge.sla``, stored per conversation, fed by the
pipeline, swept by beat, and acted on by the conversation run loop.

- ``track`` feeds one event (customer message, delivered reply, status) in the caller's
  transaction and re-indexes ``next_due_at``: the only column the sweep reads.
- ``claim_due`` (beat) claims due conversations once (``SKIP LOCKED`` on PostgreSQL, a
  conditional claim everywhere), so two beats or workers never take the same one.
- ``escalate`` turns due steps into ``SlaAction`` rows (unique per clock run and step)
  and marks them done in the state, in one transaction: each step happens once.
- ``action_step`` carries an action out under the conversation lease with the usual
  retries: a helpdesk that fails retries the step; it is neither skipped nor doubled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bridge import clock, db
from bridge.attempts import IDLE, Step, attempt
from bridge.config import get_settings
from bridge.config_file import per_config_path
from bridge.context import Context
from bridge.db import insert_ignore
from bridge.domain import TicketActions
from bridge.errors import ConfigError, PermanentError, TransientError
from bridge.ingest import mark_due
from bridge.models import Conversation, SlaAction, SlaRecord
from bridge.retry_after import retry_after_seconds
from bridge.sla import clocks, due
from bridge.sla.policy import SlaPolicy
from bridge.sla.settings import SlaSettings, load_sla_settings
from bridge.sla.state_json import from_json, to_json

log = structlog.get_logger(__name__)
# The SLA policies of the current ``BRIDGE_CONFIG``, read again when the path changes.
sla_settings: Callable[[], SlaSettings] = per_config_path(load_sla_settings)


def track(s: Session, conv: Conversation, event: str, at: datetime,
          status: str | None = None, priority: str | None = None,
          tags: tuple[str, ...] = ()) -> None:
    """Feed ``event`` ("customer", "reply", "status", or "ticket": what a read of the
    ticket shows — status, and priority and tags that may choose another policy)."""
    conf = sla_settings()
    rec = s.get(SlaRecord, conv.id)
    if rec is None:
        # Chosen when the clocks start, on what the ticket has then: its channel and the
        # tags every bridge ticket carries (priority and other tags come from rules later).
        policy = conf.choose(conv.channel, None, ("social", conv.channel))
        if policy is None:
            return
        state = clocks.new_state(policy, conf.calendar_for(policy))
        rec = SlaRecord(conversation_id=conv.id, policy=policy.name, state="",
                        updated_at=clock.now())
        s.add(rec)
    else:
        found = conf.policy(rec.policy)
        if found is None:
            rec.next_due_at = None  # the policy left the configuration: nothing more to do
            return
        policy = found
        try:
            state = from_json(rec.state, conf.calendars)
        except ConfigError as exc:
            log.error("sla_state_unreadable", conversation_id=conv.id, error=str(exc))
            rec.next_due_at = None
            return
    if event == "ticket":
        chosen = conf.choose(conv.channel, priority, tags)
        if chosen is not None and chosen.name != policy.name:
            policy, state = chosen, _replay(state, chosen, conf, at)
            rec.policy = policy.name
        if status is not None and status != state.status:
            state = clocks.on_status(state, status, at)
    elif event == "customer":
        state = clocks.on_customer_message(state, at)
    elif event == "reply":
        state = clocks.on_agent_reply_delivered(state, at)
    elif event == "status" and status is not None and status != state.status:
        state = clocks.on_status(state, status, at)
    rec.state = to_json(state)
    rec.next_due_at = due.next_due(state, policy, conv.channel)
    rec.updated_at = clock.now()


def _replay(old: clocks.SlaState, policy: SlaPolicy, conf: SlaSettings,
            at: datetime) -> clocks.SlaState:
    """The conversation's milestones replayed under another policy's targets: the first
    customer message, the last delivered reply, the last unanswered message, the status.
    (Time spent paused before the change is not carried over.)"""
    state = clocks.new_state(policy, conf.calendar_for(policy))
    first = old.resolution.started_at if old.resolution else old.last_customer_at
    if first is not None:
        state = clocks.on_customer_message(state, first)
    if old.replied_at is not None:
        state = clocks.on_agent_reply_delivered(state, old.replied_at)
    if old.last_customer_at is not None and old.last_customer_at != first:
        state = clocks.on_customer_message(state, old.last_customer_at)
    if old.status != state.status:
        state = clocks.on_status(state, old.status, at)
    return state


def claim_due(limit: int = 1000, claim_seconds: int = 120) -> list[int]:
    """Conversations whose next step is due, claimed for ``claim_seconds``."""
    now = clock.now()
    with db.session() as s:
        q = (select(SlaRecord.conversation_id)
             .where(SlaRecord.next_due_at <= now)
             .where(or_(SlaRecord.claimed_until.is_(None), SlaRecord.claimed_until < now))
             .order_by(SlaRecord.next_due_at)
             .limit(limit))
        if db.is_postgres(s):
            q = q.with_for_update(skip_locked=True)
        candidates = list(s.scalars(q))
        if not candidates:
            s.commit()
            return []
        # The claim re-checks its condition: on SQLite (no row locks) two sweeps may see
        # the same candidates, and only one UPDATE finds each row still unclaimed.
        claimed = list(s.scalars(
            update(SlaRecord)
            .where(SlaRecord.conversation_id.in_(candidates))
            .where(or_(SlaRecord.claimed_until.is_(None), SlaRecord.claimed_until < now))
            .values(claimed_until=now + timedelta(seconds=claim_seconds))
            .returning(SlaRecord.conversation_id)))
        s.commit()
        return claimed


def escalate(conv_id: int) -> bool:
    """Queue the due steps of one claimed conversation; True when any were queued."""
    conf, now = sla_settings(), clock.now()
    with db.session() as s:
        rec, conv = s.get(SlaRecord, conv_id), s.get(Conversation, conv_id)
        if rec is None or conv is None:
            return False
        policy = conf.policy(rec.policy)
        if policy is None or conv.ticket_id is None:
            rec.claimed_until = None
            rec.next_due_at = None if policy is None else now + timedelta(minutes=1)
            s.commit()
            return False
        state = from_json(rec.state, conf.calendars)
        queued = False
        for step in due.due_steps(state, policy, conv.channel, now):
            _queue(s, conv, state, step, now)
            state = due.mark_done(state, step)
            queued = True
        rec.state = to_json(state)
        rec.next_due_at = due.next_due(state, policy, conv.channel)
        rec.claimed_until = None
        if queued:
            mark_due(s, conv_id)
        s.commit()
        return queued


def _queue(s: Session, conv: Conversation, state: clocks.SlaState, step: due.DueStep,
           now: datetime) -> None:
    assert conv.ticket_id is not None
    started = next((c.started_at for c in state.clocks if c.kind == step.clock),
                   state.last_customer_at)
    key = f"{step.clock}:{started.isoformat() if started else '-'}:{step.step.name}"
    actions: dict[str, object] = {
        "add_tags": list(step.step.add_tags), "priority": step.step.set_priority,
        "group_id": step.step.set_group, "note": due.note_for(step, conv.ticket_id, now, state),
    }
    field = sla_settings().breach_field
    if field and step.clock != due.WINDOW and step.step.at == 1.0:
        actions["custom_fields"] = [[field, step.deadline.isoformat(timespec="minutes")]]
    rows = [(key, actions)]
    if step.step.notify_url:
        text = (f"Ticket {conv.ticket_id}: {step.clock.replace('_', ' ')} step "
                f"{step.step.name} (deadline {step.deadline.isoformat(timespec='minutes')})")
        rows.append((f"{key}:notify", {"notify_url": step.step.notify_url, "text": text}))
    for step_key, body in rows:
        insert_ignore(s, SlaAction, {
            "conversation_id": conv.id, "ticket_id": conv.ticket_id, "step_key": step_key,
            "actions": json.dumps(body), "state": "pending", "attempts": 0, "created_at": now,
        }, ["conversation_id", "step_key"])


def action_step(ctx: Context) -> Step:
    """Carry out the next SLA action of the conversation (run loop step)."""
    s, now = ctx.session, clock.now()
    action = s.scalars(
        select(SlaAction)
        .where(SlaAction.conversation_id == ctx.conversation.id,
               SlaAction.state.in_(("pending", "sending")))
        .where(or_(SlaAction.next_attempt_at.is_(None), SlaAction.next_attempt_at <= now))
        .order_by(SlaAction.id).limit(1)).first()
    if action is None:
        return IDLE
    body = json.loads(action.actions)

    def act(_recovering: bool) -> str:
        if body.get("notify_url"):
            notify(body["notify_url"], body["text"])
        else:
            fields = tuple((str(k), v) for k, v in body.get("custom_fields") or ())
            ctx.helpdesk.apply_actions(action.ticket_id, TicketActions(
                custom_fields=fields,
                add_tags=tuple(body.get("add_tags") or ()), priority=body.get("priority"),
                group_id=body.get("group_id"), note=body.get("note")))
        return "done"

    return attempt(s, action, act, ctx.settings.BRIDGE_MAX_ATTEMPTS)


def notify(url: str, text: str) -> None:
    """POST ``{"text": ...}``: what Slack incoming webhooks and most chat tools accept."""
    try:
        resp = requests.post(url, json={"text": text}, timeout=get_settings().BRIDGE_HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise TransientError(f"notification to {url} failed: {exc}") from exc
    if resp.status_code == 429 or resp.status_code >= 500:
        raise TransientError(f"notification to {url}: HTTP {resp.status_code}",
                             retry_after_seconds(resp.headers.get("Retry-After")))
    if resp.status_code >= 400:
        raise PermanentError(f"notification to {url}: HTTP {resp.status_code} {resp.text[:200]}")
