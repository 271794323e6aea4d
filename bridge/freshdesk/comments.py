"""Reading a ticket's conversations (replies and notes: Freshdesk's comments)."""

from __future__ import annotations

from typing import Any

from bridge.freshdesk.client import FreshdeskClient, as_model, fid
from bridge.freshdesk.payloads import ApiConversation

MAX_PAGES = 500


def read_comments(client: FreshdeskClient, ticket_id: str) -> list[ApiConversation]:
    """Every conversation of a ticket (all pages, ``Link`` header), oldest first."""
    found: list[ApiConversation] = []
    url: str | None = f"tickets/{fid(ticket_id)}/conversations"
    params: dict[str, Any] | None = {"per_page": 100}
    seen: set[str] = set()
    while url and url not in seen and len(seen) < MAX_PAGES:
        seen.add(url)
        answer = client.request("GET", url, params=params)
        items = answer.body if isinstance(answer.body, list) else []
        found += [as_model(ApiConversation, item, "conversation") for item in items]
        url, params = answer.next_url, None
    return sorted(found, key=lambda c: c.id)
