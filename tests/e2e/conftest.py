"""A whole bridge: emulators in this process, the Procfile's processes as subprocesses."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from emulators.graph import GraphEmulator
from emulators.zendesk import ZendeskEmulator
from tests.conftest import drop_postgres_database, migrate, postgres_database
from tests.e2e.harness import Processes

PAGE = "1234567890"
APP_SECRET = "e2e-app-secret"
VERIFY_TOKEN = "e2e-verify"


@dataclass
class Bridge:
    procs: Processes
    zendesk: ZendeskEmulator
    graph: GraphEmulator

    def customer_writes(self, psid: str, mid: str, text: str,
                        at_ms: int | None = None) -> requests.Response:
        """Meta delivers a Messenger message, signed like Meta signs it."""
        at_ms = at_ms or int(time.time() * 1000)
        payload: dict[str, Any] = {"object": "page", "entry": [{
            "id": PAGE, "time": at_ms, "messaging": [{
                "sender": {"id": psid}, "recipient": {"id": PAGE},
                "timestamp": at_ms,
                "message": {"mid": mid, "text": text}}]}]}
        body = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return requests.post(f"{self.procs.url}/webhooks/meta", data=body, timeout=10,
                             headers={"X-Hub-Signature-256": sig,
                                      "Content-Type": "application/json"})

    def tickets(self) -> list[dict[str, Any]]:
        with self.zendesk.state.lock:
            return [dict(t) for t in self.zendesk.state.tickets.values()]

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.zendesk.state.lock:
            return list(self.zendesk.state.comments.get(ticket_id, []))

    def sent_texts(self) -> list[str]:
        with self.graph.state.lock:
            return [str(m["text"]) for m in self.graph.state.sent]

    def sent(self) -> list[dict[str, Any]]:
        """Everything the Graph Send API accepted, with ``messaging_type``, ``tag``..."""
        with self.graph.state.lock:
            return [dict(m) for m in self.graph.state.sent]


def start_bridge(tmp_path: Path, extra_env: dict[str, str]) -> Iterator[Bridge]:
    zendesk = ZendeskEmulator(email="agent@example.com", token="zd-token")
    graph = GraphEmulator(page_id=PAGE, access_token="page-token")
    zurl, gurl = zendesk.start(), graph.start()
    env = {
        "BRIDGE_HELPDESK": "zendesk", "ZENDESK_SUBDOMAIN": "emu", "ZENDESK_BASE_URL": zurl,
        "ZENDESK_EMAIL": "agent@example.com", "ZENDESK_API_TOKEN": "zd-token",
        "META_APP_SECRET": APP_SECRET, "META_VERIFY_TOKEN": VERIFY_TOKEN, "META_PAGE_ID": PAGE,
        "META_PAGE_ACCESS_TOKEN": "page-token", "META_GRAPH_BASE_URL": gurl,
        "BRIDGE_SWEEP_SECONDS": "1", "BRIDGE_LEASE_SECONDS": "4",
        "BRIDGE_VAR_DIR": str(tmp_path / "var"), **extra_env,
    }
    procs = Processes(env, tmp_path)
    try:
        assert procs.cli("db", "upgrade").returncode == 0
        procs.web()
        procs.worker()
        procs.beat()
        yield Bridge(procs, zendesk, graph)
    except BaseException:
        print(procs.logs())
        raise
    finally:
        procs.stop()
        zendesk.stop()
        graph.stop()


@pytest.fixture
def production_bridge(tmp_path: Path, redis_url: str) -> Iterator[Bridge]:
    """PostgreSQL and Redis, as in production."""
    redis.Redis.from_url(redis_url).flushdb()
    url = postgres_database()
    migrate(url)
    try:
        yield from start_bridge(tmp_path, {"DATABASE_URL": url, "REDIS_URL": redis_url})
    finally:
        drop_postgres_database(url)


@pytest.fixture
def automation_config() -> str:
    """The TOML text of ``configured_bridge``; a test overrides this fixture to change it."""
    return ""


@pytest.fixture
def configured_bridge(tmp_path: Path, redis_url: str, automation_config: str) -> Iterator[Bridge]:
    """PostgreSQL and Redis with ``BRIDGE_CONFIG`` (written in tmp_path) and 1 s sweeps, for
    SLA and automation timings of a few seconds.

    It uses the next Redis database number: the other e2e fixtures flush and consume the
    test database, and a run of them in parallel must not take these timed tasks.
    """
    base, _, number = redis_url.rpartition("/")
    redis_url = f"{base}/{(int(number) + 1) % 16 if number.isdigit() else 1}"
    redis.Redis.from_url(redis_url).flushdb()
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(automation_config, encoding="utf-8")
    url = postgres_database()
    migrate(url)
    try:
        yield from start_bridge(tmp_path, {
            "DATABASE_URL": url, "REDIS_URL": redis_url, "BRIDGE_CONFIG": str(config_file),
            "BRIDGE_SLA_SWEEP_SECONDS": "1"})
    finally:
        drop_postgres_database(url)


@pytest.fixture
def default_bridge(tmp_path: Path) -> Iterator[Bridge]:
    """No DATABASE_URL, no REDIS_URL: SQLite and the embedded broker under ./var."""
    yield from start_bridge(tmp_path, {})
