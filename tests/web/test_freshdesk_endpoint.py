"""``POST /webhooks/freshdesk``: shared secret, ticket id top level or nested, nothing else."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bridge import clock, config, db
from bridge.models import Conversation, HelpdeskEvent
from tests.conftest import shared_path
from tests.web.conftest import Web, assert_nothing_stored

SECRET = "freshdesk-shared-secret"


@pytest.fixture(autouse=True)
def freshdesk_secret(monkeypatch: pytest.MonkeyPatch, web: Web) -> None:
    monkeypatch.setenv("FRESHDESK_WEBHOOK_SECRET", SECRET)
    config.reset_settings()


def post(web: Web, body: bytes, secret: str | None = SECRET) -> tuple[int, dict[str, object]]:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bridge-Secret"] = secret
    resp = web.client.post("/webhooks/freshdesk", data=body, headers=headers)
    return resp.status_code, resp.get_json()


def ticket_ids() -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(HelpdeskEvent.ticket_id).order_by(HelpdeskEvent.id)))


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_missing_or_wrong_secret_is_401_and_stores_nothing(web: Web, secret: str | None) -> None:
    status, body = post(web, b'{"ticket_id": "42"}', secret)
    assert status == 401 and body["status"] == "unauthorized"
    assert_nothing_stored()


def test_bad_json_is_400(web: Web) -> None:
    status, body = post(web, b"{not json")
    assert status == 400 and body["reason"]
    assert_nothing_stored()


def test_a_body_without_ticket_id_is_ignored(web: Web) -> None:
    status, body = post(web, b'{"message": "hello"}')
    assert (status, body["status"]) == (200, "ignored")
    assert_nothing_stored()


@pytest.mark.parametrize("payload", [{"ticket_id": "42"}, {"ticket_id": 42},
                                     {"freshdesk_webhook": {"ticket_id": "42"}}])
def test_ticket_id_top_level_or_nested(web: Web, payload: dict[str, object]) -> None:
    status, body = post(web, json.dumps(payload).encode())
    assert (status, body["status"], body["ticket_id"]) == (200, "accepted", "42")
    assert ticket_ids() == ["42"]


def test_a_linked_ticket_marks_its_conversation_due(web: Web) -> None:
    with db.session() as s:
        conv = Conversation(channel="messenger", account_id="p", thread_id="t",
                            helpdesk="freshdesk", ticket_id="42", outbound_due=False,
                            created_at=clock.now())
        s.add(conv)
        s.commit()
        conv_id = conv.id
    for _ in range(2):  # no delivery id: each webhook is its own (idempotent) re-read
        assert post(web, b'{"ticket_id": "42"}')[0] == 200
    assert web.enqueued_ids == [conv_id, conv_id]
    with db.session() as s:
        stored = s.get(Conversation, conv_id)
        assert stored is not None and stored.outbound_due and stored.work_due_at is not None


def fixture_test(web: Web, name: str) -> None:
    raw = shared_path("fixtures", "freshdesk_webhooks", name).read_bytes()
    status, body = post(web, raw)
    expected = str(json.loads(raw)["freshdesk_webhook"]["ticket_id"])
    assert (status, body["status"], ticket_ids()) == (200, "accepted", [expected])


def test_priority_changed(web: Web) -> None:
    fixture_test(web, "priority_changed.json")


def test_private_note_added(web: Web) -> None:
    fixture_test(web, "private_note_added.json")


def test_public_note_added(web: Web) -> None:
    fixture_test(web, "public_note_added.json")


def test_status_changed(web: Web) -> None:
    fixture_test(web, "status_changed.json")


def test_ticket_created(web: Web) -> None:
    fixture_test(web, "ticket_created.json")


def test_ticket_created_inline_image(web: Web) -> None:
    fixture_test(web, "ticket_created_inline_image.json")


def test_every_freshdesk_webhook_fixture_is_covered() -> None:
    folder = shared_path("fixtures", "freshdesk_webhooks")
    covered = {f"{n}.json" for n in ("priority_changed", "private_note_added",
                                     "public_note_added", "status_changed", "ticket_created",
                                     "ticket_created_inline_image")}
    assert {p.name for p in folder.glob("*.json")} == covered
