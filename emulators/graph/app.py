"""Flask app emulating the Graph Send API (Messenger and Instagram DMs, private replies),
comment replies and the user profile, plus a control API.

Graph quirks reproduced on purpose: errors are HTTP 400 with a JSON ``error`` object
whose ``code`` says what went wrong (190 token, 100 parameter, 10/2018278 window), and
the token may come as ``access_token`` query parameter or ``Authorization: Bearer``.
A recipient the emulator was told is an Instagram user gets Instagram's limits.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.common.meta import control_blueprint, graph_fault, json_body, parse_time
from emulators.common.meta import error_response as _error
from emulators.graph.comment_routes import add_comment_controls, comment_routes, private_reply
from emulators.graph.comments import MISSING
from emulators.graph.http import request_body as _request_body
from emulators.graph.http import token as _token
from emulators.graph.state import (
    GraphState,
    default_fault_body,
    fault_from_json,
    graph_error,
    send_problem,
)
from emulators.serving import BackgroundEmulator, ServerThread


def create_app(state: GraphState) -> Flask:
    app = Flask("emulators.graph")
    app.before_request(lambda: graph_fault(state, default_fault_body))
    app.register_blueprint(_graph_routes(state))
    app.register_blueprint(comment_routes(state))
    app.register_blueprint(_control_routes(state))
    return app


def _graph_routes(state: GraphState) -> Blueprint:
    bp = Blueprint("graph", __name__)

    @bp.post("/<version>/<page_id>/messages")
    def send_message(version: str, page_id: str) -> Response:
        token = _token()
        if state.page_of(token) is None:
            return _error(graph_error("Invalid OAuth access token.", 190))
        if page_id not in ("me", state.page_of(token)):  # a page token speaks for its page
            return _error(graph_error(MISSING.format(method="post", id=page_id), 100, 33))
        body = _request_body()
        recipient = body.get("recipient")
        if isinstance(recipient, dict) and recipient.get("comment_id"):
            return private_reply(state, body)
        problem = send_problem(body)
        problem = problem or state.dm_problem(str(body["recipient"]["id"]), body)
        if problem:
            return _error(graph_error(f"(#100) {problem}", 100))
        psid = str(body["recipient"]["id"])
        if state.outside_window(psid, body["messaging_type"], body.get("tag")):
            message = "(#10) This message is sent outside of allowed window."
            return _error(graph_error(message, 10, 2018278))
        record = state.record_send(psid, body, token)
        return jsonify(recipient_id=psid, message_id=record["message_id"])

    @bp.get("/<version>/<psid>")
    def user_profile(version: str, psid: str) -> Response:
        page = state.page_of(_token())
        if page is None:
            return _error(graph_error("Invalid OAuth access token.", 190))
        with state.lock:
            state.lookups.append({"psid": psid, "page_id": page, "access_token": _token()})
        profile = state.profile(psid)
        if profile is None:
            return _error(graph_error(MISSING.format(method="get", id=psid), 100, 33))
        fields = request.args.get("fields", "name").split(",")
        return jsonify({"id": psid, **{k: profile[k] for k in fields if k in profile}})

    return bp


def _control_routes(state: GraphState) -> Blueprint:
    bp = control_blueprint(state, fault_from_json)

    @bp.post("/customer_activity")
    def customer_activity() -> tuple[Response, int]:
        """``{"psid", "at"}``; ``"platform": "instagram"`` (or ``igsid``) for Instagram."""
        data = json_body()
        try:
            at = parse_time(data.get("at")) if data.get("at") else state.clock()
            if data.get("platform") == "instagram" or "igsid" in data:
                state.instagram_customer(str(data.get("igsid") or data["psid"]), at)
            else:
                state.last_customer_message[str(data["psid"])] = at
        except (KeyError, ValueError) as exc:
            return jsonify(error=f"need psid and an ISO 8601 'at': {exc}"), 400
        return jsonify(ok=True), 200

    @bp.post("/profiles")
    def profiles() -> tuple[Response, int]:
        data = json_body()
        if "psid" not in data:
            return jsonify(error="need psid"), 400
        more = {k: data[k] for k in ("username", "follower_count", "is_verified_user")
                if k in data}
        state.set_profile(str(data["psid"]), data.get("first_name", ""),
                          data.get("last_name", ""), **more)
        return jsonify(ok=True), 200

    @bp.get("/files/<path:name>")
    def files(name: str) -> Response | tuple[Response, int]:
        if name not in state.files:
            return jsonify(error="no such file"), 404
        content_type, data = state.files[name]
        return Response(data, content_type=content_type)

    add_comment_controls(bp, state)
    return bp


class GraphEmulator(BackgroundEmulator):
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``."""

    def __init__(
        self, page_id: str = "1234567890", access_token: str = "tok",
        host: str = "127.0.0.1", port: int = 0, pages: dict[str, str] | None = None,
    ) -> None:
        self.state = GraphState(page_id=page_id, access_token=access_token,
                                pages=dict(pages or {}))
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)
