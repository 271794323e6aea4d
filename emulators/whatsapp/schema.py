"""The request schemas of ``POST /{Version}/{Phone-Number-ID}/messages``, from Meta's
OpenAPI document (``business-messaging-api_v23.0.yaml``), and a validator for them.

``SCHEMAS`` transcribes the components the bridge uses (text, template, interactive
reply buttons, media by link) without descriptions and examples; ``spec_schemas`` reads the same
components out of the YAML file itself (no YAML library: a reader for the block style
the document is written in), so a test proves the transcription matches, and
``python -m emulators.whatsapp --spec FILE`` validates against the file directly.

The validator knows the keywords these components use: ``$ref``, ``allOf``, ``type``,
``required``, ``enum``, ``const``, ``properties``, ``additionalProperties``, ``items``,
``maxLength``, ``minItems``, ``maxItems``; it skips ``oneOf``, ``discriminator`` and
``pattern`` (``TemplateComponent.index`` has ``^[2-6, 11-14]$``, which refuses the
spec's own ``'0'``). ``allOf`` branches are merged before checking, because the spec
puts ``additionalProperties: false`` in a branch that lists only its own properties.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

JSON = dict[str, Any]
REF = "#/components/schemas/"
KEYWORDS = frozenset({"$ref", "allOf", "type", "required", "enum", "const", "properties",
                      "additionalProperties", "items", "maxLength", "minItems", "maxItems"})
MESSAGE_TYPES = {"text": "TextMessage", "template": "TemplateMessage",
                 "interactive": "InteractiveMessage", "image": "ImageMessage",
                 "video": "VideoMessage", "audio": "AudioMessage",
                 "document": "DocumentMessage", "sticker": "StickerMessage"}
# ``Message``'s discriminator: every ``type`` a send may have (the others are refused).
SEND_TYPES = ("text", "audio", "document", "image", "location", "video", "sticker",
              "reaction", "interactive", "template", "contacts")


def _ref(name: str) -> JSON:
    return {"$ref": REF + name}


def _str(*enum: str) -> JSON:
    return {"type": "string", "enum": list(enum)} if enum else {"type": "string"}


def _message(kind: str, extra: JSON, required: str, closed: bool = True) -> JSON:
    part: JSON = {"type": "object", "required": [required],
                  "properties": {"type": _str(kind), **extra}}
    if closed:
        part["additionalProperties"] = False
    return {"allOf": [_ref("BaseMessageProperties"), part]}


SCHEMAS: dict[str, JSON] = {
    "BaseMessageProperties": {
        "type": "object",
        "required": ["messaging_product", "recipient_type", "to", "type"],
        "properties": {"messaging_product": _str(), "recipient_type": _str("individual", "group"),
                       "to": _str(), "type": _str(), "context": _ref("MessageContext")},
    },
    "MessageContext": {"type": "object", "properties": {"message_id": _str()}},
    "TextMessage": _message("text", {"text": {
        "type": "object", "additionalProperties": False,
        "properties": {"body": _str(), "preview_url": {"type": "boolean"}}}}, "text"),
    "TemplateMessage": _message("template", {"template": _ref("TemplateObject")}, "template",
                                closed=False),
    "TemplateObject": {
        "type": "object", "required": ["name", "language"],
        "properties": {"name": _str(), "language": _ref("LanguageObject"),
                       "components": {"type": "array", "items": _ref("TemplateComponent")}},
    },
    "LanguageObject": {"type": "object", "required": ["policy", "code"],
                       "properties": {"policy": _str("deterministic"), "code": _str()}},
    "TemplateComponent": {
        "type": "object", "required": ["type"],
        "properties": {"type": _str("header", "body", "button"),
                       "sub_type": _str("quick_reply", "url", "catalog"),
                       "parameters": {"type": "array"}, "index": _str()},
    },
    "InteractiveMessage": _message("interactive", {"interactive": _ref("InteractiveObject")},
                                   "interactive"),
    "InteractiveObject": {
        "type": "object", "required": ["type", "action"],
        "properties": {"type": _str("button", "call_permission_request", "catalog_message",
                                    "list", "product", "product_list", "flow"),
                       "header": _ref("HeaderObject"), "body": _ref("BodyObject"),
                       "footer": _ref("FooterObject"), "action": _ref("ActionObject")},
    },
    # The media messages: ``MediaObject`` and ``sticker`` are a ``oneOf`` (``id`` or
    # ``link``) the validator skips; ``media.media_problem`` checks it.
    **{f"{kind.capitalize()}Message": _message(kind, {kind: _ref("MediaObject")}, kind)
       for kind in ("image", "video", "audio", "document")},
    "StickerMessage": _message("sticker", {"sticker": {"type": "object"}}, "sticker"),
    "MediaObject": {"type": "object"},
    "BodyObject": {"type": "object", "required": ["text"],
                   "properties": {"text": {"type": "string", "maxLength": 1024}}},
    "FooterObject": {"type": "object", "required": ["text"],
                     "properties": {"text": {"type": "string", "maxLength": 60}}},
}


def relaxed(schemas: dict[str, JSON]) -> dict[str, JSON]:
    """What the live API accepts: ``recipient_type`` (default ``individual``) and
    ``language.policy`` may be left out, as the spec's own examples do."""
    out = copy.deepcopy(schemas)
    for name, key in (("BaseMessageProperties", "recipient_type"), ("LanguageObject", "policy")):
        if name in out and key in out[name].get("required", ()):
            out[name]["required"] = [k for k in out[name]["required"] if k != key]
    return out


def message_problems(body: Any, schemas: dict[str, JSON]) -> list[str]:
    """Where ``body`` breaks the spec for its ``type``; other types: the base only."""
    kind = body.get("type") if isinstance(body, dict) else None
    name = MESSAGE_TYPES.get(kind) if isinstance(kind, str) else None
    return problems(body, _ref(name or "BaseMessageProperties"), schemas)


def problems(value: Any, schema: JSON, schemas: dict[str, JSON], path: str = "") -> list[str]:
    schema = _resolve(schema, schemas)
    where = path or "body"
    kind = schema.get("type")
    if kind is not None and not _is(value, kind):
        return [f"{where} must be of type {kind}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where} must be one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{where} must be {schema['const']!r}")
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        found.append(f"{where} must be at most {schema['maxLength']} characters long")
    if isinstance(value, list):
        found += _array(value, schema, schemas, where)
    if isinstance(value, dict):
        found += _object(value, schema, schemas, path)
    return found


def _array(value: list[Any], schema: JSON, schemas: dict[str, JSON], where: str) -> list[str]:
    found = []
    if len(value) < schema.get("minItems", 0):
        found.append(f"{where} must have at least {schema['minItems']} items")
    if len(value) > schema.get("maxItems", len(value)):
        found.append(f"{where} must have at most {schema['maxItems']} items")
    for i, item in enumerate(value):
        if "items" in schema:
            found += problems(item, schema["items"], schemas, f"{where}[{i}]")
    return found


def _object(value: JSON, schema: JSON, schemas: dict[str, JSON], path: str) -> list[str]:
    props: JSON = schema.get("properties", {})
    found = [f"{_join(path, k)} is required" for k in schema.get("required", ())
             if k not in value]
    if schema.get("additionalProperties") is False:
        found += [f"{_join(path, k)} is not a known parameter" for k in value if k not in props]
    for key, sub in props.items():
        if key in value:
            found += problems(value[key], sub, schemas, _join(path, key))
    return found


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _resolve(schema: JSON, schemas: dict[str, JSON]) -> JSON:
    """Follow ``$ref`` (unknown components accept anything) and merge ``allOf``."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = schemas.get(ref.removeprefix(REF))
        schema = {**(target or {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        if target is not None and "$ref" in target:
            schema = _resolve(schema, schemas)
    if "allOf" not in schema:
        return schema
    merged: JSON = {k: v for k, v in schema.items() if k != "allOf"}
    for part in (_resolve(p, schemas) for p in schema["allOf"]):
        for key, sub in part.get("properties", {}).items():
            props = merged.setdefault("properties", {})
            props[key] = {"allOf": [props[key], sub]} if key in props else sub
        merged["required"] = [*merged.get("required", []), *part.get("required", [])]
        if merged.get("type") is None:
            merged["type"] = part.get("type")
        if part.get("additionalProperties") is False:  # closed if any branch is closed
            merged["additionalProperties"] = False
    return merged


def _is(value: Any, kind: str) -> bool:
    checks: dict[str, Any] = {
        "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    }
    return bool(checks[kind](value)) if kind in checks else True


# ---- reading the spec ------------------------------------------------------------------


def spec_schemas(path: Path, names: list[str] | None = None) -> dict[str, JSON]:
    """``components.schemas`` entries of the spec file, reduced to ``KEYWORDS``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("  schemas:") + 1
    out: dict[str, JSON] = {}
    for name in names or list(SCHEMAS):
        at = lines.index(f"    {name}:", start)
        end = next((i for i in range(at + 1, len(lines)) if _indent(lines[i]) <= 4
                    and lines[i].strip()), len(lines))
        block = [(_indent(ln), ln.strip()) for ln in lines[at + 1:end] if ln.strip()]
        value, _ = _node(block, 0, block[0][0])
        out[name] = keywords_only(value)
    return out


def keywords_only(schema: Any) -> Any:
    """``schema`` without descriptions, examples, discriminators and patterns."""
    if isinstance(schema, list):
        return [keywords_only(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {k: (v if k in ("required", "enum") else
                {p: keywords_only(s) for p, s in v.items()} if k == "properties" else
                keywords_only(v))
            for k, v in schema.items() if k in KEYWORDS}


Line = tuple[int, str]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _node(block: list[Line], i: int, indent: int) -> tuple[Any, int]:
    if block[i][1].startswith("- ") or block[i][1] == "-":
        return _sequence(block, i, indent)
    return _mapping(block, i, indent)


def _sequence(block: list[Line], i: int, indent: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    while i < len(block) and block[i][0] == indent and block[i][1].startswith("-"):
        rest = block[i][1][1:].strip()
        if not rest:
            value, i = _node(block, i + 1, block[i + 1][0])
        elif _KEY.match(rest):  # "- key: value" opens a mapping two columns in
            block[i] = (indent + 2, rest)
            value, i = _mapping(block, i, indent + 2)
        else:
            value, i = _scalar(block, i, indent, rest)
        items.append(value)
    return items, i


def _mapping(block: list[Line], i: int, indent: int) -> tuple[JSON, int]:
    out: JSON = {}
    while i < len(block) and block[i][0] == indent and not block[i][1].startswith("- "):
        match = _KEY.match(block[i][1])
        if match is None:
            raise ValueError(f"not a mapping line: {block[i][1]!r}")
        key, rest = _unquote(match.group(1)), (match.group(2) or "").strip()
        if rest:
            out[key], i = _scalar(block, i, indent, rest)
        elif i + 1 < len(block) and (block[i + 1][0] > indent or (
                block[i + 1][0] == indent and block[i + 1][1].startswith("-"))):
            out[key], i = _node(block, i + 1, block[i + 1][0])
        else:
            out[key], i = None, i + 1
    return out, i


_KEY = re.compile(r"^('[^']*'|\"[^\"]*\"|[^\s'\"][^:]*?):(?:\s+(.*))?$")


def _scalar(block: list[Line], i: int, indent: int, text: str) -> tuple[Any, int]:
    i += 1
    if text[0] in "'\"" and not (len(text) > 1 and text.endswith(text[0])):
        while i < len(block) and not block[i][1].endswith(text[0]):  # multi-line quoted
            i += 1
        return text, i + 1
    while i < len(block) and block[i][0] > indent:  # block scalars, folded plain lines
        i += 1
    return _plain(text), i


def _plain(text: str) -> Any:
    if text in ("[]", "{}"):
        return [] if text == "[]" else {}
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return _unquote(text)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text
