"""What the Zendesk and Freshdesk emulators share: the threaded-server wrapper with its
control helpers, and the ``/_emulator`` endpoints for reset, faults, the request log and
the webhook deliveries."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol, Self

from flask import Blueprint, Flask, Response

from ..serving import ServerThread
from .faults import JSON, RequestFault


class HelpdeskState(Protocol):
    lock: AbstractContextManager[Any]
    faults: list[Any]
    requests: list[JSON]
    webhook_deliveries: list[JSON]

    def reset(self) -> None: ...
    def add_fault(self, fault: Any) -> None: ...


class HelpdeskEmulator:
    """``start``/``stop`` (also as a context manager) and the control helpers that mirror
    the common ``/_emulator`` endpoints; subclasses set ``state`` and ``app``."""

    state: Any
    app: Flask
    _server: ServerThread | None
    base_url: str

    def _serve(self, port: int, host: str = "127.0.0.1") -> str:
        self._server = ServerThread(self.app, host=host, port=port)
        self.base_url = self._server.start()
        return self.base_url

    def start(self) -> str:  # subclasses add a port (and a host) with these defaults
        return self._serve(0)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # control helpers (same as the /_emulator endpoints) ------------------------------------
    def reset(self) -> None:
        self.state.reset()

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    def requests_log(self) -> list[JSON]:
        with self.state.lock:
            return list(self.state.requests)

    def deliveries(self) -> list[JSON]:
        with self.state.lock:
            return list(self.state.webhook_deliveries)

    def wait_for_deliveries(self, count: int, timeout: float = 5.0) -> list[JSON]:
        """Poll until at least ``count`` delivery attempts are recorded (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.deliveries()
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.deliveries()


def add_control_routes(
    bp: Blueprint,
    get_state: Callable[[], HelpdeskState],
    read_json: Callable[[], JSON],
    fault_from_json: Callable[[JSON], RequestFault],
    json_response: Callable[..., Response],
) -> None:
    """Add ``POST /reset``, ``GET|POST|DELETE /faults``, ``GET|DELETE /requests`` and
    ``GET /webhook_deliveries`` to an emulator's control blueprint."""

    @bp.post("/reset")
    def reset() -> Response:
        get_state().reset()
        return json_response({"ok": True})

    @bp.get("/faults")
    def list_faults() -> Response:
        state = get_state()
        with state.lock:
            return json_response([f.to_json() for f in state.faults])

    @bp.post("/faults")
    def add_fault() -> Response:
        fault = fault_from_json(read_json())
        get_state().add_fault(fault)
        return json_response({"fault": fault.to_json()}, 201)

    @bp.delete("/faults")
    def clear_faults() -> Response:
        state = get_state()
        with state.lock:
            state.faults.clear()
        return Response(status=204)

    @bp.get("/requests")
    def list_requests() -> Response:
        state = get_state()
        with state.lock:
            return json_response(copy.deepcopy(state.requests))

    @bp.delete("/requests")
    def clear_requests() -> Response:
        state = get_state()
        with state.lock:
            state.requests.clear()
        return Response(status=204)

    @bp.get("/webhook_deliveries")
    def list_deliveries() -> Response:
        state = get_state()
        with state.lock:
            return json_response(copy.deepcopy(state.webhook_deliveries))
