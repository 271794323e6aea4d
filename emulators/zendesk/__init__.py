"""A local emulator of the Zendesk Support API subset the bridge uses.

    emu = ZendeskEmulator(email="agent@example.com", token="tok")
    base_url = emu.start()      # threaded server on 127.0.0.1:<free port>
    emu.state.tickets[1]        # in-memory store, for assertions
    emu.stop()

Ticket fields (``/api/v2/ticket_fields``) are seeded with one custom field of every kind
the bridge maps, and change at run time through ``/_emulator/ticket_fields`` (or the
``add_ticket_field``/``change_ticket_field``/``remove_ticket_field`` helpers).
``python -m emulators.zendesk --port 9100`` runs it as a sandbox.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..common.helpdesk import HelpdeskEmulator
from ..serving import ServerThread
from .api_fields import add_field, change_field, remove_field
from .app import create_app
from .control import agent_comment, set_status
from .delivery import sign
from .state import JSON, EmulatorState, Fault
from .tickets import Change

__all__ = ["EmulatorState", "Fault", "ZendeskEmulator", "create_app", "sign"]


class ZendeskEmulator(HelpdeskEmulator):
    """Seeds the API user (id 1, admin, ``email``) and an agent (id 2, "Agent Smith")."""

    def __init__(self, email: str = "agent@example.com", token: str = "secret") -> None:
        self.state = EmulatorState(email=email, token=token)
        self.app: Flask = create_app(self.state)
        self._server: ServerThread | None = None
        self.base_url = ""

    def start(self, port: int = 0) -> str:
        return self._serve(port)

    # control helpers (same as the /_emulator endpoints) -----------------------
    def add_fault(self, path: str = ".*", **kwargs: Any) -> Fault:
        """E.g. ``add_fault(r"/tickets/\\d+", method="PUT", status=503, count=2)``."""
        fault = Fault(path=path, **kwargs)
        self.state.add_fault(fault)
        return fault

    def set_rate_limit(self, per_minute: int | None) -> None:
        with self.state.lock:
            self.state.rate_limit_per_minute = per_minute

    def agent_comment(self, ticket_id: int, body: str, **kwargs: Any) -> Change:
        """Keyword arguments: html_body, public, author_id, status, uploads (tokens)."""
        return agent_comment(self.state, ticket_id, body, self.base_url, **kwargs)

    def set_status(self, ticket_id: int, status: str, **kwargs: Any) -> Change:
        """Keyword arguments: author_id, via (default "rule" for closed, else "web")."""
        return set_status(self.state, ticket_id, status, self.base_url, **kwargs)

    def add_ticket_field(self, kind: str, title: str, field_id: int | None = None,
                         **extra: Any) -> JSON:
        """A new custom field, e.g. ``add_ticket_field("tagger", "Tier",
        options=[("Gold", "tier_gold")])`` (same as ``POST /_emulator/ticket_fields``)."""
        return add_field(self.state, kind, title, field_id, **extra)

    def change_ticket_field(self, field_id: int, **changes: Any) -> JSON:
        """E.g. ``change_ticket_field(id, active=False)`` or new ``custom_field_options``."""
        return change_field(self.state, field_id, changes)

    def remove_ticket_field(self, field_id: int) -> None:
        remove_field(self.state, field_id)
