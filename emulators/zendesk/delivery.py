"""Signed webhook delivery from background threads, with retries on connection errors and 5xx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from .state import ACCOUNT_ID, JSON, EmulatorState

BACKOFF = (0.2, 0.5, 1.0)  # waits before the 1st, 2nd and 3rd retry


@dataclass
class Delivery:
    webhook_id: str
    url: str
    method: str
    body: str
    secret: str
    kind: str  # "trigger" or the event type
    authentication: JSON | None = None
    custom_headers: dict[str, str] | None = None
    invocation_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), (timestamp + body).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _headers(d: Delivery, timestamp: str) -> dict[str, str]:
    headers = {str(k): str(v) for k, v in (d.custom_headers or {}).items()}
    headers |= {
        "Content-Type": "application/json",
        "User-Agent": "Zendesk Webhook",
        "X-Zendesk-Account-Id": str(ACCOUNT_ID),
        "X-Zendesk-Webhook-Id": d.webhook_id,
        "X-Zendesk-Webhook-Invocation-Id": d.invocation_id,
        "X-Zendesk-Webhook-Signature": sign(d.secret, timestamp, d.body),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
    }
    auth = d.authentication or {}
    data = auth.get("data") or {}
    if auth.get("type") == "basic_auth":
        pair = f"{data.get('username', '')}:{data.get('password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    elif auth.get("type") == "bearer_token":
        headers["Authorization"] = f"Bearer {data.get('token', '')}"
    elif auth.get("type") == "api_key" and data.get("name"):
        headers[str(data["name"])] = str(data.get("value", ""))
    return headers


def deliver(state: EmulatorState, d: Delivery) -> None:
    """Send one delivery, retrying a connection error or 5xx after 0.2 s, 0.5 s and 1 s."""
    for attempt in range(len(BACKOFF) + 1):
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status: int | None = None
        error: str | None = None
        try:
            data = d.body.encode() if d.method not in ("GET", "DELETE") else None
            resp = requests.request(
                d.method, d.url, data=data, headers=_headers(d, timestamp), timeout=10
            )
            status = resp.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        with state.lock:
            state.webhook_deliveries.append(
                {
                    "webhook_id": d.webhook_id,
                    "invocation_id": d.invocation_id,
                    "url": d.url,
                    "method": d.method,
                    "kind": d.kind,
                    "attempt": attempt + 1,
                    "status": status,
                    "error": error,
                    "body": d.body,
                    "at": timestamp,
                }
            )
        if status is not None and status < 500:
            return
        if attempt < len(BACKOFF):
            time.sleep(BACKOFF[attempt])


def dispatch(state: EmulatorState, deliveries: list[Delivery]) -> None:
    for d in deliveries:
        threading.Thread(
            target=deliver, args=(state, d), daemon=True, name="zendesk-webhook"
        ).start()
