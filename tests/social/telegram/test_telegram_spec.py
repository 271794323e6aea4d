"""The emulator's reader of the Bot API OpenAPI document: the YAML subset and the schema
keywords it needs, on snippets and on the real file (read in place from ../shared)."""

from __future__ import annotations

from typing import Any

import pytest

from emulators.telegram.spec import DEFAULT_SPEC, load_spec, load_yaml, problems, request_schema
from tests.conftest import shared_path


def test_yaml_subset() -> None:
    text = """---
# a comment
openapi: 3.0.0
paths:
  /sendMessage:
    post:
      required:
        - chat_id
        - text
      anyOf:
        - $ref: "#/components/schemas/A"
          default: true
        - type: string
      "200":
        description: "Quoted: \\"yes\\" \\\\ \\n \\u00e9 \\_ \\/"
      flags:
      - 1
      - -2.5
      empty:
      plain: value with: colon inside #comment
"""
    assert load_yaml(text) == {"openapi": "3.0.0", "paths": {"/sendMessage": {"post": {
        "required": ["chat_id", "text"],
        "anyOf": [{"$ref": "#/components/schemas/A", "default": True}, {"type": "string"}],
        "200": {"description": 'Quoted: "yes" \\ \n é \u00a0 /'},
        "flags": [1, -2.5],
        "empty": None,
        "plain": "value with: colon inside",
    }}}}


@pytest.mark.parametrize("text", [
    "a: [1, 2]",  # flow sequence
    "a: {b: 1}",  # flow mapping
    "a: |\n  block",  # block scalar
    "a: &anchor 1",
    "a: 'single'",
    "a: \"unterminated",
    "a:\n    b: 1\n  c: 2",  # inconsistent indentation
    "a: 1\na: 2",  # duplicate key
    "a: plain\n  continued",  # multi-line plain scalar
    "just a scalar line\nb: 1",
])
def test_yaml_outside_the_subset_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="line"):
        load_yaml(text)


def test_the_real_spec_loads() -> None:
    spec = load_spec(shared_path("specs", DEFAULT_SPEC.name))
    assert spec is not None
    assert spec["info"]["version"] == "8.1.0"
    assert len(spec["paths"]) == 131  # the 131 methods SOURCES.md counts
    send = request_schema(spec, "sendMessage")
    assert send is not None and send["required"] == ["chat_id", "text"]
    assert send["properties"]["text"]["maxLength"] == 4096
    assert request_schema(spec, "getFile") is not None
    assert request_schema(spec, "noSuchMethod") is None
    for ref in _refs(spec):  # every $ref resolves
        node: Any = spec
        for part in ref[2:].split("/"):
            node = node[part]
        assert isinstance(node, dict)


def test_a_missing_spec_is_none(tmp_path: Any) -> None:
    assert load_spec(tmp_path / "absent.yml") is None


def test_schema_keywords() -> None:
    spec = {"components": {"schemas": {"Id": {"type": "integer", "minimum": 1}}}}
    schema = {"type": "object", "required": ["id"], "properties": {
        "id": {"$ref": "#/components/schemas/Id"},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 2}},
        "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        "flag": {"type": "boolean"},
    }}
    assert problems({"id": 1, "kind": "a", "tags": ["ab"], "either": "x", "flag": False},
                    schema, spec) == []
    found = problems({"id": 0, "kind": "c", "tags": ["abc", 1], "either": [], "flag": 1},
                     schema, spec)
    assert [(p.path, p.keyword) for p in found] == [
        ("id", "minimum"), ("kind", "enum"), ("tags[0]", "maxLength"), ("tags[1]", "type"),
        ("either", "anyOf"), ("flag", "type"),
    ]
    assert [p.keyword for p in problems({}, schema, spec)] == ["required"]
    assert [p.keyword for p in problems(True, {"type": "integer"}, spec)] == ["type"]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [
            r for k, v in node.items() if k != "$ref" for r in _refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []
