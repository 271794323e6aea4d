"""Tickets, conversations (notes and replies), the ticket list and ticket search."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, request

from . import tickets
from .app import base_url, get_state, reply, request_data
from .errors import JSON, validation
from .paging import page_args, paged
from .search import parse_query

bp = Blueprint("freshdesk_tickets", __name__, url_prefix="/api/v2")
SEARCH_PAGE, SEARCH_MAX_PAGES = 30, 10
ORDER_BY = ("created_at", "due_by", "updated_at", "status")


def _body() -> tuple[JSON, list[object]]:
    data, files = request_data()
    if request.mimetype == "multipart/form-data":
        data = tickets.coerce_form(get_state(), data)
    return data, files


@bp.post("/tickets")
def create_ticket() -> Response:
    data, files = _body()
    state = get_state()
    with state.lock:
        ticket = tickets.create_ticket(state, data, files, base_url())
        return reply(tickets.shown(ticket), 201)


@bp.get("/tickets/<int:ticket_id>")
def view_ticket(ticket_id: int) -> Response:
    state = get_state()
    includes = set(request.args.get("include", "").split(","))
    with state.lock:
        out = tickets.shown(tickets.get_ticket(state, ticket_id))
        if "conversations" in includes:
            out["conversations"] = copy.deepcopy(state.conversations[ticket_id][:10])
        if "requester" in includes:
            person = state.contacts.get(out["requester_id"], {})
            out["requester"] = {k: person.get(k) for k in ("id", "name", "email", "mobile",
                                                           "phone")}
    return reply(out)


@bp.put("/tickets/<int:ticket_id>")
def update_ticket(ticket_id: int) -> Response:
    data, _files = _body()
    state = get_state()
    with state.lock:
        ticket = tickets.update_ticket(state, ticket_id, data, state.API_AGENT_ID)
        return reply(tickets.shown(ticket))


@bp.get("/tickets")
def list_tickets() -> Response:
    """Newest first by default; only the last 30 days; no spam or deleted unless filtered."""
    args = request.args
    order_by = args.get("order_by", "created_at")
    if order_by not in ORDER_BY:
        raise validation(("order_by", f"It should be one of these values: "
                          f"'{','.join(ORDER_BY)}'", "invalid_value"))
    since = args.get("updated_since")
    floor = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = get_state()
    with state.lock:
        found = list(state.tickets.values())
        kind = args.get("filter")
        if kind == "spam":
            found = [t for t in found if t["spam"]]
        elif kind == "deleted":
            found = [t for t in found if t["deleted"]]
        else:
            found = [t for t in found if not t["spam"] and not t["deleted"]]
        if since:
            found = [t for t in found if t["updated_at"] >= since]
        else:
            found = [t for t in found if t["created_at"] >= floor]
        if "requester_id" in args:
            found = [t for t in found if str(t["requester_id"]) == args["requester_id"]]
        found.sort(key=lambda t: (t[order_by] or "", t["id"]),
                   reverse=args.get("order_type", "desc") != "asc")
        page, per_page = page_args(args)
        with_description = "description" in args.get("include", "").split(",")
        return paged([tickets.shown(t, description=with_description) for t in found],
                     page, per_page)


@bp.get("/tickets/<int:ticket_id>/conversations")
def conversations(ticket_id: int) -> Response:
    state = get_state()
    with state.lock:
        tickets.get_ticket(state, ticket_id)
        page, per_page = page_args(request.args)
        return paged(copy.deepcopy(state.conversations[ticket_id]), page, per_page)


@bp.post("/tickets/<int:ticket_id>/notes")
def add_note(ticket_id: int) -> Response:
    data, files = _body()
    state = get_state()
    with state.lock:
        note = tickets.add_note(state, ticket_id, data, files, base_url())
        return reply(copy.deepcopy(note), 201)


@bp.post("/tickets/<int:ticket_id>/reply")
def add_reply(ticket_id: int) -> Response:
    data, files = _body()
    state = get_state()
    with state.lock:
        item = tickets.add_reply(state, ticket_id, data, files, base_url())
        return reply(copy.deepcopy(item), 201)


@bp.get("/search/tickets")
def search_tickets() -> Response:
    """30 results a page, 10 pages at most; a ticket appears ``search_lag`` s after creation."""
    state = get_state()
    with state.lock:
        custom = {f["name"] for f in state.ticket_fields if f["name"].startswith("cf_")}
        predicate = parse_query(request.args.get("query"), custom)
        page = request.args.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= SEARCH_MAX_PAGES:
            raise validation(("page", f"It should be a Positive Integer less than or equal "
                              f"to {SEARCH_MAX_PAGES}", "invalid_value"))
        found = [t for tid, t in sorted(state.tickets.items(), reverse=True)
                 if not t["deleted"] and not t["spam"] and state.visible_in_search(tid)
                 and predicate(t)]
        start = (int(page) - 1) * SEARCH_PAGE
        results = [tickets.shown(t, description=False)
                   for t in found[start:start + SEARCH_PAGE]]
    return reply({"results": results, "total": len(found)})
