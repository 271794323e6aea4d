"""The acknowledgement benchmark's floor handler: durable before the 200, and nothing more."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from bench.floor_app import create_app
from bench.webhook_ack import body
from tests.conftest import apply_env
from tests.web.conftest import APP_SECRET, inbox_rows, post_meta


@pytest.fixture
def client(env: pytest.MonkeyPatch, database_url: str) -> FlaskClient:
    apply_env(env, DATABASE_URL=database_url, META_APP_SECRET=APP_SECRET)
    return create_app().test_client()


def test_each_message_is_committed_before_the_answer(client: FlaskClient) -> None:
    raw = body(7, "floor")
    response = post_meta(client, raw)
    assert (response.status_code, response.get_json()) == (200, {"status": "accepted"})
    (row,) = inbox_rows()
    item = json.loads(raw)["entry"][0]["messaging"][0]
    assert (row.channel, row.account_id, row.message_id, row.thread_id) == (
        "bench_floor", "1234567890", "floor-7", item["sender"]["id"])
    assert json.loads(row.payload) == item
    post_meta(client, raw)  # a retry stores nothing new: the same grouped INSERT
    assert len(inbox_rows()) == 1


def test_a_wrong_signature_stores_nothing(client: FlaskClient) -> None:
    response = post_meta(client, body(1, "floor"), secret="not-the-secret")
    assert response.status_code == 401
    assert inbox_rows() == []


@pytest.mark.parametrize("raw", [b"{", b'{"entry": [{"id": "1"}]}', b"[]"])
def test_a_body_without_messages_is_refused(client: FlaskClient, raw: bytes) -> None:
    assert post_meta(client, raw).status_code == 400
    assert inbox_rows() == []
