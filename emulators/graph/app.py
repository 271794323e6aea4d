"""Flask app emulating the Graph Send API and user profile, plus a control API.

Graph quirks reproduced on purpose: errors are HTTP 400 with a JSON ``error`` object
whose ``code`` says what went wrong (190 token, 100 parameter, 10/2018278 window), and
the token may come as ``access_token`` query parameter or ``Authorization: Bearer``.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.common.meta import control_blueprint, graph_fault, json_body, parse_time
from emulators.common.meta import error_response as _error
from emulators.graph.state import (
    JSON,
    GraphState,
    default_fault_body,
    fault_from_json,
    graph_error,
    send_problem,
)
from emulators.serving import BackgroundEmulator, ServerThread

_MISSING_OBJECT = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded "
    "due to missing permissions, or does not support this operation."
)


def create_app(state: GraphState) -> Flask:
    app = Flask("emulators.graph")
    app.before_request(lambda: graph_fault(state, default_fault_body))
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
    bp = control_blueprint(state, fault_from_json)

    @bp.post("/customer_activity")
    def customer_activity() -> tuple[Response, int]:
        data = json_body()
        try:
            at = parse_time(data.get("at")) if data.get("at") else state.clock()
            state.last_customer_message[str(data["psid"])] = at
        except (KeyError, ValueError) as exc:
            return jsonify(error=f"need psid and an ISO 8601 'at': {exc}"), 400
        return jsonify(ok=True), 200

    @bp.post("/profiles")
    def profiles() -> tuple[Response, int]:
        data = json_body()
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


class GraphEmulator(BackgroundEmulator):
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``."""

    def __init__(
        self, page_id: str = "1234567890", access_token: str = "tok",
        host: str = "127.0.0.1", port: int = 0,
    ) -> None:
        self.state = GraphState(page_id=page_id, access_token=access_token)
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)
