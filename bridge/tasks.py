"""Thin Celery tasks around the pipeline. They take ids, never objects."""

from __future__ import annotations

import structlog

from bridge import db, escalation, pipeline, routing
from bridge.automation import schedule
from bridge.errors import BridgeError
from bridge.fields import cache as fields_cache
from bridge.worker import celery

log = structlog.get_logger(__name__)


@celery.task(name="bridge.tasks.run_conversation", acks_late=True, reject_on_worker_lost=True)
def run_conversation(conversation_id: int) -> None:
    """All due work of one conversation; schedules itself again when a retry is due."""
    delay = pipeline.run_conversation(conversation_id)
    if delay is not None:
        run_conversation.apply_async((conversation_id,), countdown=delay)


@celery.task(name="bridge.tasks.route", acks_late=True, reject_on_worker_lost=True)
def route(inbox_ids: list[int]) -> None:
    """Attach new inbox rows to their conversations, then run those conversations."""
    with db.session() as s:
        touched = routing.route(s, inbox_ids)
    enqueue(touched)


@celery.task(name="bridge.tasks.sweep")
def sweep() -> int:
    """Backstop for lost enqueues and dead workers: route stray rows, then enqueue every
    due, unclaimed conversation."""
    with db.session() as s:
        routing.route(s)
    ids = pipeline.due_conversations()
    for conv_id in ids:
        run_conversation.delay(conv_id)
    if ids:
        log.info("sweep_enqueued", count=len(ids))
    return len(ids)


@celery.task(name="bridge.tasks.sla_sweep")
def sla_sweep() -> int:
    """Claim conversations whose next SLA step is due; escalate them in chunks."""
    ids = escalation.claim_due()
    for start in range(0, len(ids), 100):
        sla_escalate.delay(ids[start:start + 100])
    return len(ids)


@celery.task(name="bridge.tasks.automation_sweep")
def automation_sweep() -> int:
    """Claim due automated jobs (each once) and run their conversations."""
    ids = schedule.claim_due()
    enqueue(ids)
    return len(ids)


@celery.task(name="bridge.tasks.refresh_ticket_fields")
def refresh_ticket_fields() -> int:
    """Read the helpdesk's ticket fields into the cache; a failure keeps the old ones
    (``bridge.fields.cache`` logs it and notes it for the admin page)."""
    with db.session() as s:
        try:
            return len(fields_cache.refresh(s).fields)
        except BridgeError as exc:  # no helpdesk configured, or never read and down now
            log.warning("ticket_fields_not_refreshed", error=str(exc))
            return 0


@celery.task(name="bridge.tasks.sla_escalate", acks_late=True, reject_on_worker_lost=True)
def sla_escalate(conversation_ids: list[int]) -> None:
    """Queue the due steps of claimed conversations, then run those conversations."""
    enqueue([conv_id for conv_id in conversation_ids if escalation.escalate(conv_id)])


def enqueue(conversation_ids: list[int]) -> None:
    """Called after a commit; a broker failure is logged, the sweep will catch up."""
    for conv_id in conversation_ids:
        try:
            run_conversation.delay(conv_id)
        except Exception as exc:  # noqa: BLE001 - the row is durable; never fail the webhook
            log.warning("enqueue_failed", conversation_id=conv_id, error=str(exc))
