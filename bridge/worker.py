"""Celery entry point: ``celery -A bridge.worker worker`` and ``celery -A bridge.worker beat``.

With ``REDIS_URL`` unset the broker is kombu's SQLAlchemy transport on a SQLite file
under ``./var/``: no server needed, good for one machine. Tasks are acked late and
requeued when a worker dies; the database is the source of truth either way, and
the sweep re-enqueues any conversation whose work is due and unclaimed.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from celery import Celery
from celery.signals import worker_init, worker_process_init

from bridge import db, logs
from bridge.config import VAR_DIR, get_settings
from bridge.fields.cache import REFRESH_SECONDS as FIELDS_REFRESH_SECONDS

log = structlog.get_logger(__name__)


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


@worker_init.connect
def _load_language_models(**_: Any) -> None:
    """Load the language models in the worker's main process, before its pool forks: the
    first message a pool process handles would otherwise wait seconds for them."""
    from bridge.rules.language import parse_languages, preload

    started = time.monotonic()
    languages = get_settings().BRIDGE_LANGUAGES
    preload(parse_languages(languages))
    log.info("language_models_loaded", languages=languages,
             seconds=round(time.monotonic() - started, 2))


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked pool process must not share the parent's database connections."""
    db.reset_engine(close=False)


logs.configure()
celery = make_celery()
app = celery
