"""Prometheus metrics. Set PROMETHEUS_MULTIPROC_DIR to aggregate several gunicorn workers."""

from __future__ import annotations

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
