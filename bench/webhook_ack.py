"""Webhook acknowledgement throughput: ``/webhooks/meta`` against a bare Flask route.

Both run under the same gunicorn settings in one run, loaded by wrk with signed
Messenger bodies that all carry message ids new to the database (a token per run,
so every request really stores a row and enqueues a task, also on a reused
PostgreSQL). The worker is not running: this measures the request path only.

Two cores shared with wrk and the database make single measurements drift by a
third from one minute to the next, so the two servers are loaded in alternation,
``--rounds`` times each, and the report gives every round's ratio and the median.

    python -m bench.webhook_ack [--seconds 10] [--rounds 3] [--database-url URL] [--redis-url URL]
                                [--isolate] [--floor]

``--isolate`` gives the web servers a core of their own, as on a production web host whose
database is elsewhere: both gunicorns on the first core; wrk and the local PostgreSQL and
Redis servers (found by the port they listen on, with every process they have started) on
the others, their affinity restored at the end. Without it everything shares every core,
and the bridge's database takes its CPU from the same cores as the servers under test.

``--floor`` adds a third server to the alternation, ``bench.floor_app``: a handler that
checks the signature, reads the JSON and commits the rows through the same grouped INSERT,
nothing else. Its ratio is the most any durable handler can reach on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "bench-secret"
GUNICORN = ["--workers", "2", "--threads", "16"]


def body(i: int, run: str = "bench") -> bytes:
    msg = {"object": "page", "entry": [{"id": "1234567890", "time": 1459991487970, "messaging": [{
        "sender": {"id": f"user{i % 500}"}, "recipient": {"id": "1234567890"},
        "timestamp": 1459991487970 + i, "message": {"mid": f"{run}-{i}", "text": f"Hello {i}"}}]}]}
    return json.dumps(msg, separators=(",", ":")).encode()


def lua_script(path: Path, count: int, run: str = "bench") -> None:
    """A wrk script sending ``count`` pre-signed bodies read from a data file; wrk's two
    threads take disjoint halves, so no message id is sent twice in one script.

    Every non-2xx answer is counted and fails the run: a benchmark that measures
    errors measures nothing.
    """
    data = path.with_suffix(".tsv")
    with data.open("w") as f:
        for i in range(count):
            raw = body(i, run)
            sig = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
            f.write(f"sha256={sig}\t{raw.decode()}\n")
    path.write_text(f"""
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local sigs, bodies, n, count = {{}}, {{}}, 0, 0
init = function(args)
  for line in io.lines("{data}") do
    local tab = line:find("\\t")
    count = count + 1
    sigs[count] = line:sub(1, tab - 1)
    bodies[count] = line:sub(tab + 1)
  end
  n = tid * math.floor(count / 2)
end
request = function()
  n = (n % count) + 1
  local h = {{["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[n]}}
  return wrk.format("POST", "/webhooks/meta", h, bodies[n])
end
""")


def on_cpus(cpus: set[int] | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` that confines the child (and what it forks) to ``cpus``."""
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def listeners(port: int) -> set[int]:
    """Pids of the local processes listening on TCP ``port`` (from /proc, no tool needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()):
                pids.add(int(proc.name))
        except OSError:
            continue
    return pids


def with_children(pids: set[int]) -> set[int]:
    """``pids`` and their children (PostgreSQL's backends and background processes)."""
    found = set(pids)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in pids:
                found.add(int(proc.name))
    return found


def threads_of(pids: set[int]) -> set[int]:
    """Every thread of ``pids`` (affinity is a thread's, and Redis has several)."""
    found: set[int] = set()
    for pid in pids:
        try:
            found.update(int(t.name) for t in Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue
    return found


def local_port(url: str) -> int | None:
    """The port of a server on this machine behind ``url``; None for a remote one or a file."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    return parts.port or {"postgresql": 5432, "redis": 6379}.get(parts.scheme.split("+")[0])


@contextmanager
def infrastructure_on(urls: list[str], cpus: set[int]) -> Iterator[None]:
    """Move the local servers behind ``urls`` (and their children) to ``cpus`` meanwhile."""
    ports = {port for port in map(local_port, urls) if port is not None}
    pids = threads_of(with_children({pid for port in ports for pid in listeners(port)}))
    before = {}
    try:
        for pid in pids:
            try:
                before[pid] = os.sched_getaffinity(pid)
                os.sched_setaffinity(pid, cpus)
            except ProcessLookupError:
                continue
            except PermissionError:
                sys.exit(f"--isolate: not allowed to move process {pid} (run as its owner or root)")
        yield
    finally:
        for pid, mask in before.items():
            try:
                os.sched_setaffinity(pid, mask)
            except OSError:
                continue


def serve(app: str, port: int, env: dict[str, str], log: Path,
          cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN, "--chdir", str(ROOT),
         app],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=on_cpus(cpus))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.post(f"http://127.0.0.1:{port}/webhooks/meta", data=b"{}", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{app} did not start; see {log}")


def load(port: int, script: Path, seconds: int,
         cpus: set[int] | None = None) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True,
                         preexec_fn=on_cpus(cpus))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    return {"requests_per_s": rps,
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else -1.0,
            "non_2xx": float(bad.group(1)) if bad else 0.0}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


APPS = {"bare_flask": "bench.bare_app:create_app()", "bridge": "bridge.app:create_app()"}
FLOOR = {"durable_floor": "bench.floor_app:create_app()"}


def run_rounds(env: dict[str, str], work: Path, scripts: dict[str, Path], count: int,
               seconds: int, cpus: tuple[set[int] | None, set[int] | None] = (None, None),
               apps: dict[str, str] = APPS) -> dict[str, list[dict[str, float]]]:
    """Every server up, loaded in turn ``count`` times; every round's figures.
    ``cpus``: where the servers run, and where wrk does (None: anywhere)."""
    server_cpus, load_cpus = cpus
    procs = {name: serve(app, 18000 + i, env, work / f"{name}.log", server_cpus)
             for i, (name, app) in enumerate(apps.items())}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
    try:
        for i, name in enumerate(apps):
            load(18000 + i, scripts["warm"] if name != "bare_flask" else scripts["0"], 2,
                 load_cpus)
        for r in range(count):
            # Alternate the order, so a drift in the machine's speed hits every server.
            order = list(enumerate(apps)) if r % 2 == 0 else list(enumerate(apps))[::-1]
            for i, name in order:
                rounds[name].append(load(18000 + i, scripts[str(r)], seconds, load_cpus))
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=30)
    return rounds


def round_ratios(rounds: dict[str, list[dict[str, float]]], name: str) -> list[float]:
    """``name``'s throughput over the bare route's, round by round."""
    return [b["requests_per_s"] / a["requests_per_s"]
            for a, b in zip(rounds["bare_flask"], rounds[name], strict=True)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    ap.add_argument("--bodies", type=int, default=100000, help="per script (never repeated)")
    ap.add_argument("--workers", default=GUNICORN[1])
    ap.add_argument("--threads", default=GUNICORN[3])
    ap.add_argument("--isolate", action="store_true",
                    help="servers on the first core; wrk and the local database and broker on "
                         "the others")
    ap.add_argument("--floor", action="store_true",
                    help="also load bench.floor_app, a handler that does only what durability "
                         "needs, in the same alternation")
    args = ap.parse_args()
    GUNICORN[1], GUNICORN[3] = args.workers, args.threads
    placement: tuple[set[int] | None, set[int] | None] = (None, None)
    if args.isolate:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            sys.exit("--isolate needs two cores at least")
        placement = ({cpus[0]}, set(cpus[1:]))
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-ack-"))
    env = {**os.environ, "BRIDGE_VAR_DIR": str(work / "var"), "META_APP_SECRET": SECRET,
           "BRIDGE_LOG_LEVEL": "WARNING", "PATH": f"{BIN}:{os.environ['PATH']}"}
    env["DATABASE_URL"] = args.database_url or f"sqlite:///{work}/var/bridge.sqlite3"
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    subprocess.run([str(BIN / "bridge"), "db", "upgrade"], env=env, check=True,
                   capture_output=True, cwd=work)
    token = secrets.token_hex(4)
    scripts = {}
    for label in ("warm", *(str(i) for i in range(args.rounds))):
        scripts[label] = work / f"bodies-{label}.lua"
        lua_script(scripts[label], args.bodies, f"bench-{token}-{label}")
    others = placement[1]
    placed = (infrastructure_on([env["DATABASE_URL"], args.redis_url], others)
              if others is not None else nullcontext())
    with placed:
        rounds = run_rounds(env, work, scripts, args.rounds, args.seconds, placement,
                            {**APPS, **FLOOR} if args.floor else APPS)
    if any(x["non_2xx"] for runs in rounds.values() for x in runs):
        sys.exit(f"non-2xx answers during the run: {rounds}; logs in {work}")
    ratios = round_ratios(rounds, "bridge")
    results = {name: {"requests_per_s": median([x["requests_per_s"] for x in runs]),
                      "p99_ms": median([x["p99_ms"] for x in runs]),
                      "rounds_requests_per_s": [x["requests_per_s"] for x in runs]}
               for name, runs in rounds.items()}
    report = {"gunicorn": " ".join(GUNICORN), "wrk": "-t2 -c16", "seconds": args.seconds,
              "isolated": args.isolate,
              "rounds": args.rounds, "database": env["DATABASE_URL"].split(":", 1)[0],
              "broker": "redis" if args.redis_url else "embedded sqlite",
              "results": results, "round_ratios": [round(x, 3) for x in ratios],
              "ratio": round(median(ratios), 3)}
    if args.floor:
        floor = round_ratios(rounds, "durable_floor")
        report["floor_round_ratios"] = [round(x, 3) for x in floor]
        report["floor_ratio"] = round(median(floor), 3)
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    tag = (f"{report['database']}-{'redis' if args.redis_url else 'embedded'}"
           f"{'-isolated' if args.isolate else ''}{'-floor' if args.floor else ''}")
    (out / f"webhook_ack-{tag}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
