"""Flask app emulating the Telegram Bot API (``getMe``, ``sendMessage``, ``getFile``,
``answerCallbackQuery``, file downloads), plus a control API under ``/_emulator``.

Bot API habits reproduced on purpose: the token is in the path (``/bot<token>/<method>``),
a wrong one is 401 ``Unauthorized``; parameters may come as a query string, a form (with
JSON-serialised objects) or JSON; every answer is ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code", "description"[, "parameters"]}``; ``sendMessage`` bodies are
checked against the spec's schema when the spec file is present.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.common.meta import control_blueprint, due_fault, json_body
from emulators.serving import BackgroundEmulator, ServerThread
from emulators.telegram.spec import Problem
from emulators.telegram.state import (
    DOWNLOAD_LIMIT,
    JSON,
    TelegramState,
    api_error,
    default_fault_body,
    fault_from_json,
    file_object,
)

_OBJECT_PARAMS = ("reply_parameters", "reply_markup", "entities", "link_preview_options")


def create_app(state: TelegramState) -> Flask:
    app = Flask("emulators.telegram")
    app.before_request(lambda: _fault(state))
    app.register_blueprint(_bot_routes(state))
    app.register_blueprint(_control_routes(state))
    return app


def _bot_routes(state: TelegramState) -> Blueprint:
    bp = Blueprint("telegram", __name__)

    @bp.route("/bot<token>/<method>", methods=["GET", "POST"])
    def call(token: str, method: str) -> tuple[Response, int]:
        if not state.known_token(token):
            return _error(api_error(401))
        params = _params()
        if method.lower() == "getme":
            return _ok(state.me())
        if method.lower() == "sendmessage":
            return _send_message(state, params, token)
        if method.lower() == "getfile":
            return _get_file(state, params)
        if method.lower() == "answercallbackquery":
            return _answer_callback(state, params)
        return _error(api_error(404))

    @bp.get("/file/bot<token>/<path:file_path>")
    def download(token: str, file_path: str) -> Response | tuple[Response, int]:
        if not state.known_token(token):
            return _error(api_error(401))
        stored = state.file_by_path(file_path)
        if stored is None:
            return _error(api_error(404))
        return Response(stored.data, content_type=stored.content_type)

    return bp


def _send_message(state: TelegramState, params: JSON, token: str) -> tuple[Response, int]:
    found = state.schema_problems("sendMessage", params)
    if found:
        return _error(api_error(400, _describe(found[0])))
    text, chat_id = params.get("text"), params.get("chat_id")
    if chat_id is None or chat_id == "":
        return _error(api_error(400, "Bad Request: chat_id is empty"))
    if not isinstance(text, str) or not text.strip():
        return _error(api_error(400, "Bad Request: message text is empty"))
    try:
        chat = state.chat(chat_id)
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        return _error(api_error(400, "Bad Request: chat not found"))
    if chat.blocked:
        return _error(api_error(403, "Forbidden: bot was blocked by the user"))
    reply = params.get("reply_parameters")
    reply = reply if isinstance(reply, dict) else {}
    reply_to = reply.get("message_id")
    reply_to = reply_to if isinstance(reply_to, int) else None
    if (reply_to is not None and reply_to not in chat.messages
            and not reply.get("allow_sending_without_reply")):
        return _error(api_error(400, "Bad Request: message to be replied not found"))
    return _ok(state.record_send(chat, params, reply_to, token))


def _get_file(state: TelegramState, params: JSON) -> tuple[Response, int]:
    file_id = params.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        return _error(api_error(400, "Bad Request: file_id not specified"))
    stored = state.files.get(file_id)
    if stored is None:
        return _error(api_error(400, "Bad Request: invalid file_id"))
    if stored.file_size > DOWNLOAD_LIMIT:
        return _error(api_error(400, "Bad Request: file is too big"))
    return _ok(file_object(file_id, stored))


def _answer_callback(state: TelegramState, params: JSON) -> tuple[Response, int]:
    """Recorded; like Telegram, an id it never issued (or answered late) is a 400."""
    found = state.schema_problems("answerCallbackQuery", params)
    if found:
        return _error(api_error(400, _describe(found[0])))
    query = params.get("callback_query_id")
    if not isinstance(query, str) or not query or query.startswith("expired"):
        return _error(api_error(400, "Bad Request: query is too old and response timeout "
                                     "expired or query ID is invalid"))
    with state.lock:
        state.answered.append(dict(params))
    return _ok(True)


def _describe(problem: Problem) -> str:
    """Telegram's words for the schema problems it has words for."""
    if problem.path == "text" and problem.keyword == "maxLength":
        return "Bad Request: message is too long"
    if problem.path == "text":
        return "Bad Request: message text is empty"
    if problem.path == "chat_id" and problem.keyword == "required":
        return "Bad Request: chat_id is empty"
    return f"Bad Request: {problem.message}"


def _control_routes(state: TelegramState) -> Blueprint:
    bp = control_blueprint(state, fault_from_json)

    @bp.post("/chats")
    def chats() -> tuple[Response, int]:
        """``{"chat_id", "type", "username", "first_name", "title", "blocked", "messages"}``."""
        data = json_body()
        try:
            chat = state.add_chat(int(data.pop("chat_id")), **data)
        except (KeyError, TypeError, ValueError) as exc:
            return jsonify(error=f"need an integer chat_id: {exc!r}"), 400
        return jsonify(chat=chat.as_json(), blocked=chat.blocked), 200

    @bp.post("/files")
    def files() -> tuple[Response, int]:
        """``{"file_id", "file_path"?, "content_type"?, "base64" | "text", "size"?}``."""
        data = json_body()
        try:
            raw = (base64.b64decode(data["base64"], validate=True) if "base64" in data
                   else str(data.get("text", "")).encode())
            path = state.add_file(str(data["file_id"]), raw, data.get("file_path"),
                                  data.get("content_type") or "application/octet-stream",
                                  data.get("size"))
        except (KeyError, binascii.Error, ValueError) as exc:
            return jsonify(error=f"need file_id and base64 or text: {exc!r}"), 400
        return jsonify(file_path=path), 201

    @bp.get("/spec")
    def spec() -> Response:
        return jsonify(validating=state.validating, path=str(state.spec_path or ""))

    return bp


def _fault(state: TelegramState) -> Response | None:
    fault = due_fault(state)
    if fault is None or fault.status is None:
        return None
    response = jsonify(fault.body or default_fault_body(fault.status, fault.retry_after))
    response.status_code = fault.status
    return response


def _params() -> JSON:
    """Query string, then form fields (objects arrive JSON-serialised), then a JSON body."""
    params: JSON = dict(request.args.items())
    params.update(request.form.items())
    for key in _OBJECT_PARAMS:
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    for key in ("chat_id", "message_thread_id"):
        value = params.get(key)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
    data = request.get_json(silent=True)
    if isinstance(data, dict):
        params.update(data)
    return params


def _ok(result: Any) -> tuple[Response, int]:
    return jsonify(ok=True, result=result), 200


def _error(body: JSON) -> tuple[Response, int]:
    return jsonify(body), int(body["error_code"])


class TelegramEmulator(BackgroundEmulator):
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``.

    Point ``TELEGRAM_API_BASE_URL`` at ``base`` and ``TELEGRAM_BOT_TOKEN`` at ``token``.
    """

    def __init__(self, token: str = "123456:TEST-token", host: str = "127.0.0.1",
                 port: int = 0, **options: Any) -> None:
        self.state = TelegramState(token=token, **options)
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)
