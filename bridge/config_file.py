"""The ``BRIDGE_CONFIG`` TOML file: reading it, and values read once per path."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bridge.config import get_settings
from bridge.errors import ConfigError

T = TypeVar("T")


def read_config(path: str | Path) -> dict[str, Any]:
    """The parsed TOML document at ``path``; a ``ConfigError`` naming it when it cannot be
    read or is not valid TOML."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def per_config_path(load: Callable[[str | None], T]) -> Callable[[], T]:
    """A function giving ``load`` of the current ``BRIDGE_CONFIG`` (``None`` when unset),
    loaded again only when that path changes."""
    cache: dict[str, T] = {}

    def current() -> T:
        path = get_settings().BRIDGE_CONFIG
        if path not in cache:
            cache.clear()
            cache[path] = load(path or None)
        return cache[path]

    return current
