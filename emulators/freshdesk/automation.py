"""The automation rule "ticket is updated → Trigger webhook", delivered from a thread.

Freshdesk webhooks are unsigned: the rule adds a header (``X-Bridge-Secret``) with a
shared secret. The body is the admin's template with ``{{ticket.id}}``,
``{{ticket.status}}`` and ``{{triggered_event}}`` replaced. A connection error or a 5xx
is retried after 0.2 s, 0.5 s and 1 s.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import requests

from .state import STATUSES, Automation, EmulatorState

BACKOFF = (0.2, 0.5, 1.0)


def render(template: str, ticket_id: int, status: int, event: str) -> str:
    return (template.replace("{{ticket.id}}", str(ticket_id))
            .replace("{{ticket.status}}", STATUSES.get(status, str(status)))
            .replace("{{triggered_event}}", event))


def ticket_updated(state: EmulatorState, ticket_id: int, performer_id: int | None,
                   event: str) -> None:
    """Fire the rule for a change by ``performer_id`` (call with ``state.lock`` held)."""
    rule = state.automation
    ticket = state.tickets.get(ticket_id)
    if rule is None or ticket is None:
        return
    if rule.performer == "agent" and not state.is_agent(performer_id):
        return
    body = render(rule.body, ticket_id, int(ticket["status"]), event)
    threading.Thread(target=deliver, args=(state, rule, body, event), daemon=True,
                     name="freshdesk-webhook").start()


def deliver(state: EmulatorState, rule: Automation, body: str, event: str) -> None:
    headers = {"Content-Type": "application/json", "User-Agent": "Freshdesk",
               **rule.headers}
    if rule.secret:
        headers[rule.header] = rule.secret
    for attempt in range(len(BACKOFF) + 1):
        status: int | None = None
        error: str | None = None
        try:
            status = requests.post(rule.url, data=body.encode(), headers=headers,
                                   timeout=10).status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        with state.lock:
            state.webhook_deliveries.append({
                "url": rule.url, "event": event, "attempt": attempt + 1, "status": status,
                "error": error, "body": body, "headers": headers,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            })
        if status is not None and status < 500:
            return
        if attempt < len(BACKOFF):
            time.sleep(BACKOFF[attempt])
