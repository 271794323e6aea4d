"""Stored record shapes: comments (with attachments from upload tokens) and tickets."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

from .errors import invalid
from .state import BRAND_ID, CUSTOM_STATUS_IDS, JSON, TICKET_FORM_ID, EmulatorState, now_iso


def html_for(body: str) -> str:
    """The ``html_body`` Zendesk derives from a plain-text comment."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p] or [""]
    inner = "".join(
        '<p dir="auto">' + html.escape(p, quote=False).replace("\n", "<br>") + "</p>"
        for p in paragraphs
    )
    return f'<div class="zd-comment" dir="auto">{inner}</div>'


def text_from_html(markup: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    text = re.sub(r"(?i)</p\s*>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def via(channel: str, rel: str | None = None, source_from: JSON | None = None) -> JSON:
    return {"channel": channel, "source": {"from": source_from or {}, "to": {}, "rel": rel}}


def build_comment(
    state: EmulatorState,
    spec: JSON,
    default_author: int,
    audit_id: int,
    channel: str,
    metadata: JSON,
) -> JSON:
    """A stored comment (GET .../comments shape) from a request's ``comment`` object."""
    body = spec.get("body")
    html_body = spec.get("html_body")
    if (body is None or body == "") and html_body:
        body = text_from_html(str(html_body))
    if body is None or str(body).strip() == "":
        raise invalid("base", "Description: cannot be blank", "BlankValue")
    author_id = spec.get("author_id") or default_author
    if author_id not in state.users:
        raise invalid("author_id", "Author: is invalid")
    attachments: list[JSON] = []
    for token in spec.get("uploads") or []:
        attachments.extend(state.uploads.pop(str(token), []))
    public = spec.get("public", spec.get("is_public", True))
    return {
        "id": state.next_id(),
        "type": "Comment",
        "author_id": author_id,
        "body": str(body),
        "html_body": str(html_body) if html_body else html_for(str(body)),
        "plain_body": str(body),
        "public": public is not False and public != "false",
        "attachments": attachments,
        "audit_id": audit_id,
        "via": via(channel),
        "created_at": now_iso(),
        "metadata": metadata,
    }


def comment_event(comment: JSON) -> JSON:
    keys = ("id", "type", "author_id", "body", "html_body", "plain_body", "public")
    event = {key: comment[key] for key in keys}
    event["attachments"] = comment["attachments"]
    event["audit_id"] = comment["audit_id"]
    return event


def normalize_tags(value: Any) -> list[str]:
    """Zendesk tags: lower case, no spaces, no duplicates."""
    words = (
        value.split()
        if isinstance(value, str)
        else [w for v in value or [] for w in str(v).split()]
    )
    out: list[str] = []
    for word in words:
        if word.lower() not in out:
            out.append(word.lower())
    return out


def merge_fields(current: list[JSON], given: Any) -> list[JSON]:
    merged = {f["id"]: f for f in copy.deepcopy(current)}
    for field in given or []:
        merged[field["id"]] = {"id": field["id"], "value": field.get("value")}
    return list(merged.values())


def ticket_record(
    tid: int, data: JSON, comment: JSON, source: JSON, requester_id: int, status: str
) -> JSON:
    """A new ticket in the shape of fixtures/zendesk_api/ticket_create_201.json."""
    ts = now_iso()
    fields = merge_fields([], data.get("custom_fields") or data.get("fields"))
    return {
        "url": f"/api/v2/tickets/{tid}.json",
        "id": tid,
        "external_id": data.get("external_id"),
        "via": source,
        "created_at": ts,
        "updated_at": ts,
        "generated_timestamp": 0,
        "type": data.get("type"),
        "subject": data.get("subject"),
        "raw_subject": data.get("subject"),
        "description": comment["body"],
        "priority": data.get("priority"),
        "status": status,
        "recipient": None,
        "requester_id": requester_id,
        "submitter_id": data.get("submitter_id") or comment["author_id"],
        "assignee_id": data.get("assignee_id"),
        "organization_id": None,
        "group_id": data.get("group_id"),
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": comment["public"],
        "due_at": data.get("due_at"),
        "tags": normalize_tags(data.get("tags")),
        "custom_fields": fields,
        "satisfaction_rating": None,
        "sharing_agreement_ids": [],
        "custom_status_id": CUSTOM_STATUS_IDS[status],
        "fields": copy.deepcopy(fields),
        "followup_ids": [],
        "ticket_form_id": TICKET_FORM_ID,
        "brand_id": data.get("brand_id") or BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }
