"""Starting a test server for a module: one helper for every social emulator fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar


class _Server(Protocol):
    def start(self) -> Any: ...
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


def running(server: S, now: datetime | None = None) -> Iterator[S]:
    """``server`` started (its emulator clock pinned to ``now`` when given), stopped after:
    ``yield from running(...)`` in a module-scoped fixture."""
    if now is not None:
        server.state.clock = lambda: now  # type: ignore[attr-defined]
    server.start()
    try:
        yield server
    finally:
        server.stop()
