"""``bridge zendesk install --url URL``: the signed webhook and the trigger that calls it.

Idempotent: the webhook is found by name and endpoint, the trigger by title; running it
twice creates nothing new (a trigger that drifted from our definition is put back).
zenpy 2.0.57 covers webhooks and triggers, but this module speaks JSON through the
adapter's raw ``request`` (``client.ZendeskClient``: same session, same error mapping).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.errors import ConfigError, PermanentError
from bridge.helpdesk import Helpdesk
from bridge.zendesk.client import ZendeskClient
from bridge.zendesk.payloads import next_page_url

WEBHOOK_NAME = "Social bridge"
TRIGGER_TITLE = "Social bridge: notify on public comment or status change"
TRIGGER_BODY = '{"ticket_id": "{{ticket.id}}"}'
WEBHOOK_SETTINGS = {"http_method": "POST", "request_format": "json", "status": "active"}
CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "all": [
        {"field": "update_type", "operator": "is", "value": "Change"},
        {"field": "current_tags", "operator": "includes", "value": "social"},
    ],
    "any": [
        {"field": "comment_is_public", "operator": "is", "value": "true"},
        {"field": "status", "operator": "changed"},
    ],
}


@dataclass(frozen=True)
class InstallResult:
    webhook_id: str
    trigger_id: str
    signing_secret: str
    webhook_created: bool
    trigger_created: bool


def install(helpdesk_or_client: Helpdesk | ZendeskClient, bridge_url: str) -> InstallResult:
    """Create or find the webhook, read its signing secret, create or update the trigger."""
    # Freshdesk's adapter has a ``request`` too, so the protocol alone cannot tell them apart.
    if (not isinstance(helpdesk_or_client, ZendeskClient)
            or getattr(helpdesk_or_client, "name", "zendesk") != "zendesk"):
        raise ConfigError("bridge zendesk install needs BRIDGE_HELPDESK=zendesk")
    client = helpdesk_or_client
    endpoint = f"{bridge_url.rstrip('/')}/webhooks/zendesk"
    webhook_id, webhook_created = _ensure_webhook(client, endpoint)
    found = client.request("GET", f"webhooks/{webhook_id}/signing_secret").get("signing_secret")
    signing_secret = str(found.get("secret") or "") if isinstance(found, dict) else ""
    if not signing_secret:
        raise PermanentError(f"Zendesk gave no signing secret for webhook {webhook_id}")
    trigger_id, trigger_created = _ensure_trigger(client, webhook_id)
    return InstallResult(webhook_id, trigger_id, signing_secret, webhook_created,
                         trigger_created)


def _items(client: ZendeskClient, path: str, key: str,
           params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a list endpoint, following cursor or offset pagination."""
    url: str | None = path
    query: Mapping[str, Any] | None = params
    while url:
        body = client.request("GET", url, params=query)
        yield from (item for item in body.get(key) or [] if isinstance(item, dict))
        url, query = next_page_url(body), None


def _ensure_webhook(client: ZendeskClient, endpoint: str) -> tuple[str, bool]:
    params = {"filter[name_contains]": WEBHOOK_NAME, "page[size]": 100}
    for hook in _items(client, "webhooks", "webhooks", params):
        if hook.get("name") == WEBHOOK_NAME and hook.get("endpoint") == endpoint:
            if any(hook.get(k) != v for k, v in WEBHOOK_SETTINGS.items()):
                client.request("PATCH", f"webhooks/{hook['id']}",
                               json={"webhook": WEBHOOK_SETTINGS})
            return str(hook["id"]), False
    definition = {"name": WEBHOOK_NAME, "endpoint": endpoint,
                  "subscriptions": ["conditional_ticket_events"], **WEBHOOK_SETTINGS}
    created = client.request("POST", "webhooks", json={"webhook": definition})
    return str(created["webhook"]["id"]), True


def _comparable(conditions: object) -> dict[str, list[dict[str, str]]]:
    """Conditions as text, nulls dropped: Zendesk may echo ``"value": null`` or ``true``."""
    groups = conditions if isinstance(conditions, Mapping) else {}
    return {
        group: [
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in c.items() if v is not None}
            for c in groups.get(group) or [] if isinstance(c, Mapping)
        ]
        for group in ("all", "any")
    }


def _ensure_trigger(client: ZendeskClient, webhook_id: str) -> tuple[str, bool]:
    definition = {
        "title": TRIGGER_TITLE,
        "active": True,
        "conditions": CONDITIONS,
        "actions": [{"field": "notification_webhook", "value": [webhook_id, TRIGGER_BODY]}],
    }
    for trigger in _items(client, "triggers", "triggers", {"page[size]": 100}):
        if trigger.get("title") != TRIGGER_TITLE:
            continue
        same = (trigger.get("active") is True
                and trigger.get("actions") == definition["actions"]
                and _comparable(trigger.get("conditions")) == _comparable(CONDITIONS))
        if not same:
            client.request("PUT", f"triggers/{trigger['id']}", json={"trigger": definition})
        return str(trigger["id"]), False
    created = client.request("POST", "triggers", json={"trigger": definition})
    return str(created["trigger"]["id"]), True
