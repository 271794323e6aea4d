"""Flask app emulating the Telegram Bot API (``getMe``, ``sendMessage``, ``sendPhoto``,
``sendVideo``, ``sendAudio``, ``sendDocument``, ``getFile``, ``answerCallbackQuery``, file
downloads), plus a control API under ``/_emulator``.

Bot API habits reproduced on purpose: the token is in the path (``/bot<token>/<method>``),
a wrong one is 401 ``Unauthorized``; parameters may come as a query string, a form (with
JSON-serialised objects) or JSON; every answer is ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code", "description"[, "parameters"]}``; request bodies are checked
against the spec's schema when the spec file is present. A file comes as an HTTP URL or a
known ``file_id`` string, or uploaded as multipart/form-data under its parameter's name
(or another part named by ``attach://<part>``); ``sendDocument`` by URL takes only GIF, PDF
and ZIP files, uploads take up to 50 MB. The emulator never fetches a URL.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Flask, Response, jsonify, request

from emulators.common.meta import control_blueprint, due_fault, json_body
from emulators.serving import BackgroundEmulator, ServerThread, build_app
from emulators.telegram.spec import Problem
from emulators.telegram.state import (
    DOWNLOAD_LIMIT,
    JSON,
    UPLOAD_LIMIT,
    EmulatedChat,
    SentFile,
    TelegramState,
    api_error,
    default_fault_body,
    fault_from_json,
    file_object,
)

_OBJECT_PARAMS = ("reply_parameters", "reply_markup", "entities", "link_preview_options",
                  "caption_entities")
_INT_PARAMS = ("chat_id", "message_thread_id", "duration", "width", "height")
_BOOL_PARAMS = ("disable_notification", "protect_content", "allow_paid_broadcast",
                "has_spoiler", "show_caption_above_media", "disable_content_type_detection",
                "supports_streaming")
# The file-sending methods (lower-cased, as Telegram matches them) and their file parameter.
_FILE_METHODS = {"sendphoto": ("sendPhoto", "photo"), "sendvideo": ("sendVideo", "video"),
                 "sendaudio": ("sendAudio", "audio"),
                 "senddocument": ("sendDocument", "document")}
_FILE_FIELDS = frozenset(field for _, field in _FILE_METHODS.values())
_DOCUMENTS_BY_URL = (".gif", ".pdf", ".zip")


def create_app(state: TelegramState) -> Flask:
    return build_app("emulators.telegram", (_bot_routes(state), _control_routes(state)),
                     before=lambda: _fault(state))


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
        if method.lower() in _FILE_METHODS:
            return _send_file(state, *_FILE_METHODS[method.lower()], params, token)
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
    text = params.get("text")
    if _empty(params.get("chat_id")):
        return _error(api_error(400, "Bad Request: chat_id is empty"))
    if not isinstance(text, str) or not text.strip():
        return _error(api_error(400, "Bad Request: message text is empty"))
    target = _target(state, params)
    if isinstance(target, dict):
        return _error(target)
    chat, reply_to = target
    return _ok(state.record_send(chat, params, reply_to, token))


def _send_file(state: TelegramState, method: str, field: str, params: JSON,
               token: str) -> tuple[Response, int]:
    """sendPhoto, sendVideo, sendAudio, sendDocument: the file by URL, ``file_id`` or
    upload; recorded like a text, with what came in the record's ``file``."""
    sent = _sent_file(state, field, params)
    if isinstance(sent, dict):
        return _error(sent)
    if sent is not None and sent.file_name is not None:  # the schema sees the upload's name
        params[field] = {"file_name": sent.file_name, "size": sent.size}
    found = state.schema_problems(method, params)
    if found:
        return _error(api_error(400, _describe(found[0])))
    if _empty(params.get("chat_id")):
        return _error(api_error(400, "Bad Request: chat_id is empty"))
    if sent is None:
        return _error(api_error(400, f"Bad Request: there is no {field} in the request"))
    if (method == "sendDocument" and sent.url is not None
            and not _path(sent.url).lower().endswith(_DOCUMENTS_BY_URL)):
        return _error(api_error(400, "Bad Request: wrong type of the web page content"))
    target = _target(state, params)
    if isinstance(target, dict):
        return _error(target)
    chat, reply_to = target
    return _ok(state.record_file(chat, method, params, sent, reply_to, token))


def _sent_file(state: TelegramState, field: str, params: JSON) -> SentFile | JSON | None:
    """The file of a send (``None`` when there is none), or Telegram's error for it."""
    value = params.get(field)
    part_name = value[len("attach://"):] if isinstance(value, str) and value.startswith(
        "attach://") else field
    upload = request.files.get(part_name)
    if upload is not None:
        data = upload.read()
        if len(data) > UPLOAD_LIMIT:
            return api_error(413, "Request Entity Too Large")
        if not data:
            return api_error(400, "Bad Request: file must be non-empty")
        return SentFile(field, file_name=upload.filename or field, size=len(data),
                        content_type=upload.mimetype or None)
    if not isinstance(value, str) or not value.strip():
        return None
    if value.startswith(("http://", "https://")):
        return SentFile(field, url=value)
    if value in state.files:
        return SentFile(field, file_id=value, size=state.files[value].file_size)
    return api_error(400, "Bad Request: wrong file identifier/HTTP URL specified")


def _target(state: TelegramState, params: JSON) -> tuple[EmulatedChat, int | None] | JSON:
    """The chat a send goes to and the message it replies to, or Telegram's error."""
    try:
        chat = state.chat(params["chat_id"])
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        return api_error(400, "Bad Request: chat not found")
    if chat.blocked:
        return api_error(403, "Forbidden: bot was blocked by the user")
    reply = params.get("reply_parameters")
    reply = reply if isinstance(reply, dict) else {}
    reply_to = reply.get("message_id")
    reply_to = reply_to if isinstance(reply_to, int) else None
    if (reply_to is not None and reply_to not in chat.messages
            and not reply.get("allow_sending_without_reply")):
        return api_error(400, "Bad Request: message to be replied not found")
    return chat, reply_to


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _path(url: str) -> str:
    """The URL's path, and Zendesk's ``?name=`` (the file name) when it has one."""
    parts = urlsplit(url)
    return parse_qs(parts.query).get("name", [parts.path])[0]


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
    if problem.keyword == "required" and problem.path in _FILE_FIELDS:
        return f"Bad Request: there is no {problem.path} in the request"
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
    for key in _INT_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            params[key] = int(value)
    for key in _BOOL_PARAMS:
        if params.get(key) in ("true", "false"):
            params[key] = params[key] == "true"
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
