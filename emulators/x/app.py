"""Flask app emulating the X API v2 send endpoints, plus a control API under ``/_emulator``.

Reproduced on purpose: OAuth 1.0a signatures checked with the account's keys (401
otherwise), request bodies and the ``participant_id`` checked against the OpenAPI
document, 280 weighted characters per post and 10,000 per DM, 403 for a duplicate post,
a reply to a deleted post or a customer who refuses DMs, and 429 with
``x-rate-limit-reset`` (and the 24-hour cap headers) on injected faults.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from twitter_text import parse_tweet  # type: ignore[import-untyped]

from emulators.common.meta import control_blueprint, due_fault, json_body
from emulators.serving import BackgroundEmulator, ServerThread, build_app
from emulators.x import oauth, spec
from emulators.x.state import (
    DM_LIMIT,
    JSON,
    POST_LIMIT,
    Fault,
    XState,
    fault_from_json,
    invalid_request,
    problem,
)

POSTS = "/2/tweets"
DMS = "/2/dm_conversations/with/{participant_id}/messages"


def create_app(state: XState) -> Flask:
    return build_app("emulators.x", (_api_routes(state), _control_routes(state)),
                     before=lambda: _fault(state))


def _api_routes(state: XState) -> Blueprint:
    bp = Blueprint("x_api", __name__)

    @bp.post("/2/tweets")
    def create_post() -> tuple[Response, int]:
        refused = _refusal(state, POSTS, request.get_json(silent=True))
        if refused is not None:
            return refused
        body: JSON = request.get_json()
        text = str(body.get("text", ""))
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if parse_tweet(text).weightedLength > POST_LIMIT:
            return _error(problem(403, "Your Tweet text is too long."))
        if reply_to in state.deleted:
            return _error(problem(403, "You attempted to reply to a Tweet that is deleted or "
                                       "not visible to you."))
        if state.is_duplicate(text):
            return _error(problem(403, "You are not allowed to create a Tweet with duplicate "
                                       "content."))
        record = state.record_post(body, _token())
        return jsonify(data={"id": record["id"], "text": text,
                             "edit_history_tweet_ids": [record["id"]]}), 201

    @bp.post("/2/dm_conversations/with/<participant_id>/messages")
    def send_dm(participant_id: str) -> tuple[Response, int]:
        refused = _refusal(state, DMS, request.get_json(silent=True), participant_id)
        if refused is not None:
            return refused
        body: JSON = request.get_json()
        if len(str(body.get("text", ""))) > DM_LIMIT:
            return _error(invalid_request(f"text: must be at most {DM_LIMIT} characters"))
        if participant_id in state.dm_refusing:
            return _error(problem(403, "You cannot send messages to this user."))
        record = state.record_dm(participant_id, body, _token())
        return jsonify(data={"dm_conversation_id": record["dm_conversation_id"],
                             "dm_event_id": record["id"]}), 201

    @bp.get("/1.1/ton/data/dm/<path:media_path>")
    def dm_media(media_path: str) -> Response | tuple[Response, int]:
        """DM media, as ``ton.twitter.com`` serves it: only to a signed request."""
        signed = _signature_problem(state, "GET")
        if signed is not None:
            return _error(problem(401, f"Unauthorized: {signed}"))
        with state.lock:
            found = state.media.get(media_path)
        if found is None:
            return _error(problem(404))
        content_type, data = found
        return Response(data, content_type=content_type)

    return bp


def _refusal(state: XState, template: str, body: Any,
             participant_id: str | None = None) -> tuple[Response, int] | None:
    """401 for a bad signature, 400 for what the spec does not allow."""
    signed = _signature_problem(state, request.method)
    if signed is not None:
        return _error(problem(401, f"Unauthorized: {signed}"))
    if not isinstance(body, dict):
        return _error(invalid_request("the body must be a JSON object"))
    document = spec.load_spec(state.spec_path) if state.spec_path is not None else None
    if document is None:
        return None
    found = spec.problems(body, spec.request_schema(document, template, "post"), document)
    if participant_id is not None:
        schema = spec.parameter_schema(document, template, "post", "participant_id")
        found += spec.problems(participant_id, schema, document, "participant_id")
    return _error(invalid_request("; ".join(found))) if found else None


def _token() -> str:
    return oauth.token_of(request.headers.get("Authorization", ""))


def _signature_problem(state: XState, method: str) -> str | None:
    """Why the request is not signed by one of the app's accounts (``None`` when it is)."""
    token, secret, _ = state.keys_of(_token())
    return oauth.problem(method, request.url, request.headers.get("Authorization", ""),
                         state.consumer_key, state.consumer_secret, token, secret)


def _control_routes(state: XState) -> Blueprint:
    bp = control_blueprint(state, fault_from_json)

    @bp.post("/deleted")
    def deleted() -> tuple[Response, int]:
        """``{"tweet_id"}``: replies to this post are refused from now on."""
        tweet_id = json_body().get("tweet_id")
        if not tweet_id:
            return jsonify(error="need tweet_id"), 400
        with state.lock:
            state.deleted.add(str(tweet_id))
        return jsonify(ok=True), 200

    @bp.post("/dm_refusing")
    def dm_refusing() -> tuple[Response, int]:
        """``{"user_id"}``: this customer does not accept DMs from the account."""
        user_id = json_body().get("user_id")
        if not user_id:
            return jsonify(error="need user_id"), 400
        with state.lock:
            state.dm_refusing.add(str(user_id))
        return jsonify(ok=True), 200

    @bp.post("/media")
    def media() -> tuple[Response, int]:
        """``{"path", "base64", "content_type"?}``: served at ``/1.1/ton/data/dm/<path>``."""
        data = json_body()
        try:
            content = base64.b64decode(str(data["base64"]), validate=True)
            path = str(data["path"]).lstrip("/")
        except (KeyError, binascii.Error, ValueError) as exc:
            return jsonify(error=f"need path and base64: {exc!r}"), 400
        with state.lock:
            state.media[path] = (str(data.get("content_type") or "image/jpeg"), content)
        return jsonify(url=f"{request.host_url}1.1/ton/data/dm/{path}"), 201

    @bp.get("/spec")
    def spec_info() -> Response:
        return jsonify(validating=state.validating, path=str(state.spec_path or ""))

    return bp


def _fault(state: XState) -> Response | None:
    fault = due_fault(state)
    if not isinstance(fault, Fault) or fault.status is None:
        return None
    response = jsonify(fault.body or problem(fault.status))
    response.status_code = fault.status
    if fault.status == 429:
        response.headers.update(state.limit_headers(fault))
    elif fault.retry_after is not None:
        response.headers["Retry-After"] = f"{fault.retry_after:g}"
    return response


def _error(body: JSON) -> tuple[Response, int]:
    return jsonify(body), int(body.get("status", 400))


class XEmulator(BackgroundEmulator):
    """The emulator on a background thread: ``base = emu.start()`` ... ``emu.stop()``.

    Point ``X_API_BASE_URL`` at ``base`` and the four ``X_*`` keys at the state's.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.state = XState(**options)
        self.app = create_app(self.state)
        self._server = ServerThread(self.app, host=host, port=port)
