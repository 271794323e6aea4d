"""Errors that cross module boundaries; each one maps to one outcome."""

from __future__ import annotations


class BridgeError(Exception):
    """Base class for the bridge's own errors."""


class SignatureError(BridgeError):
    """A webhook's signature, secret or timestamp is missing or wrong (HTTP 401)."""


class HandshakeError(BridgeError):
    """A subscription handshake failed, e.g. a wrong verify token (HTTP 403)."""


class PayloadError(BridgeError):
    """A webhook body is malformed (HTTP 400, nothing stored)."""


class UnsupportedEvent(BridgeError):
    """An event kind we deliberately ignore or do not know (HTTP 200, counted)."""


class TransientError(BridgeError):
    """A vendor call failed in a way that is worth retrying.

    ``retry_after`` is the vendor's own wait in seconds (429 ``Retry-After``), or
    ``None`` when the caller should back off on its own schedule.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(BridgeError):
    """A vendor call failed and retrying the same request cannot help."""


class RefusedFields(PermanentError):
    """The helpdesk refused a new ticket only for optional values a rule or mapping chose
    (a group, agent, type, brand or custom field value the account no longer takes):
    ``fields`` names them in the helpdesk's words. The ticket is created without them,
    never refused for them."""

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


class NotFound(PermanentError):
    """The helpdesk says the record does not exist (HTTP 404)."""


class ConfigError(BridgeError):
    """The configuration is missing something this operation needs."""


class TicketClosed(PermanentError):
    """The helpdesk refuses comments on this ticket because it is closed."""


class WindowClosed(PermanentError):
    """The platform's messaging window forbids this send."""
