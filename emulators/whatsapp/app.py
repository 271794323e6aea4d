"""Flask app emulating the WhatsApp Cloud API send and media endpoints, plus a control API.

Reproduced on purpose: Graph-shaped errors with ``error_data.details`` (190 token,
100 parameter, 131047 outside the 24 h window, 132001 unknown template), request
bodies checked against the v23.0 spec's schemas (media by ``id`` or ``link``: see
``media``), media ids resolved to short-lived URLs whose download needs the bearer
token, and ``Retry-After`` on injected faults.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.common.meta import control_blueprint, graph_fault, json_body, parse_time
from emulators.common.meta import error_response as _error
from emulators.graph.state import fault_from_json
from emulators.serving import BackgroundEmulator, ServerThread
from emulators.whatsapp.state import (
    JSON,
    MEDIA_URL_LIFETIME,
    WINDOW_DETAILS,
    WhatsAppState,
    default_fault_body,
    send_problem,
    wa_error,
)

_MISSING_OBJECT = (
    "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded "
    "due to missing permissions, or does not support this operation."
)
_BAD_TOKEN = "Invalid OAuth access token - Cannot parse access token"
DOWNLOAD_PATH = "/whatsapp_business/attachments/"


def create_app(state: WhatsAppState) -> Flask:
    app = Flask("emulators.whatsapp")
    app.before_request(lambda: graph_fault(state, default_fault_body))
    app.register_blueprint(_api_routes(state))
    app.register_blueprint(_control_routes(state))
    return app


def _api_routes(state: WhatsAppState) -> Blueprint:
    bp = Blueprint("cloud_api", __name__)

    @bp.post("/<version>/<phone_number_id>/messages")
    def send_message(version: str, phone_number_id: str) -> Response:
        token = _token()
        if not state.known_token(token):
            return _error(wa_error(_BAD_TOKEN, 190), 401)
        if state.token_of(phone_number_id) != token:  # unknown, or another number's token
            return _error(wa_error(_MISSING_OBJECT.format(method="post", id=phone_number_id),
                                   100, subcode=33))
        body = request.get_json(silent=True)
        problem = send_problem(body, state.schemas)
        if problem:
            return _error(wa_error("(#100) Invalid parameter", 100, problem))
        assert isinstance(body, dict)
        to = str(body["to"])
        if body["type"] == "template":
            missing = state.template_problem(body["template"])
            if missing:
                message = "(#132001) Template name does not exist in the translation"
                return _error(wa_error(message, 132001, missing))
        elif not state.window_open(to) and state.window_mode == "sync":
            return _error(wa_error("(#131047) Re-engagement message", 131047, WINDOW_DETAILS))
        record = state.record_send(body, phone_number_id, token)
        if body["type"] != "template" and not state.window_open(to):
            state.window_failure(record)  # async: accepted now, failed by webhook
        sent: JSON = {"id": record["message_id"]}
        if body["type"] == "template":
            sent["message_status"] = "accepted"
        return jsonify(messaging_product="whatsapp", contacts=[{"input": to, "wa_id": to}],
                       messages=[sent])

    @bp.get("/<version>/<media_id>")
    def media_info(version: str, media_id: str) -> Response:
        token = _token()
        if not state.known_token(token):
            return _error(wa_error(_BAD_TOKEN, 190), 401)
        number = request.args.get("phone_number_id")
        media = state.media.get(media_id)
        if media is None or (number is not None and state.token_of(number) != token):
            return _error(wa_error(_MISSING_OBJECT.format(method="get", id=media_id),
                                   100, subcode=33))
        expires = int((state.clock() + MEDIA_URL_LIFETIME).timestamp())
        url = f"{request.host_url.rstrip('/')}{DOWNLOAD_PATH}{media_id}?expires={expires}"
        return jsonify(messaging_product="whatsapp", url=url, mime_type=media.mime_type,
                       sha256=media.sha256, file_size=str(len(media.data)), id=media_id)

    @bp.get(f"{DOWNLOAD_PATH}<media_id>")
    def download(media_id: str) -> Response:
        if not state.known_token(_token()):  # a plain GET without the token gets nothing
            return _error(wa_error(_BAD_TOKEN, 190), 401)
        media = state.media.get(media_id)
        expires = request.args.get("expires", "0")
        if media is None or not expires.isdigit() or int(expires) < state.clock().timestamp():
            return _error(wa_error("Media URL not found or expired", 100), 404)
        return Response(media.data, content_type=media.mime_type)

    return bp


def _control_routes(state: WhatsAppState) -> Blueprint:
    bp = control_blueprint(state, fault_from_json)

    @bp.get("/webhooks")
    def webhooks() -> Response:
        with state.lock:
            return jsonify(webhooks=list(state.webhooks))

    @bp.post("/customer_activity")
    def customer_activity() -> tuple[Response, int]:
        data = json_body()
        try:
            at = parse_time(data["at"]) if data.get("at") else state.clock()
            state.last_customer_message[str(data["wa_id"])] = at
        except (KeyError, ValueError) as exc:
            return jsonify(error=f"need wa_id and an ISO 8601 'at': {exc}"), 400
        return jsonify(ok=True), 200

    @bp.post("/inbound")
    def inbound() -> tuple[Response, int]:
        data = json_body()
        if not data.get("wa_id") or not isinstance(data.get("text"), str):
            return jsonify(error="need wa_id and text"), 400
        at = parse_time(data["at"]) if data.get("at") else None
        payload = state.customer_message(str(data["wa_id"]), data["text"],
                                         str(data.get("name") or "Customer"), at)
        return jsonify(payload=payload), 200

    @bp.route("/templates", methods=["GET", "POST"])
    def templates() -> tuple[Response, int]:
        if request.method == "POST":
            data = json_body()
            if not data.get("name") or not data.get("language"):
                return jsonify(error="need name and language"), 400
            state.templates.add((str(data["name"]), str(data["language"])))
        return jsonify(templates=sorted(list(t) for t in state.templates)), 200

    @bp.post("/media")
    def media() -> tuple[Response, int]:
        data = json_body()
        try:
            content = base64.b64decode(str(data.get("data_base64", "")), validate=True)
        except (binascii.Error, ValueError) as exc:
            return jsonify(error=f"data_base64 is not base64: {exc}"), 400
        mime = str(data.get("mime_type") or "application/octet-stream")
        media_id = state.add_media(content, mime, data.get("id"))
        return jsonify(id=media_id), 201

    @bp.post("/config")
    def config() -> tuple[Response, int]:
        mode = json_body().get("window_mode")
        if mode not in ("sync", "async"):
            return jsonify(error="window_mode must be sync or async"), 400
        state.window_mode = mode
        return jsonify(ok=True), 200

    return bp


def _token() -> str:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.args.get("access_token", "")


class WhatsAppEmulator(BackgroundEmulator):
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``."""

    def __init__(
        self, phone_number_id: str = "1234567890", access_token: str = "tok",
        host: str = "127.0.0.1", port: int = 0, numbers: dict[str, str] | None = None,
    ) -> None:
        self.state = WhatsAppState(phone_number_id=phone_number_id, access_token=access_token,
                                   numbers=dict(numbers or {}))
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)

    def customer_wrote(self, wa_id: str, ago: timedelta = timedelta(0)) -> datetime:
        """Open (or age) ``wa_id``'s window; the time to hand the bridge as last message."""
        at = self.state.clock() - ago
        self.state.last_customer_message[wa_id] = at
        return at
