"""Thin Celery tasks around the pipeline. They take ids, never objects."""

from __future__ import annotations

import structlog

from bridge import db, pipeline, routing
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


def enqueue(conversation_ids: list[int]) -> None:
    """Called after a commit; a broker failure is logged, the sweep will catch up."""
    for conv_id in conversation_ids:
        try:
            run_conversation.delay(conv_id)
        except Exception as exc:  # noqa: BLE001 - the row is durable; never fail the webhook
            log.warning("enqueue_failed", conversation_id=conv_id, error=str(exc))
