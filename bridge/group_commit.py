"""Group commit for the webhook hot path: concurrent requests of one process share
one multi-row INSERT (one round trip, one commit, one WAL flush).

Each request still waits until the statement holding its rows has committed, so
"durable before we answer" holds; under load the database does a fraction of the
work. No extra thread: a waiting request flushes for everyone queued.

Up to ``lanes`` statements run at once, each on its own connection: while one waits
for the disk to confirm its commit, the requests that arrived meanwhile are already
on their way in the next. With a single lane the process would idle through every
commit's fsync, its requests all parked behind the same statement.

Under load a leader first waits ``gather`` seconds (half a millisecond) for the
requests already being parsed: measured on two cores, a statement then carries four
rows instead of 1.3, a third of the transactions and round trips. It waits only when
there is company to wait for: another request storing right now, or a last statement
that carried several and ended within ``busy_window``. A lone request, or a process
serving one request at a time, goes straight in.

Every waiter is woken once, by the flush that carried its rows or to lead the next
one (no ``notify_all`` herd).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

Row = tuple[Any, ...]
Key = tuple[Any, ...]
# Inserts rows on the given lane, returns {key: new id} for the rows that were new.
Flush = Callable[[int, list[Row]], dict[Key, int]]


class _Waiter:
    __slots__ = ("batch", "error", "ids", "lane", "rows", "signal")

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows
        self.signal = threading.Lock()
        self.signal.acquire()  # released once: result ready, or a lane handed over
        self.ids: list[int] | None = None
        self.error: BaseException | None = None
        self.lane = -1
        self.batch: list[_Waiter] = []  # set when this waiter leads a flush


class GroupCommitter:
    def __init__(self, flush: Flush, key: Callable[[Row], Key], lanes: int = 1,
                 gather: float = 0.0, busy_window: float = 0.005) -> None:
        self._flush = flush
        self._key = key
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._free = list(range(lanes))
        self._gather = gather
        self._busy_window = busy_window
        self._active = 0  # store() calls in progress
        self._shared_until = 0.0  # a statement carried several requests until about then

    def store(self, rows: Sequence[Row]) -> list[int]:
        """Insert ``rows``; return the ids of those that were new. Raises what the
        database raised."""
        me = _Waiter(rows)
        with self._lock:
            self._active += 1
            self._queue.append(me)
            if self._free:
                self._appoint(me, self._free.pop())
        try:
            if not me.batch:
                me.signal.acquire()  # woken with our result, or appointed to lead
            if me.batch:
                self._lead(me)
        finally:
            with self._lock:
                self._active -= 1
        if me.error is not None:
            raise me.error
        assert me.ids is not None
        return me.ids

    def _appoint(self, leader: _Waiter, lane: int) -> None:
        """Give ``leader`` the lane and everything queued (called under the lock)."""
        leader.lane, leader.batch, self._queue = lane, self._queue, []

    def _lead(self, me: _Waiter) -> None:
        """Flush ``me.batch`` on ``me.lane``, then pass the lane to the next waiter (or
        free it), and wake the batch."""
        if self._gather and (self._active > 1 or time.monotonic() < self._shared_until):
            time.sleep(self._gather)  # let the requests being parsed join this statement
            with self._lock:
                me.batch += self._queue
                self._queue = []
        batch = me.batch
        if len(batch) > 1:
            self._shared_until = time.monotonic() + self._busy_window
        rows = [row for waiter in batch for row in waiter.rows]
        try:
            new_ids = self._flush(me.lane, rows)
        except BaseException as exc:  # noqa: BLE001 - handed to every waiting request
            for waiter in batch:
                waiter.error = exc
        else:
            for waiter in batch:
                waiter.ids = [new_ids[k] for k in map(self._key, waiter.rows) if k in new_ids]
        successor = None
        with self._lock:
            if self._queue:
                successor = self._queue[0]
                self._appoint(successor, me.lane)
            else:
                self._free.append(me.lane)
        me.batch = []
        if successor is not None:
            successor.signal.release()
        for waiter in batch:
            if waiter is not me:
                waiter.signal.release()
