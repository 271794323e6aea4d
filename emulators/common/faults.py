"""Injected faults: the model, matching, and "take the next matching fault".

Two families: the Meta-side and Telegram emulators match a fault on the path alone
(``PathFault``); the helpdesk emulators also on the method (``RequestFault``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any, Generic, Protocol, TypeVar

JSON = dict[str, Any]


class _Counted(Protocol):
    count: int


C = TypeVar("C", bound=_Counted)


def use_fault(faults: list[C], fault: C) -> C:
    """Count ``fault`` down, dropping it from ``faults`` when used up."""
    fault.count -= 1
    if fault.count <= 0:
        faults.remove(fault)
    return fault


def take_next(faults: list[C], matches: Callable[[C], bool]) -> C | None:
    """The first fault that ``matches``, counted down (the caller holds the lock)."""
    for fault in faults:
        if matches(fault):
            return use_fault(faults, fault)
    return None


@dataclass
class PathFault:
    """The next ``count`` requests whose path matches ``path`` (a regex) misbehave.

    ``delay`` seconds pass first; then, with a ``status``, the answer is that status with
    ``body`` (default: the vendor's error that fits the status) and ``Retry-After``.
    ``skip`` matching requests go through before the fault starts.
    """

    path: str
    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    delay: float | None = None
    body: JSON | None = None
    skip: int = 0

    def matches(self, path: str) -> bool:
        return re.search(self.path, path) is not None


def path_fault_fields(data: JSON) -> JSON:
    """``PathFault`` keywords from ``{"path": regex, "status", "count", "retry_after",
    "delay", "body", "skip"}``; path required."""
    body = data.get("body")
    if body is not None and not isinstance(body, dict):
        raise TypeError("body must be a JSON object")

    def number(key: str) -> float | None:
        return None if data.get(key) is None else float(data[key])

    status = number("status")
    return {"path": str(data["path"]), "status": None if status is None else int(status),
            "count": int(data.get("count") or 1), "retry_after": number("retry_after"),
            "delay": number("delay"), "body": body, "skip": int(data.get("skip") or 0)}


PF = TypeVar("PF", bound=PathFault)


class PathFaultQueue(Generic[PF]):
    """``add_fault``/``take_fault`` for a state with ``faults`` and ``lock``."""

    faults: list[PF]
    lock: AbstractContextManager[Any]

    def add_fault(self, fault: PF) -> None:
        re.compile(fault.path)  # a bad pattern fails here, not on a later request
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, path: str) -> PF | None:
        """The first fault for ``path`` that is due (its ``skip`` spent), counted down and
        dropped when used up."""
        with self.lock:
            fault = next((f for f in self.faults if f.matches(path)), None)
            if fault is not None and fault.skip > 0:
                fault.skip -= 1
                return None
            return None if fault is None else use_fault(self.faults, fault)


@dataclass
class RequestFault:
    """An injected failure or delay for the next ``count`` requests matching it."""

    path: str
    method: str | None = None
    status: int | None = None
    count: int = 1
    retry_after: int | None = None
    delay: float | None = None
    delay_after_commit: bool = False
    body: Any = None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, path) is not None

    def to_json(self) -> JSON:
        return asdict(self)


RF = TypeVar("RF", bound=RequestFault)


def request_fault_from_json(data: JSON, cls: type[RF], bad: Callable[[str], Exception]) -> RF:
    """A ``cls`` from the control API's JSON; ``bad(message)`` is raised for bad input."""
    unknown = set(data) - set(cls.__dataclass_fields__)
    if unknown:
        raise bad(f"unknown fault fields: {sorted(unknown)}")
    values: dict[str, Any] = {k: v for k, v in data.items() if v is not None}
    values.setdefault("path", ".*")
    try:
        re.compile(str(values["path"]))
    except re.error as exc:
        raise bad(f"path is not a valid regular expression: {exc}") from exc
    if not isinstance(values.get("count", 1), int) or values.get("count", 1) < 1:
        raise bad("count must be a positive integer")
    return cls(**values)


class RequestFaultQueue(Generic[RF]):
    """``add_fault``/``take_fault`` for a helpdesk state with ``faults`` and ``lock``."""

    faults: list[RF]
    lock: AbstractContextManager[Any]

    def add_fault(self, fault: RF) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method: str, path: str) -> RF | None:
        with self.lock:
            return take_next(self.faults, lambda fault: fault.matches(method, path))
