"""Flask pieces the Graph, WhatsApp and Telegram emulators share: the fault hook, the
common ``/_emulator`` endpoints (reset, faults, sent) and small request helpers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import Blueprint, Response, jsonify, request

from .faults import JSON, PathFault


class _State(Protocol):
    def reset(self) -> None: ...
    def take_fault(self, path: str) -> Any: ...


def due_fault(state: _State) -> PathFault | None:
    """Before a request: take the next fault for its path (the control API is exempt) and
    wait its delay; the fault when it answers with a status of its own."""
    if request.path.startswith("/_emulator/"):
        return None
    fault: PathFault | None = state.take_fault(request.path)
    if fault is None:
        return None
    if fault.delay:
        time.sleep(fault.delay)
    return fault if fault.status else None


def graph_fault(state: _State, default_body: Callable[[int], JSON]) -> Response | None:
    """The Graph-shaped answer of a due fault, with ``Retry-After`` when it has one."""
    fault = due_fault(state)
    if fault is None or fault.status is None:
        return None
    response = error_response(fault.body or default_body(fault.status), fault.status)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = f"{fault.retry_after:g}"
    return response


def control_blueprint(state: Any, fault_from_json: Callable[[JSON], PathFault]) -> Blueprint:
    """``/_emulator`` with ``POST /reset``, ``POST /faults`` and ``GET /sent``; the
    emulator adds its own endpoints to it."""
    bp = Blueprint("control", __name__, url_prefix="/_emulator")

    @bp.post("/reset")
    def reset() -> Response:
        state.reset()
        return jsonify(ok=True)

    @bp.post("/faults")
    def add_fault() -> tuple[Response, int]:
        try:
            state.add_fault(fault_from_json(json_body()))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            return jsonify(error=f"bad fault: {exc!r}"), 400
        return jsonify(ok=True), 201

    @bp.get("/sent")
    def sent() -> Response:
        with state.lock:
            records = [{**r, "at": r["at"].isoformat()} for r in state.sent]
        return jsonify(sent=records)

    return bp


def json_body() -> JSON:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def parse_time(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def error_response(body: JSON, status: int = 400) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response
