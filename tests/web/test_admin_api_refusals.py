"""The admin API's refusals, on SQLite and PostgreSQL: what the helpdesk's fields do not
allow (422 naming why), bodies that are not JSON, too big, of another type or not the
model, ids and parameters that cannot be; each a clear JSON 4xx that stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pytest
from flask.testing import FlaskClient

from bridge.fields import check
from bridge.rules.model import Mapping
from tests.web.test_admin_api import TOKEN, VIP, created, make_client, send, table_counts

if TYPE_CHECKING:
    from tests.web.test_admin_api import ApiResponse


@pytest.fixture
def api(env: pytest.MonkeyPatch, database_url: str) -> Iterator[FlaskClient]:
    yield from make_client(env, database_url)


def raw(client: FlaskClient, method: str, path: str, data: bytes | str,
        content_type: str = "application/json") -> ApiResponse:
    return cast("ApiResponse", client.open(
        f"/api/v1{path}", method=method, data=data, content_type=content_type,
        headers={"Authorization": f"Bearer {TOKEN}"}))


# ---- the helpdesk's fields decide what may be saved -----------------------------------------


def test_a_mapping_the_helpdesk_refuses_is_a_422_naming_why(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Mapping] = []

    def refuse(session: Any, mapping: Mapping) -> list[str]:
        asked.append(mapping)
        return [f"field {mapping.field} does not exist in Zendesk"]

    monkeypatch.setattr(check, "mapping_errors", refuse)
    response = send(api, "POST", "/mappings", {"source": "language", "field": "999"})
    assert response.status_code == 422
    assert response.json == {"error": "the mapping does not fit the helpdesk's fields", "details": [
        {"field": "field", "message": "field 999 does not exist in Zendesk"}]}
    assert [m.field for m in asked] == ["999"]
    assert set(table_counts().values()) == {0}


def test_rule_field_values_the_helpdesk_refuses_are_a_422_and_only_they_are_checked(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    def refuse(session: Any, fields: dict[str, Any]) -> list[str]:
        asked.append(fields)
        return ["360001: 'gold' is not one of the drop-down's options (bronze, silver)"]

    monkeypatch.setattr(check, "field_value_errors", refuse)
    created(api, "/rules", VIP)  # no then.fields: nothing to ask
    assert asked == []
    bad = {"name": "tier", "then": {"fields": {"360001": "gold"}}}
    response = send(api, "POST", "/rules", bad)
    assert response.status_code == 422
    assert response.json["details"] == [{"field": "then.fields", "message":
        "360001: 'gold' is not one of the drop-down's options (bronze, silver)"}]
    assert send(api, "PUT", "/rules/1?version=1", bad).status_code == 422
    assert asked == [{"360001": "gold"}] * 2
    assert table_counts() == {"admin_rules": 1, "admin_mappings": 0, "audit_log": 1}


def test_enabling_rechecks_against_the_helpdesk(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    created(api, "/mappings", {"source": "language", "field": "360001", "enabled": False})
    monkeypatch.setattr(check, "mapping_errors",
                        lambda s, m: ["field 360001 was deleted in the helpdesk"])
    assert send(api, "POST", "/mappings/1/enable").status_code == 422
    assert send(api, "POST", "/mappings/1/disable").status_code == 200  # already: no check
    assert send(api, "GET", "/mappings/1").json["mapping"]["enabled"] is False


# ---- refusals: a clear 4xx, JSON, nothing stored -------------------------------------------


@pytest.mark.parametrize(("path", "data", "content_type", "status", "field"), [
    ("/rules", "{", "application/json", 400, ""),
    ("/rules", "", "application/json", 400, ""),
    ("/rules", b"\xff\xfe{}", "application/json", 400, None),
    ("/rules", '{"name": NaN}', "application/json", 400, ""),
    ("/rules", '{"name": "x", "then": {"fields": {"1": 1e999}}}', "application/json", 400, ""),
    ("/rules", '{"name": "x"}', "text/plain", 415, ""),
    ("/rules", '{"name": "x"}', "application/x-www-form-urlencoded", 415, ""),
    ("/rules", '{"name": ""}', "application/json", 422, "name"),
    ("/rules", '{"name": "x", "colour": "red"}', "application/json", 422, "colour"),
    ("/rules", '{"name": "x", "when": {"min_followers": "5"}}', "application/json", 422,
     "when.min_followers"),
    ("/rules", '{"name": "x", "when": {"regex": "(unclosed"}}', "application/json", 422,
     "when.regex"),
    ("/rules", '{"name": "x", "then": {"tags": ["two words"]}}', "application/json", 422,
     "then.tags"),
    ("/rules", '{"name": "x", "then": {"priority": "asap"}}', "application/json", 422,
     "then.priority"),
    ("/rules", '{"name": "nul\\u0000"}', "application/json", 422, "name"),
    ("/rules", '{"name": "x", "then": {"fields": {"a\\ud800": 1}}}', "application/json", 422,
     "then.fields"),
    ("/rules", "[]", "application/json", 422, ""),
    ("/mappings", '{"source": "mood", "field": "1"}', "application/json", 422, "source"),
    ("/mappings", '{"source": "text", "field": "1", "transforms": [{"kind": "x"}]}',
     "application/json", 422, "transforms[0].kind"),
])
def test_bad_input_is_a_clear_4xx_and_stores_nothing(
    api: FlaskClient, path: str, data: str | bytes, content_type: str, status: int,
    field: str | None,
) -> None:
    response = raw(api, "POST", path, data, content_type)
    assert response.status_code == status, response.json
    assert response.json is not None and response.json["error"]
    if field is not None:
        assert field in [d["field"] for d in response.json["details"]]
    assert set(table_counts().values()) == {0}


def test_a_body_over_one_megabyte_is_a_413(api: FlaskClient) -> None:
    body = '{"name": "x", "then": {"fields": {"big": "' + "a" * (1024 * 1024) + '"}}}'
    response = raw(api, "POST", "/rules", body)
    assert response.status_code == 413
    assert response.json is not None and response.json["error"]
    assert set(table_counts().values()) == {0}


@pytest.mark.parametrize(("method", "path", "status"), [
    ("PUT", "/rules/1", 422),  # version is required
    ("PUT", "/rules/1?version=0", 422),
    ("PUT", "/rules/1?version=abc", 422),
    ("DELETE", "/rules/1?version=-1", 422),
    ("GET", "/rules/0", 404),
    ("GET", "/rules/99999999999", 404),
    ("GET", "/rules/toml-0", 404),
    ("GET", "/rules/abc", 404),
    ("PATCH", "/rules/1", 405),
    ("GET", "/nothing-here", 404),
    ("GET", "/audit?limit=0", 422),
    ("GET", "/audit?limit=201", 422),
    ("GET", "/audit?entity=ticket", 422),
    ("GET", "/audit?limt=5", 422),  # a typo is refused, not ignored
    ("GET", "/rules?version=1", 422),
])
def test_bad_ids_and_parameters_are_json_4xx(
    api: FlaskClient, method: str, path: str, status: int
) -> None:
    created(api, "/rules", VIP)
    response = send(api, method, path, {"name": "edited"} if method == "PUT" else None)
    assert response.status_code == status
    assert response.json is not None and set(response.json) == {"error", "details"}
    if status == 405:
        assert "GET" in response.headers["Allow"]
    assert send(api, "GET", "/rules/1").json["rule"]["name"] == "VIP"
    assert table_counts() == {"admin_rules": 1, "admin_mappings": 0, "audit_log": 1}


def test_an_integral_number_is_the_integer_json_schema_says_it_is(api: FlaskClient) -> None:
    response = raw(api, "POST", "/rules", '{"name": "x", "when": {"min_followers": 5.0}}')
    assert response.status_code == 201
    assert response.json["rule"]["when"]["min_followers"] == 5
