"""Flask app emulating the Graph Send API and user profile, plus a control API.

Graph quirks reproduced on purpose: errors are HTTP 400 with a JSON ``error`` object
whose ``code`` says what went wrong (190 token, 100 parameter, 10/2018278 window), and
the token may come as ``access_token`` query parameter or ``Authorization: Bearer``.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.graph.state import (
    JSON,
    GraphState,
    default_fault_body,
    fault_from_json,
    graph_error,
    send_problem,
)
from emulators.serving import ServerThread

_MISSING_OBJECT = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded "
    "due to missing permissions, or does not support this operation."
)


def create_app(state: GraphState) -> Flask:
    app = Flask("emulators.graph")
    app.before_request(lambda: _fault(state))
    app.register_blueprint(_graph_routes(state))
    app.register_blueprint(_control_routes(state))
    return app


def _graph_routes(state: GraphState) -> Blueprint:
    bp = Blueprint("graph", __name__)

    @bp.post("/<version>/<page_id>/messages")
    def send_message(version: str, page_id: str) -> Response:
        if _token() != state.access_token:
            return _error(graph_error("Invalid OAuth access token.", 190))
        if page_id not in ("me", state.page_id):
            return _error(graph_error(_MISSING_OBJECT.format(method="post", id=page_id), 100, 33))
        body = _request_body()
        problem = send_problem(body)
        if problem:
            return _error(graph_error(f"(#100) {problem}", 100))
        psid = str(body["recipient"]["id"])
        if state.outside_window(psid, body["messaging_type"], body.get("tag")):
            message = "(#10) This message is sent outside of allowed window."
            return _error(graph_error(message, 10, 2018278))
        record = state.record_send(psid, body)
        return jsonify(recipient_id=psid, message_id=record["message_id"])

    @bp.get("/<version>/<psid>")
    def user_profile(version: str, psid: str) -> Response:
        if _token() != state.access_token:
            return _error(graph_error("Invalid OAuth access token.", 190))
        profile = state.profile(psid)
        if profile is None:
            return _error(graph_error(_MISSING_OBJECT.format(method="get", id=psid), 100, 33))
        fields = request.args.get("fields", "name").split(",")
        return jsonify({"id": psid, **{k: profile[k] for k in fields if k in profile}})

    return bp


def _control_routes(state: GraphState) -> Blueprint:
    bp = Blueprint("control", __name__, url_prefix="/_emulator")

    @bp.post("/reset")
    def reset() -> Response:
        state.reset()
        return jsonify(ok=True)

    @bp.post("/faults")
    def add_fault() -> tuple[Response, int]:
        try:
            state.add_fault(fault_from_json(_json()))
        except (KeyError, TypeError, ValueError, re.error) as exc:
            return jsonify(error=f"bad fault: {exc!r}"), 400
        return jsonify(ok=True), 201

    @bp.get("/sent")
    def sent() -> Response:
        with state.lock:
            records = [{**r, "at": r["at"].isoformat()} for r in state.sent]
        return jsonify(sent=records)

    @bp.post("/customer_activity")
    def customer_activity() -> tuple[Response, int]:
        data = _json()
        try:
            at = _parse_time(data.get("at")) if data.get("at") else state.clock()
            state.last_customer_message[str(data["psid"])] = at
        except (KeyError, ValueError) as exc:
            return jsonify(error=f"need psid and an ISO 8601 'at': {exc}"), 400
        return jsonify(ok=True), 200

    @bp.post("/profiles")
    def profiles() -> tuple[Response, int]:
        data = _json()
        if "psid" not in data:
            return jsonify(error="need psid"), 400
        state.set_profile(str(data["psid"]), data.get("first_name", ""), data.get("last_name", ""))
        return jsonify(ok=True), 200

    @bp.get("/files/<path:name>")
    def files(name: str) -> Response | tuple[Response, int]:
        if name not in state.files:
            return jsonify(error="no such file"), 404
        content_type, data = state.files[name]
        return Response(data, content_type=content_type)

    return bp


def _fault(state: GraphState) -> Response | None:
    if request.path.startswith("/_emulator/"):
        return None
    fault = state.take_fault(request.path)
    if fault is None:
        return None
    if fault.delay:
        time.sleep(fault.delay)
    if not fault.status:
        return None
    response = _error(fault.body or default_fault_body(fault.status), fault.status)
    if fault.retry_after is not None:
        response.headers["Retry-After"] = f"{fault.retry_after:g}"
    return response


def _token() -> str:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.values.get("access_token", "")


def _request_body() -> JSON:
    """JSON body, or form fields whose ``recipient`` and ``message`` hold JSON (curl -F)."""
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        return data
    body: JSON = dict(request.form.items())
    for key in ("recipient", "message"):
        try:
            body[key] = json.loads(body[key])
        except (KeyError, ValueError):
            pass
    return body


def _json() -> JSON:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _parse_time(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _error(body: JSON, status: int = 400) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


class GraphEmulator:
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``."""

    def __init__(
        self, page_id: str = "1234567890", access_token: str = "tok",
        host: str = "127.0.0.1", port: int = 0,
    ) -> None:
        self.state = GraphState(page_id=page_id, access_token=access_token)
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> str:
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()
