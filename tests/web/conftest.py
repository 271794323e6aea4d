"""``create_app()`` behind Flask's test client, on a migrated database, hand-offs recorded.

Every webhook answer must come without a vendor call: ``ZENDESK_BASE_URL`` and
``META_GRAPH_BASE_URL`` point at a port that is bound but never listens (so a call could
reach nothing real), and every HTTP request made through ``requests`` is recorded; the
fixture fails the test at teardown if there was any.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from requests.adapters import HTTPAdapter
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from bridge import clock, db, tasks
from bridge.app import create_app
from bridge.models import Base, InboxMessage
from bridge.web import dispatch
from bridge.web import zendesk as zendesk_web
from bridge.zendesk import signature
from tests.conftest import apply_env

PAGE = "1234567890"
PSID = "5678"
APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "meta-verify-token"
ZENDESK_SECRET = "dGhpcyBsb29rcyBsaWtlIGJhc2U2NA=="  # looks like base64; used as its text


@dataclass
class Web:
    """The test client and what the app handed on while answering."""

    client: FlaskClient
    vendor_url: str
    batched: list[list[int]] = field(default_factory=list)  # each call of inbox.add
    enqueued: list[list[int]] = field(default_factory=list)  # each call of tasks.enqueue
    outbound: list[str] = field(default_factory=list)  # every HTTP request via requests

    @property
    def batched_ids(self) -> list[int]:
        return [i for ids in self.batched for i in ids]

    @property
    def enqueued_ids(self) -> list[int]:
        return [i for ids in self.enqueued for i in ids]


@pytest.fixture
def unused_port() -> Iterator[int]:
    """A local port held bound but never listening: connecting to it is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def build_web(env: pytest.MonkeyPatch, database_url: str, port: int) -> Iterator[Web]:
    vendor = f"http://127.0.0.1:{port}"
    apply_env(
        env,
        DATABASE_URL=database_url,
        BRIDGE_HELPDESK="zendesk",
        META_APP_SECRET=APP_SECRET,
        META_VERIFY_TOKEN=VERIFY_TOKEN,
        META_PAGE_ID=PAGE,
        META_PAGE_ACCESS_TOKEN="page-token",
        META_GRAPH_BASE_URL=vendor,
        ZENDESK_WEBHOOK_SECRET=ZENDESK_SECRET,
        ZENDESK_SUBDOMAIN="bridge-test",
        ZENDESK_EMAIL="agent@example.com",
        ZENDESK_API_TOKEN="zendesk-token",
        ZENDESK_BASE_URL=vendor,
        BRIDGE_HTTP_TIMEOUT="2",
    )
    env.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    env.setattr(zendesk_web, "_secret_cache", (0.0, ""))  # a previous test's stored secret
    web = Web(client=create_app().test_client(), vendor_url=vendor)
    env.setattr(dispatch.inbox, "add", lambda ids: web.batched.append(list(ids)))
    env.setattr(tasks, "enqueue", lambda ids: web.enqueued.append(list(ids)))
    real_send = HTTPAdapter.send

    def recording_send(self: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        web.outbound.append(f"{request.method} {request.url}")
        return real_send(self, request, *args, **kwargs)

    env.setattr(HTTPAdapter, "send", recording_send)
    try:
        yield web
    finally:
        clock.set_clock(None)
    assert web.outbound == [], f"vendor calls on the request path: {web.outbound}"


@pytest.fixture
def web(env: pytest.MonkeyPatch, database_url: str, unused_port: int) -> Iterator[Web]:
    """The app on a migrated SQLite and (second run) PostgreSQL database."""
    yield from build_web(env, database_url, unused_port)


@pytest.fixture
def sqlite_web(env: pytest.MonkeyPatch, sqlite_url: str, unused_port: int) -> Iterator[Web]:
    """The app on a migrated SQLite database only (tests where the database is no subject)."""
    yield from build_web(env, sqlite_url, unused_port)


# ---- helpers ---------------------------------------------------------------------------


def meta_signature(body: bytes, secret: str = APP_SECRET) -> str:
    """``X-Hub-Signature-256`` as Meta computes it: over the raw bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_meta(client: FlaskClient, body_bytes: bytes, secret: str = APP_SECRET) -> TestResponse:
    return client.post("/webhooks/meta", data=body_bytes, content_type="application/json",
                       headers={"X-Hub-Signature-256": meta_signature(body_bytes, secret)})


def zendesk_stamp(at: datetime) -> str:
    """A ``X-Zendesk-Webhook-Signature-Timestamp`` value (``2025-01-08T14:25:30Z``)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def post_zendesk(
    client: FlaskClient,
    body: bytes | Mapping[str, Any],
    secret: str,
    timestamp: str,
    *,
    invocation_id: str | None = "1001",
    body_first: bool = False,
) -> TestResponse:
    """A Zendesk webhook delivery, signed over timestamp + body (or body + timestamp)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        signature.SIGNATURE_HEADER: signature.sign(raw, timestamp, secret, body_first),
        signature.TIMESTAMP_HEADER: timestamp,
    }
    if invocation_id is not None:
        headers["X-Zendesk-Webhook-Invocation-Id"] = invocation_id
    return client.post("/webhooks/zendesk", data=raw, content_type="application/json",
                       headers=headers)


def count_rows(model: type[Base]) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema, by table name."""
    with db.session() as s:
        return {
            table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def assert_nothing_stored() -> None:
    counts = row_counts()
    assert counts and set(counts.values()) == {0}, counts


def inbox_rows() -> list[InboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(InboxMessage).order_by(InboxMessage.id)))
