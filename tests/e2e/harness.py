"""Start the real processes of the Procfile (gunicorn web, Celery worker and beat) for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], T], timeout: float = 30.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (requests.RequestException, AssertionError, KeyError, IndexError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


class Processes:
    """The bridge's processes with one environment; logs go to files under ``logdir``."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = {**os.environ, **env, "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
                    "PYTHONUNBUFFERED": "1"}
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.logdir / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=self.logdir, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def web(self, workers: int = 2) -> None:
        self.start("web", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
                           "--workers", str(workers), "--chdir", str(ROOT),
                           "bridge.app:create_app()"])
        wait_for(lambda: requests.get(f"{self.url}/healthz", timeout=1).ok, 30, "web")

    def worker(self, name: str = "worker", concurrency: int = 2) -> subprocess.Popen[bytes]:
        return self.start(name, [str(BIN / "celery"), "-A", "bridge.worker", "worker",
                                 "--loglevel", "INFO", "--concurrency", str(concurrency),
                                 "-Q", "bridge", "-n", f"{name}-{self.port}@%h"])

    def beat(self) -> None:
        self.start("beat", [str(BIN / "celery"), "-A", "bridge.worker", "beat",
                            "--loglevel", "INFO", "--schedule",
                            str(self.logdir / "celerybeat-schedule")])

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "bridge"), *args], env=self.env, cwd=self.logdir,
                              capture_output=True, text=True, timeout=60, check=False)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL what is still there after 15 s."""
        procs, self.procs = self.procs, {}
        for proc in procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            try:  # the group too: pool children may outlive their parent
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=15)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.logdir.glob("*.log")))
