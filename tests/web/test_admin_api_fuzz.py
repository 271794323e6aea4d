"""The admin API fuzzed with schemathesis against the OpenAPI document it serves, through
the Flask app (WSGI): every operation, positive and negative data, every built-in check
(no 5xx, status codes and bodies as documented, auth not ignored, 405 for other methods).
Then every documented operation without a token, with a wrong one, and with the API
closed (no BRIDGE_ADMIN_TOKEN): 401, JSON, nothing stored.

Deterministic (fixed seed, derandomised) and small (``MAX_EXAMPLES`` per operation) so CI
stays stable and under a minute. Strings are generated without NUL: the API refuses NUL
on purpose (PostgreSQL cannot store it), as its document says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from schemathesis.config import SchemathesisConfig

from bridge.admin import sources
from bridge.app import create_app
from bridge.rules.model import Mapping, Rule
from bridge.web import openapi
from tests.conftest import apply_env
from tests.web.test_admin_api import ADMIN_TABLES, helpdesk_accepts_everything, table_counts

TOKEN = "fuzz-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_EXAMPLES = 40
SEED = 20261122
TOML = "toml:/etc/bridge/bridge.toml"


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        # The token is ours (sent with every call); generating or dropping the security
        # header itself would make cases whose mutation never reaches the app. Missing and
        # wrong tokens are tested on every operation below.
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True,
                       "allow-x00": False, "with-security-parameters": False},
        # Schema-valid data may still be refused with 422 for what JSON Schema cannot say:
        # a rule regex must compile in Python and not backtrack for ever (the document says
        # so in words). Every other refusal of valid data still fails the run.
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]}},
    })


@pytest.fixture
def admin_app(env: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[Flask]:
    """The app on a migrated SQLite database holding a rule and a mapping, with one
    read-only rule and mapping from a TOML file, so ids 1 and toml-1 exist."""
    apply_env(env, DATABASE_URL=sqlite_url, BRIDGE_ADMIN_TOKEN=TOKEN)
    helpdesk_accepts_everything(env)
    env.setattr(sources, "toml_rules", lambda: [(TOML, Rule(name="from the file"))])
    env.setattr(sources, "toml_mappings",
                lambda: [(TOML, Mapping(source="language", field="360001"))])
    app = create_app()
    client = app.test_client()
    assert client.post("/api/v1/rules", json={"name": "seeded"}, headers=AUTH).status_code == 201
    assert client.post("/api/v1/mappings", json={"source": "channel", "field": "cf_channel"},
                       headers=AUTH).status_code == 201
    yield app


@pytest.fixture
def admin_schema(admin_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", admin_app, headers=AUTH,
                                          config=fuzz_config())


schema = schemathesis.pytest.from_fixture("admin_schema")


@schema.parametrize()
def test_every_operation_survives_fuzzing(case: Any) -> None:
    case.call_and_validate(headers=AUTH)


def test_the_document_is_valid_openapi_built_on_the_models() -> None:
    document = openapi.document()
    schemathesis.openapi.from_dict(document).validate()
    broken = openapi.document()
    broken["paths"]["/api/v1/rules"]["get"]["responses"] = {"200": {"content": {}}}
    with pytest.raises(Exception, match="description"):
        schemathesis.openapi.from_dict(broken).validate()
    components = document["components"]["schemas"]
    for model in (Rule, Mapping):
        own = model.model_json_schema(ref_template=openapi.REF)
        own.pop("$defs", None)
        assert components[model.__name__] == own
    body = document["paths"]["/api/v1/rules/{id}"]["put"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": openapi.REF.format(
        model="Rule")}


# ---- the token, on every documented operation -------------------------------------------


def operations() -> list[tuple[str, str]]:
    """(method, concrete path) of every operation in the document, ids filled in."""
    found = []
    for path, item in openapi.document()["paths"].items():
        for method in item:
            found.append((method.upper(), path.replace("{id}", "1")))
    return found


def call(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> Any:
    return client.open(path, method=method, headers=headers, json=["x"])


@pytest.fixture
def closed_client(env: pytest.MonkeyPatch, sqlite_url: str) -> FlaskClient:
    apply_env(env, DATABASE_URL=sqlite_url)
    return create_app().test_client()


def test_the_document_lists_every_route_under_the_prefix(admin_app: Flask) -> None:
    routed = {
        (method, rule.rule.replace("<item:ident>", "{id}"))
        for rule in admin_app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods or () if method not in ("HEAD", "OPTIONS")
    }
    documented = {(method.upper(), path) for path, item in openapi.document()["paths"].items()
                  for method in item}
    assert routed == documented


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": "Bearer ünïcode"},
], ids=["none", "wrong", "longer", "basic", "bare", "non-ascii"])
def test_every_operation_refuses_a_missing_or_wrong_token(
    admin_app: Flask, headers: dict[str, str]
) -> None:
    client = admin_app.test_client()
    before = table_counts()
    for method, path in [*operations(), ("GET", "/api/v1/no-such-thing")]:
        response = call(client, method, path, headers)
        assert response.status_code == 401, (method, path)
        assert response.json is not None and "bearer token" in response.json["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert table_counts() == before


def test_without_a_configured_token_every_operation_is_closed(
    closed_client: FlaskClient,
) -> None:
    for method, path in operations():
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            response = call(closed_client, method, path, headers)
            assert response.status_code == 401, (method, path)
            assert response.json == {"error": "admin API closed: set BRIDGE_ADMIN_TOKEN",
                                     "details": []}
    assert set(table_counts().values()) == {0}
    assert set(table_counts()) == set(ADMIN_TABLES)
