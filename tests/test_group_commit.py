"""The webhook hot path's group committer, under real threads.

Every request must get back exactly the ids of its own new rows, only after the
statement holding them ran; a failed statement fails every request it carried, and
the next one works; no more statements run at once than there are lanes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bridge.group_commit import GroupCommitter, Key, Row


class FakeTable:
    """A unique-keyed table: ``flush`` inserts new keys and returns their ids."""

    def __init__(self, delay: float = 0.002, fail_when: Callable[[list[Row]], bool] | None = None
                 ) -> None:
        self.rows: dict[str, int] = {}
        self.statements: list[list[Row]] = []
        self.lanes_in_use: set[int] = set()
        self.most_at_once = 0
        self.delay = delay
        self.fail_when = fail_when
        self._lock = threading.Lock()

    def flush(self, lane: int, rows: list[Row]) -> dict[Key, int]:
        with self._lock:
            assert lane not in self.lanes_in_use, "two statements on one lane's connection"
            self.lanes_in_use.add(lane)
            self.most_at_once = max(self.most_at_once, len(self.lanes_in_use))
        try:
            time.sleep(self.delay)  # the round trip and commit
            with self._lock:
                self.statements.append(rows)
                if self.fail_when and self.fail_when(rows):
                    raise RuntimeError("database is down")
                new = {}
                for row in rows:
                    if row[0] not in self.rows:
                        self.rows[row[0]] = new[(row[0],)] = len(self.rows) + 1
                return new
        finally:
            with self._lock:
                self.lanes_in_use.discard(lane)


def committer(table: FakeTable, lanes: int = 1, gather: float = 0.0,
              busy_window: float = 0.005) -> GroupCommitter:
    return GroupCommitter(table.flush, key=lambda row: (row[0],), lanes=lanes, gather=gather,
                          busy_window=busy_window)


def run_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a request never woke up"
    assert not errors, errors


@pytest.mark.parametrize(("lanes", "gather"), [(1, 0.0), (2, 0.0), (2, 0.0005), (3, 0.001)])
def test_every_request_gets_its_own_new_ids_and_statements_are_shared(lanes: int,
                                                                      gather: float) -> None:
    table = FakeTable()
    gc = committer(table, lanes, gather)
    got: dict[int, list[int]] = {}

    def request(i: int) -> None:
        # Two rows per request; the second of every other request repeats a key that
        # another request also sends, as a platform retrying a webhook would.
        rows = [(f"m{i}",), (f"dup{i // 2}",)]
        got[i] = gc.store(rows)

    run_threads(64, request)
    assert len(table.rows) == 64 + 32
    # Each request's own key was new, so its id came back to it and to no one else.
    own = {table.rows[f"m{i}"] for i in range(64)}
    for i, ids in got.items():
        assert table.rows[f"m{i}"] in ids
        assert len(set(ids) & own) == 1
    # A duplicated key's id went only to requests that sent that key: to both when
    # their copies shared the inserting statement, else to the first alone.
    for pair in range(32):
        dup_id = table.rows[f"dup{pair}"]
        holders = {i for i, ids in got.items() if dup_id in ids}
        assert holders and holders <= {2 * pair, 2 * pair + 1}
    assert len(table.statements) < 64, "no statement was shared"
    assert table.most_at_once <= lanes


def test_a_repeated_key_returns_no_id_the_second_time() -> None:
    table = FakeTable(delay=0)
    gc = committer(table)
    assert gc.store([("a",), ("b",)]) == [1, 2]
    assert gc.store([("a",), ("c",)]) == [3]


def test_a_failed_statement_fails_every_request_it_carried_and_the_next_works() -> None:
    failing = {"on": True}
    table = FakeTable(delay=0.01, fail_when=lambda rows: failing["on"])
    gc = committer(table, lanes=1)
    outcomes: dict[int, str] = {}

    def request(i: int) -> None:
        try:
            gc.store([(f"k{i}",)])
            outcomes[i] = "stored"
        except RuntimeError as exc:
            outcomes[i] = str(exc)

    run_threads(16, request)
    assert set(outcomes.values()) == {"database is down"}
    assert not table.rows
    failing["on"] = False
    assert gc.store([("after",)]) == [1]


def test_one_request_at_a_time_never_waits_to_gather() -> None:
    """A lone request, or a process serving requests one after another (a thread per
    worker), has no company to wait for."""
    table = FakeTable(delay=0)
    gc = committer(table, gather=0.2, busy_window=60.0)
    started = time.monotonic()
    for i in range(5):
        gc.store([(f"k{i}",)])
    assert time.monotonic() - started < 0.2
    assert [len(rows) for rows in table.statements] == [1] * 5


def test_a_busy_process_gathers_concurrent_requests_into_one_statement() -> None:
    table = FakeTable(delay=0.02)
    gc = committer(table, lanes=1, gather=0.05, busy_window=5.0)

    def burst(tag: str) -> None:
        barrier = threading.Barrier(8)

        def request(i: int) -> None:
            barrier.wait()
            gc.store([(f"{tag}{i}",)])

        run_threads(8, request)

    burst("first")  # a statement carries several: the process is busy
    assert max(len(rows) for rows in table.statements) > 1
    before = len(table.statements)
    burst("second")
    # The first leader of the second burst waited for the others: one statement for all
    # eight (without the wait it would have flushed alone, and the seven behind it next).
    assert [len(rows) for rows in table.statements[before:]] == [8]
    assert len(table.rows) == 16
