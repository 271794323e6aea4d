"""Routing rules and field mappings from the TOML file named by ``BRIDGE_CONFIG``.

For teams that keep configuration in git; the admin pages show these read-only, with
their source (``toml:<path>``). The same models as the admin API validate them.

```toml
[[rules]]                               # in order; stop = true (the default) ends there
name = "vip on whatsapp"
stop = false
when = { channels = ["whatsapp"], min_followers = 10000 }
then = { tags = ["vip"], priority = "high", group_id = 360001234567 }

[[rules]]
name = "refunds"
when.keywords = ["refund", "remboursement", "استرداد", "החזר כספי", "คืนเงิน"]
when.regex = "order #?\\d{5,}"
then.categories = ["custom_request"]
then.fields = { "360012345678" = "refund" }

[[mappings]]
source = "handle"
field = "cf_social_handle"              # or a Zendesk field id: 360012345678
transforms = [{ kind = "lower" }, { kind = "truncate", length = 64 }]
```

Ids may be written as numbers (``group_id``, ``assignee_id``, ``brand_id``, ``accounts``,
a mapping's ``field``). Errors are ``ConfigError``s naming the file, the array index and
the field: ``bridge.toml: rules[1].when.channels[0]: Input should be 'messenger', ...``
(indexes count from 0). A regex that may backtrack for ever, a transform missing what it
needs, and a rule name used twice are errors too.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bridge.config_file import per_config_path, read_config
from bridge.errors import ConfigError
from bridge.rules.model import Mapping, Rule

M = TypeVar("M", bound=BaseModel)
_IDS = {"then": ("group_id", "assignee_id", "brand_id"), "when": ("accounts",)}


@dataclass(frozen=True)
class FileRules:
    """Rules and mappings of one file, in file order; ``source`` is ``toml:<path>``
    (``""`` without a file)."""

    source: str = ""
    rules: tuple[Rule, ...] = ()
    mappings: tuple[Mapping, ...] = ()


def load_file_rules(path: str | Path | None) -> FileRules:
    """Read ``path``; no path means no rules and no mappings."""
    if not path:
        return FileRules()
    return parse_file_rules(read_config(path), str(path))


def parse_file_rules(data: MappingABC[str, Any], path: str = "<config>") -> FileRules:
    """The ``[[rules]]`` and ``[[mappings]]`` arrays of a parsed TOML document."""
    rules = tuple(_read(path, "rules", i, Rule, _rule_ids(item))
                  for i, item in enumerate(_array(data, "rules", path)))
    mappings = tuple(_read(path, "mappings", i, Mapping, _mapping_ids(item))
                     for i, item in enumerate(_array(data, "mappings", path)))
    _check_rules(path, rules)
    return FileRules(f"toml:{path}", rules, mappings)


def _array(data: MappingABC[str, Any], key: str, path: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key}: expected an array of tables ([[{key}]])")
    return value


def _read(path: str, key: str, index: int, model: type[M], item: Any) -> M:
    where = f"{path}: {key}[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected a table, got {type(item).__name__}")
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        raise ConfigError("; ".join(f"{where}{_place(e['loc'])}: {_message(e['msg'])}"
                                    for e in exc.errors())) from None


def _place(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _message(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def _rule_ids(item: Any) -> Any:
    """A copy of a rule table with numeric ids as strings (TOML users write them bare)."""
    if not isinstance(item, dict):
        return item
    out = dict(item)
    for part, keys in _IDS.items():
        if isinstance(out.get(part), dict):
            out[part] = {k: _id_text(v) if k in keys else v for k, v in out[part].items()}
    return out


def _mapping_ids(item: Any) -> Any:
    if not isinstance(item, dict) or "field" not in item:
        return item
    return {**item, "field": _id_text(item["field"])}


def _id_text(value: Any) -> Any:
    if isinstance(value, list):
        return [_id_text(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_rules(path: str, rules: tuple[Rule, ...]) -> None:
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.name in seen:
            raise ConfigError(f"{path}: rules[{i}].name: rule {rule.name!r} is defined twice")
        seen.add(rule.name)


file_rules = per_config_path(load_file_rules)
"""The rules and mappings of the current ``BRIDGE_CONFIG``, read once per path."""


def toml_rules() -> list[tuple[str, Rule]]:
    """``(source, rule)`` pairs of the current file, in file order (for the admin store)."""
    loaded = file_rules()
    return [(loaded.source, rule) for rule in loaded.rules]


def toml_mappings() -> list[tuple[str, Mapping]]:
    """``(source, mapping)`` pairs of the current file, in file order."""
    loaded = file_rules()
    return [(loaded.source, mapping) for mapping in loaded.mappings]
