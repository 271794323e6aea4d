"""Webhook acknowledgement throughput: ``/webhooks/meta`` against a bare Flask route.

Both run under the same gunicorn settings, one after the other in one run, loaded by
wrk with signed Messenger bodies that all carry distinct message ids (so every
request really stores a row and enqueues a task). The worker is not running: this
measures the request path only.

    python -m bench.webhook_ack [--seconds 10] [--database-url URL] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "bench-secret"
GUNICORN = ["--workers", "2", "--threads", "16"]


def body(i: int) -> bytes:
    msg = {"object": "page", "entry": [{"id": "1234567890", "time": 1459991487970, "messaging": [{
        "sender": {"id": f"user{i % 500}"}, "recipient": {"id": "1234567890"},
        "timestamp": 1459991487970 + i, "message": {"mid": f"bench-{i}", "text": f"Hello {i}"}}]}]}
    return json.dumps(msg, separators=(",", ":")).encode()


def lua_script(path: Path, count: int) -> None:
    """A wrk script cycling through ``count`` pre-signed bodies read from a data file.

    Every non-2xx answer is counted and fails the run: a benchmark that measures
    errors measures nothing.
    """
    data = path.with_suffix(".tsv")
    with data.open("w") as f:
        for i in range(count):
            raw = body(i)
            sig = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
            f.write(f"sha256={sig}\t{raw.decode()}\n")
    path.write_text(f"""
local sigs, bodies, n, count = {{}}, {{}}, 0, 0
init = function(args)
  for line in io.lines("{data}") do
    local tab = line:find("\\t")
    count = count + 1
    sigs[count] = line:sub(1, tab - 1)
    bodies[count] = line:sub(tab + 1)
  end
  n = math.random(count)
end
request = function()
  n = (n % count) + 1
  local h = {{["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[n]}}
  return wrk.format("POST", "/webhooks/meta", h, bodies[n])
end
""")


def serve(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", *GUNICORN, "--chdir", str(ROOT),
         app],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.post(f"http://127.0.0.1:{port}/webhooks/meta", data=b"{}", timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{app} did not start; see {log}")


def load(port: int, script: Path, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    return {"requests_per_s": rps,
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else -1.0,
            "non_2xx": float(bad.group(1)) if bad else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    ap.add_argument("--bodies", type=int, default=40000)
    args = ap.parse_args()
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
    script = work / "bodies.lua"
    lua_script(script, args.bodies)
    results: dict[str, dict[str, float]] = {}
    for name, app in (("bare_flask", "bench.bare_app:create_app()"),
                      ("bridge", "bridge.app:create_app()")):
        port = 18000 + len(results)
        proc = serve(app, port, env, work / f"{name}.log")
        try:
            load(port, script, 2)  # warm-up
            results[name] = load(port, script, args.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if any(r["non_2xx"] for r in results.values()):
        sys.exit(f"non-2xx answers during the run: {results}; logs in {work}")
    ratio = results["bridge"]["requests_per_s"] / results["bare_flask"]["requests_per_s"]
    report = {"gunicorn": " ".join(GUNICORN), "wrk": "-t2 -c16", "seconds": args.seconds,
              "database": env["DATABASE_URL"].split(":", 1)[0],
              "broker": "redis" if args.redis_url else "embedded sqlite",
              "results": results, "ratio": round(ratio, 3)}
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    tag = f"{report['database']}-{'redis' if args.redis_url else 'embedded'}"
    (out / f"webhook_ack-{tag}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
