"""Requesters are contacts with ``unique_external_id``. We create first (one call for a new
sender) and treat 409 as "already there": its ``additional_info.user_id``, else the
contact found by ``GET /contacts?unique_external_id=``. Never a duplicate contact."""

from __future__ import annotations

from typing import Any

from bridge.domain import Requester
from bridge.errors import PermanentError
from bridge.freshdesk.client import FreshdeskClient, as_model
from bridge.freshdesk.payloads import ApiContact


def ensure_contact(client: FreshdeskClient, requester: Requester) -> str:
    """The id of the contact with the requester's external id, created if need be."""
    external_id = requester.external_id
    body = {"name": requester.name or external_id, "unique_external_id": external_id}
    try:
        answer = client.request("POST", "contacts", json=body, allow=(409,))
    except PermanentError as exc:
        if "unique_external_id" not in str(exc):
            raise
        raise PermanentError(f"{exc} (the bridge needs the contact field Unique External "
                             "ID: is it enabled in this Freshdesk account?)") from exc
    if answer.status != 409:
        return str(as_model(ApiContact, answer.body, "contact").id)
    existing = _duplicate_user_id(answer.body)
    if existing is not None:
        return existing
    found = client.request("GET", "contacts", params={"unique_external_id": external_id})
    for item in found.body if isinstance(found.body, list) else []:
        contact = as_model(ApiContact, item, "contact")
        if (contact.unique_external_id or "").lower() == external_id.lower():
            return str(contact.id)
    raise PermanentError(
        f"Freshdesk says a contact with unique_external_id {external_id!r} exists (409) "
        "but does not list it: it may be deleted or merged; restore it in Freshdesk")


def _duplicate_user_id(body: Any) -> str | None:
    """``errors[].additional_info.user_id`` of a 409 duplicate, when Freshdesk gives it."""
    errors = body.get("errors") if isinstance(body, dict) else None
    for item in errors if isinstance(errors, list) else []:
        info = item.get("additional_info") if isinstance(item, dict) else None
        user_id = info.get("user_id") if isinstance(info, dict) else None
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            return str(user_id)
    return None
