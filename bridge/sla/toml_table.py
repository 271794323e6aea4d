"""Typed reads from one TOML table, with errors that name the file, table and field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, NoReturn

from bridge.errors import ConfigError


class Table:
    """One table of a parsed TOML document and where it sits (``sla.policies[2]``)."""

    def __init__(self, source: str, where: str, data: object) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {where}: expected a table, got {_kind(data)}")
        self.source, self.where = source, where
        self.data: dict[str, Any] = data

    def fail(self, key: str, message: str) -> NoReturn:
        raise ConfigError(f"{self.source}: {self.where}.{key}: {message}")

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in self.data:
            if key not in allowed:
                self.fail(key, f"unknown field; expected one of {', '.join(allowed)}")

    def child(self, key: str) -> Table:
        return Table(self.source, f"{self.where}.{key}", self.data[key])

    def tables(self, key: str) -> list[Table]:
        """An array of tables (``[[...]]``); absent means none."""
        items = self.values(key)
        return [Table(self.source, f"{self.where}.{key}[{i}]", v) for i, v in enumerate(items)]

    def values(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {_kind(value)}")
        return value

    def text(self, key: str, allow_int: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return value
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.fail(key, f"expected a string, got {_kind(value)}")

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            self.fail(key, "is required")
        return value

    def texts(self, key: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
        """A list of strings, each one of ``allowed`` when given."""
        known = None if allowed is None else tuple(allowed)
        out: list[str] = []
        for value in self.values(key):
            if not isinstance(value, str):
                self.fail(key, f"expected strings, got {_kind(value)}")
            if known is not None and value not in known:
                self.fail(key, f"{value!r} is not one of {', '.join(known)}")
            out.append(value)
        return tuple(out)

    def duration(self, key: str, parse: Callable[[str], timedelta]) -> timedelta | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.fail(key, str(exc))


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)
