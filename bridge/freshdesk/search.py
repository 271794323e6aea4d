"""Finding a ticket by a tag (tickets have no external id: the marker is a tag). Search
first (``/search/tickets``, one call); Freshdesk's search index lags by minutes, so when
the search finds nothing the newest 100 tickets are scanned too (one more call)."""

from __future__ import annotations

from bridge.freshdesk.client import FreshdeskClient, as_model
from bridge.freshdesk.payloads import ApiTicket, SearchPage


def ticket_with_tag(client: FreshdeskClient, tag: str) -> ApiTicket | None:
    return _search_tag(client, tag) or _recent_with_tag(client, tag)


def _search_tag(client: FreshdeskClient, tag: str) -> ApiTicket | None:
    answer = client.request("GET", "search/tickets", params={"query": f"\"tag:'{tag}'\""})
    page = as_model(SearchPage, answer.body or {}, "search")
    return next((t for t in page.results if tag in t.tags), None)


def _recent_with_tag(client: FreshdeskClient, tag: str) -> ApiTicket | None:
    params = {"order_by": "created_at", "order_type": "desc", "per_page": 100}
    answer = client.request("GET", "tickets", params=params)
    items = answer.body if isinstance(answer.body, list) else []
    tickets = (as_model(ApiTicket, item, "ticket") for item in items)
    return next((t for t in tickets if tag in t.tags), None)
