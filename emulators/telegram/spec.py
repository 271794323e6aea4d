"""Request checks against the Bot API OpenAPI document in ``../shared/specs``.

The project has no YAML or JSON Schema library, and the document is machine-written in a
small YAML subset (block mappings and sequences, double-quoted or plain scalars, no
anchors, no flow collections, no block scalars), so both are read here: ``load_yaml`` for
that subset (it refuses anything else rather than guess), ``problems`` for the JSON Schema
keywords the document uses. When the file is absent, validation is skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SPEC_NAME = "telegram-bot-api-8.1-openapi.yml"
DEFAULT_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / SPEC_NAME

_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+\.\d*(?:[eE][-+]?\d+)?")
_YAML_ESCAPES = {"/": "/", "_": "\u00a0", " ": " ", "N": "\u0085", "L": "\u2028", "P": "\u2029"}


@dataclass(frozen=True)
class _Line:
    number: int
    indent: int
    text: str


def load_yaml(text: str) -> Any:
    """The document as Python values; ``ValueError`` on YAML outside the supported subset."""
    lines = [
        _Line(n, len(raw) - len(raw.lstrip(" ")), raw.strip())
        for n, raw in enumerate(text.splitlines(), 1)
        if raw.strip() and not raw.lstrip().startswith("#") and raw.strip() != "---"
    ]
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0].indent)
    if end != len(lines):
        raise ValueError(f"line {lines[end].number}: unexpected indentation")
    return value


def _block(lines: list[_Line], i: int, indent: int) -> tuple[Any, int]:
    if _is_item(lines[i].text):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _sequence(lines: list[_Line], i: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while i < len(lines) and lines[i].indent == indent and _is_item(lines[i].text):
        rest = lines[i].text[1:].lstrip()
        if not rest:
            value, i = _nested(lines, i + 1, indent)
        elif _split_key(rest) is not None:  # "- key: value" opens a mapping one level in
            inner = indent + len(lines[i].text) - len(rest)
            lines[i] = _Line(lines[i].number, inner, rest)
            value, i = _mapping(lines, i, inner)
        else:
            value, i = _scalar(rest, lines[i].number), i + 1
        items.append(value)
    return items, i


def _mapping(lines: list[_Line], i: int, indent: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    while i < len(lines) and lines[i].indent == indent and not _is_item(lines[i].text):
        line = lines[i]
        split = _split_key(line.text)
        if split is None:
            raise ValueError(f"line {line.number}: expected 'key: value'")
        key, rest = split
        if key in result:
            raise ValueError(f"line {line.number}: duplicate key {key!r}")
        if rest:
            result[key], i = _scalar(rest, line.number), i + 1
        else:
            result[key], i = _nested(lines, i + 1, indent)
    if i < len(lines) and lines[i].indent > indent:
        raise ValueError(f"line {lines[i].number}: unexpected indentation")
    return result, i


def _nested(lines: list[_Line], i: int, indent: int) -> tuple[Any, int]:
    """The value under a key or ``-`` with nothing after it: deeper lines, or a sequence at
    the same indentation (YAML allows ``key:`` followed by ``- item`` unindented)."""
    if i < len(lines) and (lines[i].indent > indent
                           or (lines[i].indent == indent and _is_item(lines[i].text))):
        return _block(lines, i, lines[i].indent)
    return None, i


def _split_key(text: str) -> tuple[str, str] | None:
    if text.startswith('"'):
        end = _closing_quote(text)
        if end is None or not text[end + 1:].startswith(":"):
            return None
        key, rest = _unquote(text[: end + 1]), text[end + 2:]
    else:
        key, colon, rest = text.partition(": ")
        if not colon:
            if not text.endswith(":"):
                return None
            key, rest = text[:-1], ""
    if rest and not rest.startswith(" ") and text.startswith('"'):
        return None
    return key, rest.strip()


def _closing_quote(text: str) -> int | None:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None


def _scalar(text: str, number: int) -> Any:
    if text.startswith('"'):
        end = _closing_quote(text)
        if end is None or text[end + 1:].strip():
            raise ValueError(f"line {number}: unsupported quoted scalar")
        return _unquote(text)
    if text[0] in "[{&*!|>'%@`":
        raise ValueError(f"line {number}: unsupported YAML ({text[:20]!r})")
    text = text.split(" #", 1)[0].rstrip()
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _unquote(quoted: str) -> str:
    """A double-quoted YAML scalar; its escapes are JSON's plus a few of YAML's own."""
    body = re.sub(r"\\(.)", lambda m: _YAML_ESCAPES.get(m.group(1), m.group(0)), quoted[1:-1])
    value: str = json.loads(f'"{body}"')
    return value


@lru_cache(maxsize=4)
def load_spec(path: Path) -> dict[str, Any] | None:
    """The OpenAPI document at ``path``, or ``None`` when the file is absent."""
    if not path.is_file():
        return None
    spec = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or "paths" not in spec:
        raise ValueError(f"{path} is not an OpenAPI document")
    return spec


def request_schema(spec: dict[str, Any], method: str) -> dict[str, Any] | None:
    """The request body schema of a Bot API method, e.g. ``sendMessage``: the JSON one, or
    for methods taking files (``sendPhoto``...) the multipart/form-data one, the only one
    the document gives them (Telegram reads every method's parameters from either)."""
    operation = spec["paths"].get(f"/{method}", {}).get("post", {})
    content = operation.get("requestBody", {}).get("content", {})
    for kind in ("application/json", "multipart/form-data"):
        schema = content.get(kind, {}).get("schema")
        if isinstance(schema, dict):
            return schema
    return None


@dataclass(frozen=True)
class Problem:
    """One way a value breaks its schema: where, which keyword, in words."""

    path: str
    keyword: str
    message: str


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,),
}


def problems(value: Any, schema: dict[str, Any], spec: dict[str, Any],
             path: str = "") -> list[Problem]:
    """What is wrong with ``value`` under ``schema`` ($ref resolved within ``spec``)."""
    if "$ref" in schema:
        return problems(value, _resolve(spec, schema["$ref"]), spec, path)
    if "anyOf" in schema:
        if any(not problems(value, option, spec, path) for option in schema["anyOf"]):
            return []
        return [Problem(path, "anyOf", f"{path or 'value'} has none of the allowed shapes")]
    expected = schema.get("type")
    if expected in _TYPES and not _is_type(value, expected):
        return [Problem(path, "type", f"{path or 'value'} must be of type {expected}")]
    found = _checks(value, schema, path)
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                found.append(Problem(_join(path, name), "required", f"{name} is required"))
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += problems(value[name], sub, spec, _join(path, name))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += problems(item, schema["items"], spec, f"{path}[{index}]")
    return found


def _checks(value: Any, schema: dict[str, Any], path: str) -> list[Problem]:
    where, found = path or "value", []
    if "enum" in schema and value not in schema["enum"]:
        found.append(Problem(path, "enum", f"{where} must be one of {schema['enum']}"))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append(Problem(path, "minLength", f"{where} is too short"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(Problem(path, "maxLength",
                                 f"{where} is longer than {schema['maxLength']} characters"))
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(Problem(path, "minimum", f"{where} is below {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            found.append(Problem(path, "maximum", f"{where} is above {schema['maximum']}"))
    return found


def _is_type(value: Any, expected: str) -> bool:
    if isinstance(value, bool):
        return expected == "boolean"
    return isinstance(value, _TYPES[expected])


def _resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"unsupported $ref {ref}")
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part]
    if not isinstance(node, dict):
        raise ValueError(f"$ref {ref} is not a schema")
    return node


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
