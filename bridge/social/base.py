"""The SocialChannel protocol: what every platform adapter offers the pipeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

import structlog
from pydantic import ValidationError

from bridge.domain import InboundMessage, OutboundMessage, ParsedWebhook, Sender, SendResult
from bridge.errors import BridgeError

log = structlog.get_logger(__name__)


class SocialChannel(Protocol):
    """``sends_attachments`` (optional attribute, default False): the channel deals with
    ``OutboundMessage.attachment_urls`` itself (sends them, or names those it cannot in its
    ``SendResult.note``); otherwise the pipeline notes on the ticket that they were not sent."""

    kind: str  # the channel kind, e.g. "messenger"

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Typed messages out of a verified, decoded webhook body.

        Raises ``PayloadError`` when the body does not have the platform's shape.
        Echoes of our own sends, receipts and unknown kinds go to ``ignored``.
        """

    def profile(self, message: InboundMessage) -> Sender:
        """The sender with a display name from the platform profile when available.

        Never raises: falls back to the sender as parsed.
        """

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Deliver text on the thread within the platform's window rules.

        Raises ``WindowClosed`` when no rule allows the send, ``TransientError`` or
        ``PermanentError`` for vendor failures.
        """


def verify_headers(headers: Mapping[str, str], name: str) -> str:
    """The value of a required header, case-insensitive; empty string when absent."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return ""


def first_error(exc: ValidationError) -> str:
    """A pydantic error in one line for a 400: ``entry.0.changes.1.value: Input should
    be...`` (where, then what)."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def profile_or_parsed(sender: Sender, look_up: Callable[[], Sender], kind: str,
                      id_name: str) -> Sender:
    """``look_up()``, or ``sender`` as parsed when it fails (``profile`` never raises): a
    vendor error is a warning, anything else is logged with its traceback. The log names
    the sender's id as ``id_name`` (``psid``, ``igsid``)."""
    try:
        return look_up()
    except BridgeError as exc:
        log.warning(f"{kind}_profile_unavailable", **{id_name: sender.external_id},
                    error=str(exc))
    except Exception:
        log.exception(f"{kind}_profile_failed", **{id_name: sender.external_id})
    return sender
