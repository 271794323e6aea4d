"""``/api/v2`` tickets, comments, uploads and attachments (``.json`` suffixes are stripped)."""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from flask import Blueprint, Response, request

from .app import base_url, body, get_state, ids_arg, listing, meta, reply
from .errors import bad_request, not_found
from .pagination import cursor_page, offset_page
from .state import JSON
from .tickets import create_ticket, update_ticket
from .triggers import fire

bp = Blueprint("zendesk_api", __name__)
API = "/api/v2"


# tickets -----------------------------------------------------------------
@bp.get(f"{API}/tickets")
def list_tickets() -> Response:
    state = get_state()
    ext = request.args.get("external_id")
    with state.lock:
        found = [t for t in state.tickets.values() if ext is None or t["external_id"] == ext]
        return listing("tickets", copy.deepcopy(found))


@bp.get(f"{API}/tickets/show_many")
def show_many_tickets() -> Response:
    state = get_state()
    with state.lock:
        found = [
            state.tickets[int(i)] for i in ids_arg("ids") if i.isdigit() and int(i) in state.tickets
        ]
        return listing("tickets", copy.deepcopy(found))


@bp.get(f"{API}/tickets/<int:ticket_id>")
def show_ticket(ticket_id: int) -> Response:
    state = get_state()
    with state.lock:
        if ticket_id not in state.tickets:
            raise not_found()
        return reply({"ticket": copy.deepcopy(state.tickets[ticket_id])})


@bp.post(f"{API}/tickets")
def post_ticket() -> Response:
    state = get_state()
    data = body("ticket")
    with state.lock:
        change = create_ticket(state, data, state.API_USER_ID, "api", meta())
    fire(state, change, base_url())
    return reply(change.response(), 201)


@bp.put(f"{API}/tickets/<int:ticket_id>")
def put_ticket(ticket_id: int) -> Response:
    state = get_state()
    data = body("ticket")
    with state.lock:
        change = update_ticket(state, ticket_id, data, state.API_USER_ID, "api", meta())
    fire(state, change, base_url())
    return reply(change.response())


@bp.get(f"{API}/tickets/<int:ticket_id>/comments")
def list_comments(ticket_id: int) -> Response:
    state = get_state()
    args = request.args.to_dict()
    with state.lock:
        if ticket_id not in state.tickets:
            raise not_found()
        items = copy.deepcopy(state.comments[ticket_id])
        users = copy.deepcopy(state.users)
    ascending = args.get("sort_order") != "desc" and args.get("sort") != "-created_at"
    if not ascending:
        items.reverse()
    url = base_url() + str(request.environ.get("emulator.raw_path", request.path))
    if any(key.startswith("page[") for key in args):
        page = cursor_page(items, args, url, ascending)
        out: JSON = {"comments": page["page"], "meta": page["meta"], "links": page["links"]}
    else:
        page = offset_page(items, args, url)
        out = {
            "comments": page["page"],
            "next_page": page["next_page"],
            "previous_page": page["previous_page"],
            "count": page["count"],
        }
    if "users" in args.get("include", "").split(","):
        author_ids = list(dict.fromkeys(c["author_id"] for c in out["comments"]))
        out["users"] = [users[a] for a in author_ids if a in users]
    return reply(out)


# uploads and attachments -----------------------------------------------------
@bp.post(f"{API}/uploads")
def upload() -> Response:
    state = get_state()
    filename = request.args.get("filename")
    if not filename:
        raise bad_request("filename is required", "MissingParameter")
    data = request.get_data()
    content_type = request.mimetype or "application/octet-stream"
    with state.lock:
        token = request.args.get("token") or secrets.token_urlsafe(18)[:25]
        content_token = secrets.token_urlsafe(18)[:25]
        att_id = state.next_id()
        path = f"/attachments/token/{content_token}/?name={quote(filename)}"
        attachment = {
            "url": f"{API}/attachments/{att_id}.json",
            "id": att_id,
            "file_name": filename,
            "content_url": path,
            "mapped_content_url": path,
            "content_type": content_type,
            "size": len(data),
            "width": None,
            "height": None,
            "inline": False,
            "deleted": False,
            "malware_access_override": False,
            "malware_scan_result": "not_scanned",
            "thumbnails": [],
        }
        state.blobs[content_token] = (data, content_type, filename)
        state.attachments[att_id] = attachment
        state.uploads.setdefault(token, []).append(attachment)
        expires = datetime.now(UTC) + timedelta(days=3)
        upload_json = {
            "token": token,
            "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "attachments": state.uploads[token],
            "attachment": attachment,
        }
        return reply({"upload": copy.deepcopy(upload_json)}, 201)


@bp.delete(f"{API}/uploads/<token>")
def delete_upload(token: str) -> Response:
    state = get_state()
    with state.lock:
        if state.uploads.pop(token, None) is None:
            raise not_found()
    return Response(status=204)


@bp.get(f"{API}/attachments/<int:attachment_id>")
def show_attachment(attachment_id: int) -> Response:
    state = get_state()
    with state.lock:
        if attachment_id not in state.attachments:
            raise not_found()
        return reply({"attachment": copy.deepcopy(state.attachments[attachment_id])})


@bp.get("/attachments/token/<token>/", strict_slashes=False)
def download(token: str) -> Response:
    state = get_state()
    with state.lock:
        blob = state.blobs.get(token)
    if blob is None:
        raise not_found()
    data, content_type, filename = blob
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
