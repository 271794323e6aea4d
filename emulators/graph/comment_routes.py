"""Comment endpoints of the Graph emulator: public replies (``POST /{comment-id}/comments``
on Facebook, ``/replies`` on Instagram), private replies (the Send API with
``recipient.comment_id``), and the control endpoints that set comments up."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.common.meta import error_response, json_body, parse_time
from emulators.graph.comments import EDGES, new_comment_id
from emulators.graph.errors import JSON, graph_error
from emulators.graph.http import request_body, token
from emulators.graph.state import MESSAGING_TYPES, GraphState


def comment_routes(state: GraphState) -> Blueprint:
    bp = Blueprint("graph_comments", __name__)

    @bp.post("/<version>/<comment_id>/<any(comments, replies):edge>")
    def reply(version: str, comment_id: str, edge: str) -> Response:
        if state.page_of(token()) is None:
            return error_response(graph_error("Invalid OAuth access token.", 190))
        text = request_body().get("message", request.values.get("message"))
        problem = state.comments.public_reply_problem(comment_id, edge, text)
        if problem:
            return error_response(problem)
        record = state.record(f"{EDGES[edge]}_comment", token(), comment_id=comment_id,
                              text=text, message_id=new_comment_id())
        return jsonify(id=record["message_id"])

    return bp


def private_reply(state: GraphState, body: JSON) -> Response:
    """``recipient: {"comment_id": ...}``: one message to the comment's author."""
    comment_id = str(body["recipient"]["comment_id"])
    message = body.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text:
        return error_response(graph_error("(#100) Must send either message or sender action",
                                          100))
    if body.get("messaging_type", "RESPONSE") not in MESSAGING_TYPES:
        return error_response(graph_error(
            "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}", 100))
    comment, problem = state.comments.private_reply(comment_id, text)
    if comment is None:
        return error_response(problem or graph_error("An unknown error has occurred.", 1))
    record = state.record("private_reply", token(), comment_id=comment_id,
                          recipient=comment.author,
                          platform=comment.platform, text=text,
                          messaging_type=body.get("messaging_type"))
    return jsonify(recipient_id=comment.author, message_id=record["message_id"])


def add_comment_controls(bp: Blueprint, state: GraphState) -> None:
    """``POST /_emulator/comments`` ({id, platform, from, created_time, parent_id}) and
    ``POST /_emulator/comments/<id>/remove``."""

    @bp.post("/comments")
    def add_comment() -> tuple[Response, int]:
        data = json_body()
        try:
            at = parse_time(data["created_time"]) if data.get("created_time") else None
            platform = str(data.get("platform", "facebook"))
            if platform not in EDGES.values():
                raise ValueError(f"platform must be one of {sorted(EDGES.values())}")
            state.comments.add(str(data["id"]), platform, str(data.get("from") or "someone"),
                               at, str(data["parent_id"]) if data.get("parent_id") else None)
        except (KeyError, ValueError) as exc:
            return jsonify(error=f"need id (and an ISO 8601 created_time): {exc}"), 400
        return jsonify(ok=True), 201

    @bp.post("/comments/<comment_id>/remove")
    def remove_comment(comment_id: str) -> tuple[Response, int]:
        state.comments.remove(comment_id)
        return jsonify(ok=True), 200
