"""Reading a ticket's comments. Their authors' roles come from the ``include=users``
sideload, which zenpy's object layer drops, so the list is read raw (``ZendeskClient``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bridge.errors import PermanentError
from bridge.zendesk.client import ZendeskClient, zid
from bridge.zendesk.payloads import ApiComment, ApiUser, CommentsPage, next_page_url


def read_comments(
    client: ZendeskClient, ticket_id: str
) -> tuple[list[ApiComment], dict[int, ApiUser]]:
    """Every comment of a ticket (all pages, oldest first) and the sideloaded authors."""
    comments: list[ApiComment] = []
    users: dict[int, ApiUser] = {}
    url: str | None = f"tickets/{zid(ticket_id)}/comments"
    params: dict[str, Any] | None = {"include": "users", "page[size]": 100}
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        body = client.request("GET", url, params=params)
        try:
            page = CommentsPage.model_validate(body)
        except ValidationError as exc:
            raise PermanentError(f"unexpected Zendesk comments body: {exc}") from exc
        comments.extend(page.comments)
        users.update((user.id, user) for user in page.users)
        url, params = next_page_url(body), None
    return sorted(comments, key=lambda c: c.id), users
