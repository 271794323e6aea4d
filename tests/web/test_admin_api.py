"""The admin API under /api/v1 on SQLite and PostgreSQL: rules and mappings stored with
an audit row per change (who, when, before, after), optimistic versions, TOML items
read-only and listed first. Refusals are in ``test_admin_api_refusals``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from bridge import clock, db
from bridge.admin import sources, store
from bridge.fields import check
from bridge.rules.model import Mapping, Rule
from tests.conftest import apply_env

TOKEN = "admin-token-for-tests"
ADMIN_TABLES = ("admin_rules", "admin_mappings", "audit_log")
TOML = "toml:/etc/bridge/bridge.toml"
VIP = {"name": "VIP", "when": {"min_followers": 10000}, "then": {"priority": "urgent",
                                                                   "tags": ["vip"]}}


def helpdesk_accepts_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The field checks pass (they are tested with their own module); tests that need a
    refusal patch them again."""
    monkeypatch.setattr(check, "mapping_errors", lambda session, mapping: [])
    monkeypatch.setattr(check, "field_value_errors", lambda session, fields: [])


def make_client(env: pytest.MonkeyPatch, database_url: str) -> Iterator[FlaskClient]:
    """The app on ``database_url`` with the admin token set (shared by the API's tests)."""
    from bridge.app import create_app

    apply_env(env, DATABASE_URL=database_url, BRIDGE_ADMIN_TOKEN=TOKEN)
    helpdesk_accepts_everything(env)
    yield create_app().test_client()
    clock.set_clock(None)


@pytest.fixture
def api(env: pytest.MonkeyPatch, database_url: str) -> Iterator[FlaskClient]:
    yield from make_client(env, database_url)


if TYPE_CHECKING:
    class ApiResponse(TestResponse):
        """What the admin API answers: always a JSON body (werkzeug types ``json`` as
        ``Any | None`` for any response)."""

        @property
        def json(self) -> Any: ...


def send(client: FlaskClient, method: str, path: str, body: Any = None,
         actor: str | None = "Ana", **kwargs: Any) -> ApiResponse:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if actor is not None:
        headers["X-Admin-User"] = actor
    if body is not None:
        kwargs["json"] = body
    return cast("ApiResponse",
                client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs))


def table_counts() -> dict[str, int]:
    with db.session() as s:
        return {name: int(s.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
                for name in ADMIN_TABLES}


def audit(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    response = send(client, "GET", f"/audit{query}")
    assert response.status_code == 200
    assert response.json is not None
    return list(response.json["items"])


def created(client: FlaskClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = send(client, "POST", path, body)
    assert response.status_code == 201, response.json
    assert response.json is not None
    return dict(response.json)


# ---- rules: create, read, replace, delete, with the audit of each -----------------------


def test_a_rule_is_created_read_replaced_and_deleted_with_an_audit_row_each(
    api: FlaskClient,
) -> None:
    clock.set_clock(lambda: datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    item = created(api, "/rules", VIP)
    assert item["id"] == 1 and item["version"] == 1 and item["position"] == 1
    assert item["source"] == "database" and item["read_only"] is False
    assert item["created_at"] == "2026-03-01T09:30:00Z"
    assert item["rule"] == Rule.model_validate(VIP).model_dump(mode="json")
    assert send(api, "GET", "/rules/1").json == item
    assert send(api, "GET", "/rules").json["items"] == [item]

    clock.set_clock(lambda: datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    edited = {**VIP, "then": {"priority": "high"}}
    response = send(api, "PUT", "/rules/1?version=1", edited, actor="Bo")
    assert response.status_code == 200
    assert response.json["version"] == 2 and response.json["rule"]["then"]["priority"] == "high"
    assert response.json["updated_at"] == "2026-03-01T10:00:00Z"
    assert response.json["created_at"] == "2026-03-01T09:30:00Z"

    assert send(api, "DELETE", "/rules/1?version=2", actor=None).status_code == 204
    assert send(api, "GET", "/rules/1").status_code == 404
    assert table_counts() == {"admin_rules": 0, "admin_mappings": 0, "audit_log": 3}

    deleted, updated, made = audit(api)  # newest first
    assert (made["action"], made["actor"], made["entity"], made["entity_id"]) == (
        "create", "Ana", "rule", 1)
    assert made["before"] is None and made["after"]["rule"]["then"]["priority"] == "urgent"
    assert made["at"] == "2026-03-01T09:30:00Z"
    assert (updated["action"], updated["actor"]) == ("update", "Bo")
    assert updated["before"]["rule"]["then"]["priority"] == "urgent"
    assert updated["after"]["rule"]["then"]["priority"] == "high"
    assert (updated["before"]["version"], updated["after"]["version"]) == (1, 2)
    assert (deleted["action"], deleted["actor"]) == ("delete", "api")
    assert deleted["before"] == updated["after"] and deleted["after"] is None


def test_saving_the_same_rule_again_changes_nothing_and_logs_nothing(api: FlaskClient) -> None:
    created(api, "/rules", VIP)
    response = send(api, "PUT", "/rules/1?version=1", VIP)
    assert response.status_code == 200 and response.json["version"] == 1
    assert [entry["action"] for entry in audit(api)] == ["create"]


def test_a_stale_version_is_a_409_and_changes_nothing(api: FlaskClient) -> None:
    created(api, "/rules", VIP)
    assert send(api, "PUT", "/rules/1?version=1", {"name": "first save"}).status_code == 200
    stale = send(api, "PUT", "/rules/1?version=1", {"name": "second, stale"})
    assert stale.status_code == 409
    assert stale.json["details"] == [{"field": "version", "message": "current version is 2"}]
    assert send(api, "DELETE", "/rules/1?version=1").status_code == 409
    assert send(api, "GET", "/rules/1").json["rule"]["name"] == "first save"
    assert table_counts() == {"admin_rules": 1, "admin_mappings": 0, "audit_log": 2}


def test_a_change_that_lands_between_read_and_write_is_a_conflict(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write is conditional on the version read, so a save that slipped in after our
    read is never overwritten (the store's race, forced)."""
    from bridge.admin import rows
    from bridge.admin.errors import Conflict

    created(api, "/rules", VIP)
    real_save = rows.save

    def racing_save(s: Any, row: Any, values: dict[str, Any], entity: str) -> None:
        monkeypatch.setattr(rows, "save", real_save)  # the other writer saves normally
        with db.session() as other:
            store.update_rule(other, 1, Rule(name="slipped in"), 1, "Cy")
        real_save(s, row, values, entity)

    monkeypatch.setattr(rows, "save", racing_save)
    with db.session() as s, pytest.raises(Conflict):
        store.update_rule(s, 1, Rule(name="ours"), 1, "Ana")
    assert send(api, "GET", "/rules/1").json["rule"]["name"] == "slipped in"
    assert [(e["action"], e["actor"]) for e in audit(api)] == [("update", "Cy"),
                                                               ("create", "Ana")]


# ---- order, enable, disable -------------------------------------------------------------


def test_rules_are_reordered_and_the_audit_keeps_both_orders(api: FlaskClient) -> None:
    for name in ("a", "b", "c"):
        created(api, "/rules", {"name": name})
    response = send(api, "POST", "/rules/order", [3, 1, 2])
    assert response.status_code == 200
    assert [(i["id"], i["position"]) for i in response.json["items"]] == [(3, 1), (1, 2), (2, 3)]
    assert [r.name for r in store.active_rules(db_session())] == ["c", "a", "b"]
    entry = audit(api)[0]
    assert (entry["action"], entry["entity_id"]) == ("reorder", None)
    assert (entry["before"], entry["after"]) == ({"order": [1, 2, 3]}, {"order": [3, 1, 2]})
    assert send(api, "GET", "/rules/1").json["version"] == 1  # order is not a content change
    same = send(api, "POST", "/rules/order", [3, 1, 2])
    assert same.status_code == 200 and len(audit(api)) == 4


@pytest.mark.parametrize(("order", "status", "says"), [
    ([1, 2], 409, "missing rule ids: [3]"),
    ([1, 2, 3, 4], 409, "unknown rule ids: [4]"),
    ([1, 2, 2], 422, "2 is repeated"),
    ([1, 2, "3"], 422, "a rule id is a positive integer or toml-<n>"),
    ([1, 2, True], 422, "a rule id is a positive integer or toml-<n>"),
    ({"order": [1, 2, 3]}, 422, "got dict"),
])
def test_an_order_that_is_not_every_rule_once_is_refused(
    api: FlaskClient, order: Any, status: int, says: str
) -> None:
    for name in ("a", "b", "c"):
        created(api, "/rules", {"name": name})
    response = send(api, "POST", "/rules/order", order)
    assert response.status_code == status
    assert says in str(response.json["details"])
    assert [r.name for r in store.active_rules(db_session())] == ["a", "b", "c"]
    assert table_counts()["audit_log"] == 3


def test_disable_and_enable_are_audited_once_and_drive_the_active_rules(
    api: FlaskClient,
) -> None:
    created(api, "/rules", VIP)
    created(api, "/rules", {"name": "spam", "then": {"suppress": True}})
    off = send(api, "POST", "/rules/1/disable", actor="Dee")
    assert off.status_code == 200
    assert off.json["rule"]["enabled"] is False and off.json["version"] == 2
    assert send(api, "POST", "/rules/1/disable").json["version"] == 2  # already: no-op
    assert [r.name for r in store.active_rules(db_session())] == ["spam"]
    entry = audit(api)[0]
    assert (entry["action"], entry["actor"]) == ("disable", "Dee")
    assert (entry["before"]["rule"]["enabled"], entry["after"]["rule"]["enabled"]) == (True, False)
    on = send(api, "POST", "/rules/1/enable")
    assert on.json["rule"]["enabled"] is True and on.json["version"] == 3
    assert [r.name for r in store.active_rules(db_session())] == ["VIP", "spam"]
    assert [e["action"] for e in audit(api)] == ["enable", "disable", "create", "create"]


# ---- TOML items: listed first, read-only --------------------------------------------------


@pytest.fixture
def toml_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "toml_rules", lambda: [
        (TOML, Rule.model_validate({"name": "file: spam", "then": {"suppress": True}})),
        (TOML, Rule(name="file: off", enabled=False)),
    ])
    monkeypatch.setattr(sources, "toml_mappings", lambda: [
        (TOML, Mapping(source="language", field="360001")),
    ])


@pytest.mark.usefixtures("toml_items")
def test_toml_rules_are_listed_first_with_their_source_and_cannot_be_changed(
    api: FlaskClient,
) -> None:
    created(api, "/rules", VIP)
    listing = send(api, "GET", "/rules").json
    assert "TOML rules first" in listing["evaluation_order"]
    assert [(i["id"], i["position"], i["source"], i["read_only"], i["version"])
            for i in listing["items"]] == [
        ("toml-1", 1, TOML, True, None), ("toml-2", 2, TOML, True, None),
        (1, 3, "database", False, 1)]
    assert send(api, "GET", "/rules/toml-1").json == listing["items"][0]
    assert [r.name for r in store.active_rules(db_session())] == ["file: spam", "VIP"]

    before = table_counts()
    for method, path, body in [
        ("PUT", "/rules/toml-1?version=1", {"name": "x"}), ("DELETE", "/rules/toml-1", None),
        ("POST", "/rules/toml-2/enable", None), ("POST", "/rules/toml-1/disable", None),
        ("POST", "/rules/order", [1, "toml-1"]),
    ]:
        response = send(api, method, path, body)
        assert response.status_code == 409, (method, path)
        assert "read-only" in response.json["error"]
    assert send(api, "PUT", "/rules/toml-1", {"name": "x"}).status_code == 409  # no version
    assert send(api, "GET", "/rules/toml-3").status_code == 404
    assert table_counts() == before


@pytest.mark.usefixtures("toml_items")
def test_toml_mappings_are_listed_first_and_cannot_be_changed(api: FlaskClient) -> None:
    created(api, "/mappings", {"source": "channel", "field": "cf_channel"})
    items = send(api, "GET", "/mappings").json["items"]
    assert [(i["id"], i["source"], i["read_only"]) for i in items] == [
        ("toml-1", TOML, True), (1, "database", False)]
    assert send(api, "GET", "/mappings/toml-1").json["mapping"]["field"] == "360001"
    assert send(api, "DELETE", "/mappings/toml-1").status_code == 409
    assert [m.field for m in store.active_mappings(db_session())] == ["360001", "cf_channel"]


# ---- mappings -------------------------------------------------------------------------


def test_a_mapping_is_created_replaced_disabled_and_deleted_with_its_audit(
    api: FlaskClient,
) -> None:
    body = {"name": "language", "source": "language", "field": "360001",
            "transforms": [{"kind": "lookup", "table": {"en": "English"}}]}
    item = created(api, "/mappings", body)
    assert item["mapping"] == Mapping.model_validate(body).model_dump(mode="json")
    assert send(api, "PUT", "/mappings/1?version=1",
                {**body, "field": "360002"}).json["version"] == 2
    assert send(api, "PUT", "/mappings/1?version=1", body).status_code == 409
    assert send(api, "POST", "/mappings/1/disable").json["mapping"]["enabled"] is False
    assert store.active_mappings(db_session()) == []
    assert send(api, "DELETE", "/mappings/1").status_code == 204
    entries = audit(api, "?entity=mapping")
    assert [e["action"] for e in entries] == ["delete", "disable", "update", "create"]
    assert entries[2]["before"]["mapping"]["field"] == "360001"
    assert entries[2]["after"]["mapping"]["field"] == "360002"
    assert table_counts() == {"admin_rules": 0, "admin_mappings": 0, "audit_log": 4}


# ---- the audit log: paged, filtered, actor ------------------------------------------------


def test_the_audit_log_pages_newest_first_and_filters_by_entity(api: FlaskClient) -> None:
    for n in range(5):
        created(api, "/rules", {"name": f"r{n}"})
    created(api, "/mappings", {"source": "text", "field": "cf_text"})
    first = send(api, "GET", "/audit?limit=2").json
    assert [e["id"] for e in first["items"]] == [6, 5] and first["next_before"] == 5
    second = send(api, "GET", f"/audit?limit=2&before={first['next_before']}").json
    assert [e["id"] for e in second["items"]] == [4, 3]
    last = send(api, "GET", "/audit?limit=2&before=3").json
    assert [e["id"] for e in last["items"]] == [2, 1] and last["next_before"] is None
    assert [e["entity"] for e in audit(api, "?entity=mapping")] == ["mapping"]
    assert [e["entity_id"] for e in audit(api, "?entity=rule&entity_id=4")] == [4]


def test_the_actor_is_the_admin_user_header_in_utf8_or_api(api: FlaskClient) -> None:
    name = "Zoë Ñúñez 山田"
    headers = {"Authorization": f"Bearer {TOKEN}",
               "X-Admin-User": name.encode("utf-8").decode("latin-1")}
    assert api.post("/api/v1/rules", json={"name": "a"}, headers=headers).status_code == 201
    created_by_api = send(api, "POST", "/rules", {"name": "b"}, actor=None)
    assert created_by_api.status_code == 201
    blank = send(api, "POST", "/rules", {"name": "c"}, actor=" \t")
    assert blank.status_code == 201
    assert [e["actor"] for e in audit(api)] == ["api", "api", name]


def test_every_accepted_change_is_durable_before_the_answer(api: FlaskClient) -> None:
    created(api, "/rules", VIP)
    db.reset_engine()  # a fresh engine: only what was committed is there
    assert table_counts() == {"admin_rules": 1, "admin_mappings": 0, "audit_log": 1}


def test_fields_lists_the_helpdesk_fields(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert send(api, "GET", "/fields").json == []
    field = {"id": "360001", "title": "Tier", "type": "tagger", "options": ["gold"]}
    monkeypatch.setattr(sources, "helpdesk_fields", lambda s: [field])
    assert send(api, "GET", "/fields").json == [field]


def db_session() -> Any:
    """A plain session for the store's read functions (closed with the engine)."""
    db.get_engine()
    assert db._factory is not None
    return db._factory()
