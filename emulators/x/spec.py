"""Request checks against X's OpenAPI document (``../shared/specs/x-api-v2-openapi.json``).

The document is JSON, so it is read as it is; ``problems`` knows the JSON Schema keywords
its request and response schemas use (``$ref``, ``type``, ``properties``, ``required``,
``additionalProperties``, ``pattern``, ``enum``, lengths, item counts, bounds, ``anyOf``,
``oneOf``, ``allOf``). When the file is absent, validation is skipped.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

JSON = dict[str, Any]
SPEC_NAME = "x-api-v2-openapi.json"
DEFAULT_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / SPEC_NAME
_TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool,
    "integer": int, "number": (int, float),
}


@lru_cache(maxsize=4)
def load_spec(path: Path) -> JSON | None:
    """The document, or ``None`` when the file is absent."""
    if not path.exists():
        return None
    loaded: JSON = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def operation(spec: JSON, template: str, method: str) -> JSON:
    """The operation object at ``paths[template][method]``; ``KeyError`` if undocumented."""
    found: JSON = spec["paths"][template][method.lower()]
    return found


def request_schema(spec: JSON, template: str, method: str) -> JSON:
    body = operation(spec, template, method)["requestBody"]["content"]["application/json"]
    return resolve(spec, body["schema"])


def response_schema(spec: JSON, template: str, method: str, status: str) -> JSON:
    content = operation(spec, template, method)["responses"][status]["content"]
    return resolve(spec, content["application/json"]["schema"])


def parameter_schema(spec: JSON, template: str, method: str, name: str) -> JSON:
    params = operation(spec, template, method).get("parameters", [])
    return next(resolve(spec, p["schema"]) for p in params if p.get("name") == name)


def resolve(spec: JSON, schema: JSON) -> JSON:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def problems(value: Any, schema: JSON, spec: JSON, where: str = "") -> list[str]:
    """What is wrong with ``value`` under ``schema``: one line per problem, [] if valid."""
    schema = resolve(spec, schema)
    at = where or "body"
    kind = schema.get("type")
    if kind is not None and not _is(value, kind):
        return [f"{at}: expected {kind}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} is not one of {schema['enum']}")
    found += _combined(value, schema, spec, where)
    if isinstance(value, str):
        found += _string(value, schema, at)
    if isinstance(value, int | float) and not isinstance(value, bool):
        found += _number(value, schema, at)
    if isinstance(value, list):
        found += _array(value, schema, spec, where)
    if isinstance(value, dict):
        found += _object(value, schema, spec, where)
    return found


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return kind not in _TYPES or isinstance(value, _TYPES[kind])


def _combined(value: Any, schema: JSON, spec: JSON, where: str) -> list[str]:
    found = [p for part in schema.get("allOf", []) for p in problems(value, part, spec, where)]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            valid = sum(not problems(value, part, spec, where) for part in schema[key])
            if valid == 0 or (key == "oneOf" and valid > 1):
                found.append(f"{where or 'body'}: matches {valid} of the {key} choices")
    return found


def _string(value: str, schema: JSON, at: str) -> list[str]:
    found = []
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        found.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if len(value) < schema.get("minLength", 0):
        found.append(f"{at}: shorter than {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{at}: longer than {schema['maxLength']}")
    return found


def _number(value: float, schema: JSON, at: str) -> list[str]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"{at}: {value} is out of range"]
    return []


def _array(value: list[Any], schema: JSON, spec: JSON, where: str) -> list[str]:
    found = []
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
        found.append(f"{where or 'body'}: {len(value)} items is out of range")
    for index, item in enumerate(value):
        found += problems(item, schema.get("items", {}), spec, f"{where}[{index}]")
    return found


def _object(value: JSON, schema: JSON, spec: JSON, where: str) -> list[str]:
    props: JSON = schema.get("properties", {})
    found = [f"{_join(where, key)}: required" for key in schema.get("required", [])
             if key not in value]
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in props:
            found += problems(item, props[key], spec, _join(where, key))
        elif extra is False:
            found.append(f"{_join(where, key)}: not allowed")
        elif isinstance(extra, dict):
            found += problems(item, extra, spec, _join(where, key))
    return found


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
