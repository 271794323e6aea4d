"""``/healthz``, ``/readyz`` (database and broker) and ``/metrics``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bridge import config, worker
from tests.conftest import apply_env
from tests.web.conftest import PAGE, PSID, Web, post_meta


@pytest.fixture
def embedded_broker(env: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The broker the web process gets with REDIS_URL unset, in this test's own folder.

    ``bridge.worker`` built its Celery app at import, under the default ``./var``;
    this builds it again the same way, with the var folder moved under ``tmp_path``.
    """
    var = tmp_path / "var"
    env.setattr(config, "VAR_DIR", var)
    env.setattr(worker, "VAR_DIR", var)
    config.reset_settings()
    assert config.get_settings().REDIS_URL == ""
    app = worker.make_celery()
    env.setattr(worker, "celery", app)
    broker_url = str(app.conf.broker_url)
    assert broker_url.startswith("sqla+sqlite:///") and str(var) in broker_url
    return broker_url


def test_healthz(sqlite_web: Web) -> None:
    response = sqlite_web.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_with_a_migrated_database_and_the_embedded_broker(
    web: Web, embedded_broker: str
) -> None:
    response = web.client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ready",
                                   "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_is_503_when_the_database_is_not_migrated(
    sqlite_web: Web, embedded_broker: str, env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    apply_env(env, DATABASE_URL=f"sqlite:///{tmp_path}/never-migrated.sqlite3")
    response = sqlite_web.client.get("/readyz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["status"] == "not ready"
    assert answer["checks"]["broker"] == "ok"
    assert answer["checks"]["database"].startswith("error: ")
    assert "bridge db upgrade" in answer["checks"]["database"]


def test_readyz_is_503_when_the_broker_is_unreachable(
    sqlite_web: Web, env: pytest.MonkeyPatch, unused_port: int
) -> None:
    apply_env(env, REDIS_URL=f"redis://127.0.0.1:{unused_port}/0")
    env.setattr(worker, "celery", worker.make_celery())
    response = sqlite_web.client.get("/readyz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["checks"]["database"] == "ok"
    assert answer["checks"]["broker"].startswith("error: ")


def metric(client_text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(client_text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_metrics_count_webhooks_by_outcome(sqlite_web: Web) -> None:
    client = sqlite_web.client

    def scrape() -> str:
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)

    def webhooks(text: str, outcome: str) -> float:
        return metric(text, "bridge_webhooks_total", endpoint="meta", outcome=outcome)

    before = scrape()
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "messaging": [{
        "sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1_767_225_600_000,
        "message": {"mid": "m.metrics", "text": "hello"}}]}]}).encode()
    assert post_meta(client, body, secret="wrong").status_code == 401
    assert post_meta(client, body).status_code == 200
    after = scrape()
    assert "bridge_webhooks_total{" in after
    assert webhooks(after, "unauthorized") == webhooks(before, "unauthorized") + 1
    assert webhooks(after, "accepted") == webhooks(before, "accepted") + 1
    stored = metric(after, "bridge_inbox_stored_total", channel="messenger")
    assert stored == metric(before, "bridge_inbox_stored_total", channel="messenger") + 1
