"""Celery entry point: ``celery -A bridge.worker worker`` and ``celery -A bridge.worker beat``.

With ``REDIS_URL`` unset the broker is kombu's SQLAlchemy transport on a SQLite file
under ``./var/``: no server needed, good for one machine. Tasks are acked late and
requeued when a worker dies; the database is the source of truth either way, and
the sweep re-enqueues any conversation whose work is due and unclaimed.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from bridge import db, logs
from bridge.config import VAR_DIR, get_settings
from bridge.fields.cache import REFRESH_SECONDS as FIELDS_REFRESH_SECONDS


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("bridge", broker=settings.broker_url, include=["bridge.tasks"])
    if not settings.REDIS_URL:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue="bridge",
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings.REDIS_URL),
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0,
                                   "interval_step": 0.2, "interval_max": 0.5},
        beat_schedule={
            "sweep-due-conversations": {
                "task": "bridge.tasks.sweep",
                "schedule": settings.BRIDGE_SWEEP_SECONDS,
            },
            "sla-sweep": {
                "task": "bridge.tasks.sla_sweep",
                "schedule": settings.BRIDGE_SLA_SWEEP_SECONDS,
            },
            "automation-sweep": {  # same pace: both are minute-precise scheduled jobs
                "task": "bridge.tasks.automation_sweep",
                "schedule": settings.BRIDGE_SLA_SWEEP_SECONDS,
            },
            "refresh-ticket-fields": {  # the cache's TTL: validation sees fresh fields
                "task": "bridge.tasks.refresh_ticket_fields",
                "schedule": FIELDS_REFRESH_SECONDS,
            },
        },
        beat_schedule_filename=str(VAR_DIR / "celerybeat-schedule"),
        worker_hijack_root_logger=False,
    )
    return app


def _transport_options(redis_url: str) -> dict[str, Any]:
    """Redis: redeliver unacked tasks after 15 min (our own sweep is much faster).

    kombu's SQLAlchemy transport hands its options to ``create_engine``: only a
    SQLite busy timeout belongs there.
    """
    if redis_url:
        return {"visibility_timeout": 900}
    return {"connect_args": {"timeout": 30}}


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked pool process must not share the parent's database connections."""
    db.reset_engine(close=False)


logs.configure()
celery = make_celery()
app = celery
