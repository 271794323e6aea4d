"""Writing to a ticket: notes (private, or incoming and public by the contact), and POSTs
that carry files as multipart ``attachments[]`` with the note or the ticket (20 MB in all)."""

from __future__ import annotations

from typing import Any

from bridge.domain import Upload
from bridge.freshdesk.client import Answer, FileTuple, FreshdeskClient, as_model, fid, form_fields
from bridge.freshdesk.mapping import text_to_html
from bridge.freshdesk.payloads import ApiConversation


def send(client: FreshdeskClient, path: str, fields: dict[str, Any],
         uploads: tuple[Upload, ...]) -> Answer:
    """POST as JSON, or as multipart with ``attachments[]`` when there are files."""
    if not uploads:
        return client.request("POST", path, json=fields)
    files: list[FileTuple] = [
        ("attachments[]", (u.filename, u.data, u.content_type)) for u in uploads]
    return client.request("POST", path, data=form_fields(fields), files=files)


def add_note(client: FreshdeskClient, ticket_id: str, text: str, *, private: bool,
             incoming: bool = False, user_id: int | None = None,
             uploads: tuple[Upload, ...] = ()) -> ApiConversation:
    fields: dict[str, Any] = {"body": text_to_html(text), "private": private}
    if incoming:
        fields["incoming"] = True
    if user_id is not None:
        fields["user_id"] = user_id
    answer = send(client, f"tickets/{fid(ticket_id)}/notes", fields, uploads)
    return as_model(ApiConversation, answer.body, "note")
