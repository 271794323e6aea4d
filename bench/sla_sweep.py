"""One SLA sweep on PostgreSQL: 1,000 due conversations among 10,000 and 1,000,000 open.

The sweep is what beat runs every few seconds: select the due conversations by the
indexed ``next_due_at``, claim them (``SKIP LOCKED`` + a conditional UPDATE), and
enqueue their escalation in chunks. Its cost should follow the due items, not the open
ones.

    python -m bench.sla_sweep [--database-url URL] [--redis-url URL] [--sizes 10000,1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
DUE = 1000


def fill(url: str, open_count: int) -> None:
    """``open_count`` conversations with SLA state; ``DUE`` of them due now."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE sla_actions, sla_states, inbox, deliveries, ticket_notes, "
                          "helpdesk_events, conversations RESTART IDENTITY CASCADE"))
        conn.execute(text(
            "INSERT INTO conversations (channel, account_id, thread_id, customer_id, helpdesk,"
            " ticket_id, outbound_due, created_at) SELECT 'messenger', 'page', 'psid-' || g,"
            " 'psid-' || g, 'zendesk', g::text, false, now() FROM generate_series(1, :n) g"),
            {"n": open_count})
        conn.execute(text(
            "INSERT INTO sla_states (conversation_id, policy, state, next_due_at, updated_at)"
            " SELECT id, 'default', '{}', CASE WHEN id % (:n / :due) = 0"
            " THEN now() - interval '1 minute' ELSE now() + (id % 86400) * interval '1 second'"
            " + interval '1 hour' END, now() FROM conversations"),
            {"n": open_count, "due": DUE})
        conn.execute(text("ANALYZE sla_states"))
    engine.dispose()


def sweep_once(url: str) -> tuple[float, int]:
    os.environ["DATABASE_URL"] = url
    from bridge import config, db, tasks

    config.reset_settings()
    db.reset_engine()
    start = time.perf_counter()
    claimed = tasks.sla_sweep()  # claim and enqueue, as beat runs it
    return time.perf_counter() - start, claimed


def reset_claims(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE sla_states SET claimed_until = NULL "
                          "WHERE claimed_until IS NOT NULL"))
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ["REDIS_URL"] = args.redis_url
    from tests.conftest import drop_postgres_database, migrate, postgres_database

    os.environ["BRIDGE_TEST_POSTGRES_URL"] = args.database_url
    url = postgres_database()
    results: dict[str, dict[str, float]] = {}
    try:
        migrate(url)
        for size in (int(x) for x in args.sizes.split(",")):
            fill(url, size)
            runs = []
            for _ in range(args.repeat):
                reset_claims(url)
                seconds, claimed = sweep_once(url)
                assert claimed == DUE, f"claimed {claimed}, expected {DUE}"
                runs.append(seconds)
            results[str(size)] = {"open": size, "due": DUE, "median_s": statistics.median(runs),
                                  "max_s": max(runs)}
            print(f"{size:>9} open, {DUE} due: median {statistics.median(runs) * 1000:.1f} ms, "
                  f"max {max(runs) * 1000:.1f} ms")
    finally:
        drop_postgres_database(url)
    sizes = sorted(results, key=int)
    ratio = results[sizes[-1]]["median_s"] / results[sizes[0]]["median_s"]
    report = {"results": results, "ratio_largest_to_smallest": round(ratio, 2)}
    print(json.dumps(report, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sla_sweep.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
