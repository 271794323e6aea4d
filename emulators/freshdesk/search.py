"""``GET /api/v2/search/tickets?query="..."``: Freshdesk's filter language, a useful subset.

``"(tag:'social' OR priority:>3) AND status:2"``: clauses ``field:value`` where value is
``'text'``, an integer, ``true``/``false``, ``null``, or ``>``/``<`` a number or a quoted
date (inclusive, as Freshdesk documents); ``AND`` binds tighter than ``OR``. The whole
query is wrapped in double quotes and at most 512 characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import JSON, validation

MAX_QUERY = 512
INTEGER_FIELDS = {"status": "status", "priority": "priority", "group_id": "group_id",
                  "agent_id": "responder_id"}
DATE_FIELDS = {"created_at", "updated_at", "due_by", "fr_due_by"}
_TOKEN = re.compile(r"\s*(\(|\)|AND\b|OR\b|[A-Za-z_0-9]+:[<>]?(?:'[^']*'|[^\s()']+))")

Predicate = Callable[[JSON], bool]


def _bad(message: str) -> Exception:
    return validation(("query", message, "invalid_value"))


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        found = _TOKEN.match(text, pos)
        if found is None:
            raise _bad(f"Invalid query near: {text[pos:pos + 20]!r}")
        out.append(found.group(1))
        pos = found.end()
    return out


def _literal(raw: str) -> Any:
    if raw.startswith("'") and raw.endswith("'"):
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    raise _bad(f"Invalid value {raw!r}")


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    if op == "":
        if isinstance(actual, str) and isinstance(wanted, str):
            return actual.lower() == wanted.lower()
        return bool(actual == wanted)
    if actual is None or wanted is None:
        return False
    try:
        return bool(actual >= wanted) if op == ">" else bool(actual <= wanted)
    except TypeError:
        return False


def _clause(token: str, custom: set[str]) -> Predicate:
    field, raw = token.split(":", 1)
    op = raw[0] if raw[:1] in "<>" and raw[:1] else ""
    wanted = _literal(raw[len(op):])
    if field == "tag":
        if wanted is None:
            return lambda t: not t["tags"]
        return lambda t: str(wanted).lower() in [x.lower() for x in t["tags"]]
    if field in INTEGER_FIELDS:
        key = INTEGER_FIELDS[field]
        return lambda t: _compare(t.get(key), op, wanted)
    if field == "type":
        return lambda t: _compare(t.get("type"), op, wanted)
    if field in DATE_FIELDS:
        return lambda t: _compare((t.get(field) or "")[:10] or None, op, wanted)
    if field in custom:
        return lambda t: _compare(t["custom_fields"].get(field), op, wanted)
    raise _bad(f"Invalid field {field!r}")


class _Parser:
    def __init__(self, tokens: list[str], custom: set[str]) -> None:
        self.tokens, self.pos, self.custom = tokens, 0, custom

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _bad("Query ends too early")
        self.pos += 1
        return token

    def expr(self) -> Predicate:
        options = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            options.append(self.conjunction())
        return lambda t: any(p(t) for p in options)

    def conjunction(self) -> Predicate:
        parts = [self.atom()]
        while self.peek() == "AND":
            self.take()
            parts.append(self.atom())
        return lambda t: all(p(t) for p in parts)

    def atom(self) -> Predicate:
        token = self.take()
        if token == "(":
            inner = self.expr()
            if self.take() != ")":
                raise _bad("Unbalanced parentheses")
            return inner
        if token in (")", "AND", "OR"):
            raise _bad(f"Unexpected {token!r}")
        return _clause(token, self.custom)


def parse_query(raw: str | None, custom_fields: set[str]) -> Predicate:
    """The predicate of a ``query`` parameter (400 ``ApiError`` when malformed)."""
    if raw is None or len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        raise _bad("It should be a/an String wrapped in double quotes")
    if len(raw) > MAX_QUERY:
        raise _bad(f"It should have a maximum length of {MAX_QUERY}")
    parser = _Parser(_tokens(raw[1:-1]), custom_fields)
    predicate = parser.expr()
    if parser.peek() is not None:
        raise _bad(f"Unexpected {parser.peek()!r}")
    return predicate
