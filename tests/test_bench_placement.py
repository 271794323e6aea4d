"""``bench.webhook_ack --isolate``: finding the local servers behind a URL by the port they
listen on, with their children and threads, and moving them to other cores only meanwhile."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from bench.webhook_ack import infrastructure_on, listeners, threads_of, with_children

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.fixture
def server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A child process listening on a free port, which has a child and a second thread."""
    code = (
        "import socket, subprocess, sys, threading, time\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "print(s.getsockname()[1], child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    port, _child = map(int, proc.stdout.readline().split())
    yield proc, port
    for pid in with_children({proc.pid}) - {proc.pid}:
        os.kill(pid, 9)
    proc.kill()
    proc.wait()


def test_the_listener_of_a_port_is_found(server: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, port = server
    assert listeners(port) == {proc.pid}
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        assert listeners(unused.getsockname()[1]) == set()  # bound, not listening


def test_children_and_threads_come_along(server: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, _ = server
    family = with_children({proc.pid})
    assert proc.pid in family and len(family) == 2
    assert len(threads_of({proc.pid})) == 2
    assert threads_of({os.getpid()}) >= {threading.get_native_id()}


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_servers_move_meanwhile_and_come_back(
        server: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, port = server
    family = threads_of(with_children({proc.pid}))
    before = {pid: os.sched_getaffinity(pid) for pid in family}
    target = {max(os.sched_getaffinity(0))}
    with infrastructure_on([f"redis://127.0.0.1:{port}/0", "sqlite:///ignored.db"], target):
        assert {pid: os.sched_getaffinity(pid) for pid in family} == dict.fromkeys(family, target)
    assert {pid: os.sched_getaffinity(pid) for pid in family} == before
