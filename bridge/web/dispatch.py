"""Hand stored ids to the workers without paying a broker round trip per request.

Each web process keeps one background thread that coalesces the ids of many
requests and publishes them as one ``route`` task every few milliseconds. The rows
are already committed when an id arrives here, so a process that dies with ids
still in memory loses nothing: the beat sweep routes any unrouted row.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class Batcher:
    def __init__(self, publish: Callable[[list[int]], None], max_delay: float = 0.02,
                 max_batch: int = 500) -> None:
        self._publish = publish
        self._max_delay = max_delay
        self._max_batch = max_batch
        self._ids: list[int] = []
        self._cond = threading.Condition()
        self._pid = 0

    def add(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._cond:
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._pid = os.getpid()
                self._ids = []
                threading.Thread(target=self._run, name="id-batcher", daemon=True).start()
            was_empty = not self._ids
            self._ids.extend(ids)
            if was_empty:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._ids:
                    self._cond.wait()
            time.sleep(self._max_delay)  # let the ids of more requests gather
            with self._cond:
                batch, self._ids = self._ids[: self._max_batch], self._ids[self._max_batch :]
            try:
                self._publish(batch)
            except Exception as exc:  # noqa: BLE001 - rows are durable; the sweep catches up
                log.warning("publish_failed", count=len(batch), error=str(exc))


class RoutePublisher:
    """Publishes ``route(ids)`` on one long-lived producer (no pool round trip per batch)."""

    def __init__(self) -> None:
        self._producer: Any = None

    def __call__(self, ids: list[int]) -> None:
        from bridge.tasks import route
        from bridge.worker import celery

        if self._producer is None:
            self._producer = celery.producer_pool.acquire(block=True)
        try:
            route.apply_async((ids,), producer=self._producer)
        except Exception:
            self._producer.release()
            self._producer = None
            raise


# At most ten publishes a second per web process; the beat sweep is the backstop.
inbox = Batcher(RoutePublisher(), max_delay=0.1)
