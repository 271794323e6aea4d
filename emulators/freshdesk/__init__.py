"""A local emulator of the Freshdesk API v2 subset the bridge uses.

    emu = FreshdeskEmulator(api_key="key")
    base_url = emu.start()      # threaded server on 127.0.0.1:<free port>
    emu.state.tickets[1]        # in-memory store, for assertions
    emu.stop()

Served: contacts (``unique_external_id``, 409 on duplicates), agents (``/agents/me``),
groups, ticket fields (default and custom text, dropdown, checkbox, date, number,
decimal, paragraph, nested; changed at run time through ``/_emulator/ticket_fields``),
tickets (create, view, update, list, search with an optional index
lag), conversations (notes, replies; ``Link`` pagination), multipart attachments.
Per-minute rate limits answer ``X-RateLimit-Total``/``-Remaining``/``-Used-CurrentRequest``
and 429 with ``Retry-After``. ``/_emulator/...`` controls faults, the request log, limits,
agent actions and an automation rule that POSTs ``{"ticket_id": "<id>"}`` with the
``X-Bridge-Secret`` header on ticket updates. ``python -m emulators.freshdesk --port 9300``
runs it as a sandbox.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..common.helpdesk import HelpdeskEmulator
from ..serving import ServerThread
from .api_fields import add_field, change_field, remove_field
from .app import create_app
from .control import agent_note, agent_reply, set_status
from .state import JSON, Automation, EmulatorState, Fault

__all__ = ["Automation", "EmulatorState", "Fault", "FreshdeskEmulator", "create_app"]


class FreshdeskEmulator(HelpdeskEmulator):
    """Seeds the API key's agent (``API_AGENT_ID``, "Bridge API") and a human agent
    (``AGENT_ID``, "Agent Smith"); contacts and tickets start empty."""

    API_AGENT_ID = EmulatorState.API_AGENT_ID
    AGENT_ID = EmulatorState.AGENT_ID

    def __init__(self, api_key: str = "secret") -> None:
        self.state = EmulatorState(api_key=api_key)
        self.app: Flask = create_app(self.state)
        self._server: ServerThread | None = None
        self.base_url = ""

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        return self._serve(port, host)

    # control helpers (same as the /_emulator endpoints) ------------------------------------
    def add_fault(self, path: str = ".*", **kwargs: Any) -> Fault:
        """E.g. ``add_fault(r"/tickets/\\d+/notes", method="POST", status=503, count=2)``;
        keywords: method, status, count, retry_after, delay, delay_after_commit (the
        request is applied, then its answer waits ``delay`` s), body."""
        fault = Fault(path=path, **kwargs)
        self.state.add_fault(fault)
        return fault

    def set_rate_limit(self, per_minute: int | None, reset_window: bool = True) -> None:
        with self.state.lock:
            self.state.rate_limit_per_minute = per_minute
        if reset_window:
            self.state.reset_rate_window()

    def set_search_lag(self, seconds: float) -> None:
        with self.state.lock:
            self.state.search_lag = seconds

    def agent_reply(self, ticket_id: int, body: str, user_id: int = AGENT_ID) -> JSON:
        """A public reply (``body`` is HTML, as the agent UI stores it)."""
        return agent_reply(self.state, ticket_id, body, user_id)

    def private_note(self, ticket_id: int, body: str, user_id: int = AGENT_ID) -> JSON:
        return agent_note(self.state, ticket_id, body, user_id, private=True)

    def public_note(self, ticket_id: int, body: str, user_id: int = AGENT_ID) -> JSON:
        return agent_note(self.state, ticket_id, body, user_id, private=False)

    def set_status(self, ticket_id: int, status: int | str, user_id: int = AGENT_ID) -> JSON:
        return set_status(self.state, ticket_id, status, user_id)

    def add_ticket_field(self, name: str, label: str, kind: str, **extra: Any) -> JSON:
        """A new custom field, e.g. ``add_ticket_field("cf_tier", "Tier", "custom_dropdown",
        choices=["bronze", "silver"])`` (same as ``POST /_emulator/ticket_fields``)."""
        return add_field(self.state, name, label, kind, **extra)

    def change_ticket_field(self, name: str, **changes: Any) -> JSON:
        """E.g. ``change_ticket_field("cf_tier", choices=["gold"])``."""
        return change_field(self.state, name, changes)

    def remove_ticket_field(self, name: str) -> None:
        remove_field(self.state, name)

    def configure_automation(self, url: str, secret: str = "", **kwargs: Any) -> Automation:
        """Keywords: body (template with ``{{ticket.id}}``), performer ("agent" or "any"),
        header (default ``X-Bridge-Secret``), headers (more headers)."""
        rule = Automation(url=url, secret=secret, **kwargs)
        with self.state.lock:
            self.state.automation = rule
        return rule
