"""The dry run and what the pages need around it, on SQLite and PostgreSQL: recent inbox
messages, the saved rules beside a draft (with traces), nothing written; mappings flagged
broken by the helpdesk's current fields; 503 when the TOML file or the fields cannot be
read, 422 kept for real validation errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bridge import db, ingest, registry
from bridge.app import create_app
from bridge.domain import InboundMessage, Sender, ThreadKey
from bridge.errors import TransientError
from bridge.fields import cache
from bridge.fields.model import TicketField
from bridge.models import InboxMessage
from tests.conftest import apply_env
from tests.fakes import FakeHelpdesk
from tests.web.test_admin_api import TOKEN, created, make_client, send, table_counts

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CHANNEL_FIELD = TicketField("cf_channel", "Channel", "text")
REFUNDS = {"name": "refunds", "when": {"keywords": ["refund"]},
           "then": {"tags": ["refund"], "priority": "high"}}


@pytest.fixture
def helpdesk(env: pytest.MonkeyPatch) -> FakeHelpdesk:
    hd = FakeHelpdesk()
    hd.custom_fields = (CHANNEL_FIELD,)
    env.setattr(registry, "helpdesk", lambda: hd)
    return hd


@pytest.fixture
def api(env: pytest.MonkeyPatch, database_url: str, helpdesk: FakeHelpdesk
        ) -> Iterator[FlaskClient]:
    yield from make_client(env, database_url)


def stored(text: str, n: int, channel: str = "messenger") -> int:
    (row_id,) = ingest.store_messages([InboundMessage(
        ThreadKey(channel, "page-1", f"t{n}"), f"m{n}", Sender(f"u{n}"), T0, text)])
    return row_id


def dry_run(api: FlaskClient, body: dict[str, Any], status: int = 200) -> Any:
    response = send(api, "POST", "/dry-run", body)
    assert response.status_code == status, response.json
    return response.json


def test_recent_messages_newest_first_with_their_text(api: FlaskClient) -> None:
    ids = [stored(text, n) for n, text in enumerate(["first", "second", "third 👋"], 1)]
    answer = send(api, "GET", "/messages?limit=2").json
    assert [(m["id"], m["channel"], m["account_id"], m["text"]) for m in answer["messages"]] == [
        (ids[2], "messenger", "page-1", "third 👋"), (ids[1], "messenger", "page-1", "second")]
    for item in answer["messages"]:  # when the webhook stored it (the database's clock)
        assert datetime.fromisoformat(item["received_at"]).tzinfo is not None
    assert len(send(api, "GET", "/messages").json["messages"]) == 3
    assert send(api, "GET", "/messages?limit=0").status_code == 422
    assert send(api, "GET", "/messages?limt=5").status_code == 422


def test_saved_rules_beside_the_draft_with_traces_and_nothing_written(
        api: FlaskClient) -> None:
    created(api, "/rules", REFUNDS)
    created(api, "/mappings", {"source": "channel", "field": "cf_channel"})
    row_id = stored("I want a refund for my order", 1)
    before = table_counts()
    draft = [
        {"name": "parcels", "when": {"keywords": ["parcel"]}, "then": {"tags": ["parcel"]}},
        {"name": "old", "enabled": False},
        {**REFUNDS, "then": {"tags": ["refund"], "priority": "urgent"}},
        {"name": "everything else", "then": {"tags": ["triage"]}},
    ]
    pasted = {"channel": "whatsapp", "account_id": "PN1",
              "text": "أريد استرداد المبلغ، الطلب لم يصل"}
    first, second = dry_run(api, {"rules": draft, "mappings": None, "message_ids": [row_id],
                                  "message": pasted})["results"]

    assert first["message"]["id"] == row_id
    assert first["message"]["text"] == "I want a refund for my order"
    current, changed = first["current"], first["draft"]
    assert (current["fired"], changed["fired"]) == (["refunds"], ["refunds"])
    assert (current["priority"], changed["priority"]) == ("high", "urgent")
    assert current["tags"] == changed["tags"] == ["lang_en", "refund"]
    assert current["fields"] == changed["fields"] == {"cf_channel": "messenger"}
    assert current["skipped_fields"] == [] and current["suppress"] is False
    assert first["trace"] == [
        {"rule": "parcels", "matched": False,
         "reason": "keywords: none of the keywords is in the text"},
        {"rule": "old", "matched": False, "reason": "disabled"},
        {"rule": "refunds", "matched": True, "reason": "stopped here (stop = true)"},
        {"rule": "everything else", "matched": False,
         "reason": "not tried: an earlier matching rule stopped the evaluation"},
    ]

    assert second["message"] == {"id": None, "received_at": None, **pasted}
    assert second["current"]["fired"] == []
    assert second["draft"]["fired"] == ["everything else"]
    assert second["draft"]["tags"] == ["lang_ar", "triage"]
    assert second["draft"]["fields"] == {"cf_channel": "whatsapp"}

    assert table_counts() == before
    with db.session() as s:
        row = s.scalars(select(InboxMessage)).one()
        assert (row.state, row.language) == ("pending", None)


def test_draft_mappings_show_the_values_that_would_be_left_out(api: FlaskClient) -> None:
    created(api, "/mappings", {"source": "channel", "field": "cf_channel"})
    answer = dry_run(api, {"rules": None, "message_ids": None,
                           "mappings": [{"source": "channel", "field": "cf_gone"}],
                           "message": {"channel": "x", "account_id": "", "text": "hi"}})
    (result,) = answer["results"]
    assert result["current"]["fields"] == {"cf_channel": "x"}
    assert result["draft"]["fields"] == {}
    (why,) = result["draft"]["skipped_fields"]
    assert "field cf_gone does not exist" in why


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"message_ids": [999]}, 404, "message_ids[0]"),
    ({"message_ids": [0]}, 422, "message_ids[0]"),
    ({"rules": [{"name": ""}]}, 422, "rules[0].name"),
    ({"message": {"channel": "fax", "text": "hi"}}, 422, "message.channel"),
    ({"colour": "red"}, 422, "colour"),
])
def test_what_cannot_run_is_refused_with_the_field_to_blame(
        api: FlaskClient, body: dict[str, Any], status: int, field: str) -> None:
    answer = dry_run(api, body, status)
    assert field in [d["field"] for d in answer["details"]]


def test_a_mapping_the_helpdesk_broke_is_flagged_in_the_listing(
        api: FlaskClient, helpdesk: FakeHelpdesk) -> None:
    broken = created(api, "/mappings", {"name": "Channel", "source": "channel",
                                        "field": "cf_channel"})
    created(api, "/mappings", {"name": "Handle", "source": "handle", "field": "cf_handle"})
    helpdesk.custom_fields = (TicketField("cf_handle", "Handle", "text"),)
    with db.session() as s:
        cache.refresh(s, helpdesk)  # an admin removed cf_channel in the helpdesk
    first, second = send(api, "GET", "/mappings").json["items"]
    assert first["broken"] is True
    (problem,) = first["problems"]
    assert "field cf_channel does not exist" in problem
    assert (second["broken"], second["problems"]) == (False, [])
    assert send(api, "GET", f"/mappings/{broken['id']}").json["problems"] == [problem]


def test_unreadable_helpdesk_fields_are_a_503_and_bad_values_still_a_422(
        env: pytest.MonkeyPatch, database_url: str, helpdesk: FakeHelpdesk) -> None:
    apply_env(env, DATABASE_URL=database_url, BRIDGE_ADMIN_TOKEN=TOKEN)
    client = create_app().test_client()  # the real field checks
    mapping = {"source": "channel", "field": "cf_channel"}
    helpdesk.failures = [TransientError("Zendesk answered 503")]
    response = send(client, "POST", "/mappings", mapping)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Zendesk answered 503" in response.json["details"][0]["message"]
    assert send(client, "POST", "/mappings", {**mapping, "field": "cf_nope"}).status_code == 422
    assert send(client, "POST", "/mappings", mapping).status_code == 201


def test_a_toml_file_that_does_not_load_is_a_503_with_its_reason(
        api: FlaskClient, env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text("[[rules]]\nname = 'x'\nwhen = { channels = ['fax'] }\n")
    env.setenv("BRIDGE_CONFIG", str(path))
    from bridge import config

    config.reset_settings()
    for method, path_ in (("GET", "/rules"), ("GET", "/mappings"), ("POST", "/dry-run")):
        response = send(api, method, path_, {} if method == "POST" else None)
        assert response.status_code == 503, (path_, response.json)
        assert "rules[0].when.channels[0]" in response.json["error"]
    assert send(api, "GET", "/audit").status_code == 200
