"""Group commit for the webhook hot path: concurrent requests of one process share
one multi-row INSERT (one round trip, one commit, one WAL flush).

Each request still waits until the statement holding its rows has committed, so
"durable before we answer" holds; under load the database does a fraction of the
work. No extra thread: the first waiting request flushes for everyone queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

Row = tuple[Any, ...]
Key = tuple[Any, ...]
# Inserts rows, returns {key: new id} for the rows that were new.
Flush = Callable[[list[Row]], dict[Key, int]]


class GroupCommitter:
    def __init__(self, flush: Flush, key: Callable[[Row], Key]) -> None:
        self._flush = flush
        self._key = key
        self._cond = threading.Condition()
        self._queue: list[tuple[Sequence[Row], Future[list[int]]]] = []
        self._flushing = False

    def store(self, rows: Sequence[Row]) -> list[int]:
        """Insert ``rows``; return the ids of those that were new. Raises what the
        database raised."""
        mine: Future[list[int]] = Future()
        with self._cond:
            self._queue.append((rows, mine))
            while not mine.done() and self._flushing:
                self._cond.wait()
            if mine.done():
                return mine.result()
            self._flushing = True
            batch, self._queue = self._queue, []
        try:
            self._run(batch)
        finally:
            with self._cond:
                self._flushing = False
                self._cond.notify_all()
        return mine.result()

    def _run(self, batch: list[tuple[Sequence[Row], Future[list[int]]]]) -> None:
        rows = [row for request_rows, _ in batch for row in request_rows]
        try:
            new_ids = self._flush(rows)
        except BaseException as exc:  # noqa: BLE001 - handed to every waiting request
            for _, fut in batch:
                fut.set_exception(exc)
            return
        for request_rows, fut in batch:
            fut.set_result([new_ids[k] for k in map(self._key, request_rows) if k in new_ids])
