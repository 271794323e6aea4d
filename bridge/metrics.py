"""Prometheus metrics. Set PROMETHEUS_MULTIPROC_DIR to aggregate several gunicorn workers."""

from __future__ import annotations

from functools import cache
from typing import Any

from prometheus_client import Counter

WEBHOOKS = Counter(
    "bridge_webhooks_total", "Webhook requests by endpoint and outcome", ["endpoint", "outcome"]
)
EVENTS_IGNORED = Counter(
    "bridge_events_ignored_total", "Webhook events deliberately ignored", ["endpoint", "reason"]
)
MESSAGES_STORED = Counter(
    "bridge_inbox_stored_total", "Customer messages stored (new rows only)", ["channel"]
)
RECEIPTS = Counter(
    "bridge_receipts_total", "Delivery and read receipts recorded (never ticketed)",
    ["channel", "status"],
)
MESSAGES_SUPPRESSED = Counter(
    "bridge_messages_suppressed_total", "Messages a routing rule suppressed (spam: no ticket)",
    ["channel"],
)
TICKET_FIELDS_SKIPPED = Counter(
    "bridge_ticket_fields_skipped_total",
    "Field values left out of new tickets because the helpdesk's fields no longer take them",
    ["helpdesk", "field"],
)


@cache
def child(metric: Counter, *labels: str) -> Any:
    """The child of ``metric`` for ``labels``, looked up once: ``labels()`` validates and
    locks on every call, and the webhook handlers count thousands of times a second. The
    cache holds the children the metric keeps anyway, no more."""
    return metric.labels(*labels)
