"""The admin API's OpenAPI 3.1 document: schemas from the pydantic models (the request
bodies are ``Rule`` and ``Mapping`` themselves), paths written here with every status
each endpoint can answer."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from bridge.admin import dry_run, views
from bridge.rules.model import TAG_PATTERN, Mapping, Rule
from bridge.web.api_io import MAX_DB_ID

JSON = "application/json"
REF = "#/components/schemas/{model}"
MODELS: tuple[type[BaseModel], ...] = (
    Rule, Mapping, views.RuleItem, views.MappingItem, views.RuleList, views.MappingList,
    views.AuditPage, views.ErrorBody, dry_run.DryRunRequest, dry_run.DryRunAnswer,
    dry_run.MessageList,
)
ERRORS = {
    400: "the body is not JSON (or not UTF-8)",
    401: "no token, a wrong one, or BRIDGE_ADMIN_TOKEN unset (the API is then closed)",
    404: "no such item (or message)",
    409: "a stale version, a TOML item (read-only: change the file), or a concurrent change",
    413: "the body is over 1 MB",
    415: "the body was not sent as application/json",
    422: "the body or a parameter does not fit (details name the field), or the helpdesk "
         "refuses a field or value",
    503: "the TOML file does not load, or the helpdesk's ticket fields cannot be read now "
         "(the error says which); retry after Retry-After seconds",
}
TRANSFORM_NEEDS = (("lookup", "table"), ("default", "value"), ("truncate", "length"))
BODY_ERRORS = (400, 401, 413, 415, 422)
ITEM_ID = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_DB_ID},
                     {"type": "string", "pattern": "^toml-[1-9][0-9]{0,8}$"}]}
ID = {"name": "id", "in": "path", "required": True, "schema": ITEM_ID,
      "description": "a database id, or toml-<n> for the n-th item of the TOML file"}
ACTOR = {"name": "X-Admin-User", "in": "header", "required": False,
         "schema": {"type": "string"},
         "description": 'who makes the change, for the audit log (default "api")'}
VERSION = {"name": "version", "in": "query", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_ID},
           "description": "the version you read; 409 when the item has changed since"}
DESCRIPTION = (
    "Routing rules and field mappings, with an audit log of every change. Every endpoint "
    "needs `Authorization: Bearer <BRIDGE_ADMIN_TOKEN>`. Errors are "
    '`{"error": ..., "details": [{"field", "message"}]}`. Text may not contain NUL '
    "characters. Rules and mappings from the TOML file are listed read-only with "
    "`source: toml:<path>`."
)


def document() -> dict[str, Any]:
    return copy.deepcopy(_document())


def query_names(route: str, method: str) -> set[str] | None:
    """The query parameters the document gives a Flask route and method (``None`` when
    it does not document them, e.g. OPTIONS)."""
    path = route.replace("<item:ident>", "{id}")
    op = _document()["paths"].get(path, {}).get("get" if method == "HEAD" else method.lower())
    if op is None:
        return None
    return {p["name"] for p in op.get("parameters", ()) if p["in"] == "query"}


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bridge admin API", "version": "1", "description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "paths": {**_item_paths("rule", "Rule", "RuleList", "RuleItem"),
                  **_item_paths("mapping", "Mapping", "MappingList", "MappingItem"),
                  "/api/v1/rules/order": {"post": _reorder()},
                  **_other_paths()},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "BRIDGE_ADMIN_TOKEN"}},
        },
    }


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in MODELS:
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    _document_validators(schemas)
    return schemas


def _document_validators(schemas: dict[str, Any]) -> None:
    """What the models check in Python that their JSON schema does not say."""
    schemas["Actions"]["properties"]["tags"]["items"]["pattern"] = tag_pattern()
    # Not ``format: regex``: that names ECMA-262 patterns, and ours are Python's (refused
    # with 422 when they do not compile or may backtrack for ever).
    schemas["Condition"]["properties"]["regex"]["description"] = (
        "Python regular expression over the normalised text; 422 when it does not compile "
        "or may backtrack for ever")
    schemas["Transform"]["allOf"] = [
        {"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
         "then": {"properties": {needed: {"not": {"type": "null"}}}, "required": [needed]}}
        for kind, needed in TRANSFORM_NEEDS
    ]


def tag_pattern() -> str:
    """``TAG_PATTERN`` as Python applies it (``re.fullmatch``), for engines that read
    ``\\s`` differently (ECMA 262, Rust): the whitespace spelled out (Python's ``\\s``
    includes U+001C..U+001F and U+0085, ECMA's does not)."""
    assert TAG_PATTERN == r"^[^\s,]{1,80}$", "tag pattern changed: update tag_pattern()"
    spaces = "".join(f"\\u{code:04x}" for code in range(0x3001) if chr(code).isspace())
    return f"^[^,{spaces}]{{1,80}}$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _op(op_id: str, summary: str, ok: tuple[int, dict[str, Any] | None], errors: tuple[int, ...],
        params: tuple[dict[str, Any], ...] = (), body: dict[str, Any] | None = None,
        unavailable: bool = True) -> dict[str, Any]:
    """One operation; ``unavailable``: it reads the TOML file or the helpdesk's fields,
    so it may answer 503."""
    code, schema = ok
    responses: dict[str, Any] = {
        str(code): _json(schema, "done") if schema is not None else {"description": "done"}}
    for error in sorted({401, *errors, *((503,) if unavailable else ())}):
        responses[str(error)] = _json(ref("ErrorBody"), ERRORS[error])
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": responses}
    if params:
        op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    return op


def _item_paths(entity: str, model: str, listing: str, item: str) -> dict[str, Any]:
    base, name = f"/api/v1/{entity}s", entity.capitalize()
    created = _op(f"create{name}", f"add a {entity}", (201, ref(item)), BODY_ERRORS,
                  (ACTOR,), ref(model))
    created["responses"]["201"]["headers"] = {"Location": {"schema": {"type": "string"}}}
    toggles = {
        f"{base}/{{id}}/{verb}": {"post": _op(
            f"{verb}{name}", f"{verb} a {entity}", (200, ref(item)), (404, 409, 422),
            (ID, ACTOR))}
        for verb in ("enable", "disable")
    }
    return {
        base: {
            "get": _op(f"list{name}s", f"every {entity}, TOML ones first",
                       (200, ref(listing)), ()),
            "post": created,
        },
        f"{base}/{{id}}": {
            "get": _op(f"get{name}", f"one {entity}", (200, ref(item)), (404,), (ID,)),
            "put": _op(f"replace{name}", f"replace a {entity}", (200, ref(item)),
                       (*BODY_ERRORS, 404, 409), (ID, VERSION, ACTOR), ref(model)),
            "delete": _op(f"delete{name}", f"delete a {entity}", (204, None), (404, 409, 422),
                          (ID, {**VERSION, "required": False}, ACTOR)),
        },
        **toggles,
    }


def _reorder() -> dict[str, Any]:
    body = {"type": "array", "uniqueItems": True, "items": ITEM_ID,
            "description": "every database rule id exactly once, first to last"}
    return _op("reorderRules", "set the order of the database rules", (200, ref("RuleList")),
               (*BODY_ERRORS, 409), (ACTOR,), body)


def _other_paths() -> dict[str, Any]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema,
                "description": description}

    audit_params = (
        query("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "page size (50)"),
        query("before", {"type": "integer", "minimum": 1, "maximum": MAX_DB_ID},
              "next_before of the previous page"),
        query("entity", {"type": "string", "enum": ["rule", "mapping"]}, "only these"),
        query("entity_id", {"type": "integer", "minimum": 1, "maximum": MAX_DB_ID},
              "only this rule or mapping"),
    )
    return {
        "/api/v1/audit": {"get": _op("listAudit", "the audit log, newest first",
                                     (200, ref("AuditPage")), (422,), audit_params,
                                     unavailable=False)},
        "/api/v1/messages": {"get": _op(
            "listMessages", "recent inbox messages, newest first, for the dry run",
            (200, ref("MessageList")), (422,),
            (query("limit", {"type": "integer", "minimum": 1, "maximum": 100},
                   "how many (20)"),), unavailable=False)},
        "/api/v1/dry-run": {"post": _op(
            "dryRun", "the saved rules and a draft on picked or pasted messages; writes "
            "nothing", (200, ref("DryRunAnswer")), (*BODY_ERRORS, 404), (),
            ref("DryRunRequest"))},
        "/api/v1/fields": {"get": _op("listFields", "the helpdesk's ticket fields",
                                      (200, {"type": "array", "items": {"type": "object"}}),
                                      ())},
        "/api/v1/openapi.json": {"get": _op("getOpenApi", "this document",
                                            (200, {"type": "object"}), (), unavailable=False)},
    }
