"""Per-helpdesk drivers for the contract suite: the few things that differ between
helpdesks (how an agent replies, writes a private note, resolves or closes a ticket, how a
fault is injected, what the stored comments look like). Everything else is the protocol.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar, Protocol

from bridge.helpdesk import Helpdesk

ZENDESK_EMAIL, ZENDESK_TOKEN = "bridge@example.com", "contract-token"
FRESHDESK_KEY = "contract-api-key"
TICKET_CREATE = (r"/api/v2/tickets(\.json)?$", "POST")


class Driver(Protocol):
    name: str
    base_url: str
    credentials_hint: str  # what a refused-credentials error must name
    comment_write: tuple[str, str]  # (path regex, method) of add_customer_comment's write
    group_id: str  # a group that exists in the emulator

    def helpdesk(self, *, timeout: float = 2.0, valid_credentials: bool = True) -> Helpdesk: ...
    def reset(self) -> None: ...
    def stop(self) -> None: ...
    def fault(self, path: str, method: str | None = None, **kwargs: Any) -> None: ...
    def customer_texts(self, ticket_id: str) -> list[str]: ...
    def tags(self, ticket_id: str) -> list[str]: ...
    def requester_of(self, ticket_id: str) -> str: ...
    def users_with_external_id(self, external_id: str) -> int: ...
    def agent_reply(self, ticket_id: str, text: str) -> None: ...
    def private_note(self, ticket_id: str, text: str) -> None: ...
    def api_user_public_write(self, ticket_id: str, text: str) -> None: ...
    def resolve(self, ticket_id: str) -> None: ...
    def close(self, ticket_id: str) -> None: ...
    def followup_linked(self, old_id: str, new_id: str) -> bool: ...
    def priority_and_group(self, ticket_id: str) -> tuple[str | None, str | None]: ...
    def private_notes(self, ticket_id: str) -> list[str]: ...
    # ticket fields: one seeded custom field per kind, a value it takes, one it does not
    FIELDS: ClassVar[dict[str, str]]
    GOOD: ClassVar[dict[str, Any]]
    BAD: ClassVar[dict[str, Any]]
    agent_id: str
    ticket_type: str
    @property
    def brand_id(self) -> str | None: ...  # read-only: Zendesk has one, Freshdesk none
    def custom_field_values(self, ticket_id: str) -> dict[str, Any]: ...
    def assignment(self, ticket_id: str) -> tuple[str | None, str | None, str | None]: ...
    def remove_field(self, key: str) -> None: ...
    def set_options(self, key: str, values: list[str]) -> None: ...


class EmulatorDriver:
    """What both drivers do the same way on their emulator."""

    emu: Any

    def reset(self) -> None:
        self.emu.reset()

    def stop(self) -> None:
        self.emu.stop()

    def fault(self, path: str, method: str | None = None, **kwargs: Any) -> None:
        self.emu.add_fault(path, method=method, **kwargs)

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        return dict(self.emu.state.tickets[int(ticket_id)])


class ZendeskDriver(EmulatorDriver):
    name = "zendesk"
    credentials_hint = "ZENDESK_EMAIL / ZENDESK_API_TOKEN"
    comment_write = (r"/api/v2/tickets/\d+(\.json)?$", "PUT")
    group_id = "360000000101"
    API_USER = 1

    def __init__(self) -> None:
        from emulators.zendesk import ZendeskEmulator

        self.emu = ZendeskEmulator(email=ZENDESK_EMAIL, token=ZENDESK_TOKEN)
        self.base_url = self.emu.start()
        self.agent_id = str(self.emu.state.AGENT_ID)

    def helpdesk(self, *, timeout: float = 2.0, valid_credentials: bool = True) -> Helpdesk:
        from bridge.zendesk.adapter import ZendeskHelpdesk

        token = ZENDESK_TOKEN if valid_credentials else "wrong-token"
        return ZendeskHelpdesk(base_url=self.base_url, email=ZENDESK_EMAIL, token=token,
                               timeout=timeout)

    def customer_texts(self, ticket_id: str) -> list[str]:
        author = self._ticket(ticket_id)["requester_id"]
        return [str(c["body"]) for c in self.emu.state.comments[int(ticket_id)]
                if c["public"] and c["author_id"] == author]

    def tags(self, ticket_id: str) -> list[str]:
        return list(self._ticket(ticket_id)["tags"])

    def requester_of(self, ticket_id: str) -> str:
        return str(self._ticket(ticket_id)["requester_id"])

    def users_with_external_id(self, external_id: str) -> int:
        return sum(u.get("external_id") == external_id for u in self.emu.state.users.values())

    def agent_reply(self, ticket_id: str, text: str) -> None:
        self.emu.agent_comment(int(ticket_id), text)

    def private_note(self, ticket_id: str, text: str) -> None:
        self.emu.agent_comment(int(ticket_id), text, public=False)

    def api_user_public_write(self, ticket_id: str, text: str) -> None:
        self.emu.agent_comment(int(ticket_id), text, author_id=self.API_USER)

    def resolve(self, ticket_id: str) -> None:
        self.emu.set_status(int(ticket_id), "solved")

    def close(self, ticket_id: str) -> None:
        self.emu.set_status(int(ticket_id), "closed")

    def followup_linked(self, old_id: str, new_id: str) -> bool:
        new, old = self._ticket(new_id), self._ticket(old_id)
        source = new["via"]["source"]
        return (source.get("rel") == "follow_up" and int(new_id) in old["followup_ids"])

    def priority_and_group(self, ticket_id: str) -> tuple[str | None, str | None]:
        ticket = self._ticket(ticket_id)
        group = ticket.get("group_id")
        return ticket.get("priority"), str(group) if group is not None else None

    def private_notes(self, ticket_id: str) -> list[str]:
        return [str(c["body"]) for c in self.emu.state.comments[int(ticket_id)]
                if not c["public"]]

    FIELDS: ClassVar[dict[str, str]] = {
        "dropdown": "360000000031", "text": "360000000032", "textarea": "360000000033",
        "checkbox": "360000000034", "date": "360000000035", "integer": "360000000036",
        "decimal": "360000000037", "regexp": "360000000038", "multiselect": "360000000039"}
    GOOD: ClassVar[dict[str, Any]] = {
        "dropdown": "whatsapp", "text": "@ana", "textarea": "line one\nline two",
        "checkbox": True, "date": "2025-03-01", "integer": 12, "decimal": 19.99,
        "regexp": "AB-1234", "multiselect": ["billing", "returns"]}
    BAD: ClassVar[dict[str, Any]] = {
        "dropdown": "myspace", "checkbox": "yes", "date": "2025-02-30", "integer": "12.5",
        "decimal": "abc", "regexp": "ab-1234", "multiselect": ["gold"]}
    ticket_type, brand_id = "incident", "360000000077"

    def custom_field_values(self, ticket_id: str) -> dict[str, Any]:
        return {str(f["id"]): f["value"] for f in self._ticket(ticket_id)["custom_fields"]}

    def assignment(self, ticket_id: str) -> tuple[str | None, str | None, str | None]:
        ticket = self._ticket(ticket_id)
        return str(ticket["assignee_id"]), ticket["type"], str(ticket["brand_id"])

    def remove_field(self, key: str) -> None:
        self.emu.remove_ticket_field(int(key))

    def set_options(self, key: str, values: list[str]) -> None:
        options = [{"name": value.title(), "value": value} for value in values]
        self.emu.change_ticket_field(int(key), custom_field_options=options)


class FreshdeskDriver(EmulatorDriver):
    name = "freshdesk"
    credentials_hint = "FRESHDESK_API_KEY / FRESHDESK_DOMAIN"
    comment_write = (r"/api/v2/tickets/\d+/notes$", "POST")
    group_id = "43000000101"
    PRIORITIES: ClassVar[dict[int, str]] = {1: "low", 2: "normal", 3: "high", 4: "urgent"}

    def __init__(self) -> None:
        from emulators.freshdesk import FreshdeskEmulator

        self.emu = FreshdeskEmulator(api_key=FRESHDESK_KEY)
        self.base_url = self.emu.start()
        self.agent_id = str(self.emu.AGENT_ID)

    def helpdesk(self, *, timeout: float = 2.0, valid_credentials: bool = True) -> Helpdesk:
        from bridge.freshdesk.adapter import FreshdeskHelpdesk

        key = FRESHDESK_KEY if valid_credentials else "wrong-key"
        return FreshdeskHelpdesk(base_url=self.base_url, api_key=key, timeout=timeout)

    def _conversations(self, ticket_id: str) -> list[dict[str, Any]]:
        return list(self.emu.state.conversations[int(ticket_id)])

    def customer_texts(self, ticket_id: str) -> list[str]:
        """The description, then the requester's incoming public notes (stored as HTML)."""
        from bridge.freshdesk.mapping import text_from_html

        ticket = self._ticket(ticket_id)
        notes = [c for c in self._conversations(ticket_id) if c["incoming"]
                 and not c["private"] and c["user_id"] == ticket["requester_id"]]
        return [text_from_html(ticket["description"])] + [text_from_html(c["body"])
                                                           for c in notes]

    def tags(self, ticket_id: str) -> list[str]:
        return list(self._ticket(ticket_id)["tags"])

    def requester_of(self, ticket_id: str) -> str:
        return str(self._ticket(ticket_id)["requester_id"])

    def users_with_external_id(self, external_id: str) -> int:
        return sum(c.get("unique_external_id") == external_id
                   for c in self.emu.state.contacts.values())

    def agent_reply(self, ticket_id: str, text: str) -> None:
        self.emu.agent_reply(int(ticket_id), f"<div>{html.escape(text)}</div>")

    def private_note(self, ticket_id: str, text: str) -> None:
        self.emu.private_note(int(ticket_id), f"<div>{html.escape(text)}</div>")

    def api_user_public_write(self, ticket_id: str, text: str) -> None:
        self.emu.agent_reply(int(ticket_id), f"<div>{html.escape(text)}</div>",
                             user_id=self.emu.API_AGENT_ID)

    def resolve(self, ticket_id: str) -> None:
        self.emu.set_status(int(ticket_id), 4)

    def close(self, ticket_id: str) -> None:
        self.emu.set_status(int(ticket_id), 5)

    def followup_linked(self, old_id: str, new_id: str) -> bool:
        from bridge.freshdesk.mapping import text_from_html

        def names(ticket_id: str, other: str) -> bool:
            return any(c["private"] and f"#{other}" in text_from_html(c["body"])
                       for c in self._conversations(ticket_id))

        return names(new_id, old_id) and names(old_id, new_id)

    def priority_and_group(self, ticket_id: str) -> tuple[str | None, str | None]:
        ticket = self._ticket(ticket_id)
        group = ticket.get("group_id")
        return self.PRIORITIES.get(ticket["priority"]), str(group) if group is not None else None

    def private_notes(self, ticket_id: str) -> list[str]:
        from bridge.freshdesk.mapping import text_from_html

        return [text_from_html(c["body"]) for c in self._conversations(ticket_id)
                if c["private"]]

    FIELDS: ClassVar[dict[str, str]] = {
        "dropdown": "cf_social_channel", "text": "cf_customer_handle",
        "textarea": "cf_internal_summary", "checkbox": "cf_vip", "date": "cf_follow_up_date",
        "integer": "cf_order_number", "decimal": "cf_order_value"}
    GOOD: ClassVar[dict[str, Any]] = {
        "dropdown": "WhatsApp", "text": "@ana", "textarea": "line one\nline two",
        "checkbox": True, "date": "2025-03-01", "integer": 12, "decimal": 19.99}
    BAD: ClassVar[dict[str, Any]] = {
        "dropdown": "Myspace", "text": "x" * 256, "checkbox": "yes", "date": "2025-02-30",
        "integer": "12.5", "decimal": "abc"}
    ticket_type, brand_id = "Incident", None

    def custom_field_values(self, ticket_id: str) -> dict[str, Any]:
        return {k: v for k, v in self._ticket(ticket_id)["custom_fields"].items()
                if v is not None}

    def assignment(self, ticket_id: str) -> tuple[str | None, str | None, str | None]:
        ticket = self._ticket(ticket_id)
        return str(ticket["responder_id"]), ticket["type"], None

    def remove_field(self, key: str) -> None:
        self.emu.remove_ticket_field(key)

    def set_options(self, key: str, values: list[str]) -> None:
        self.emu.change_ticket_field(key, choices=values)


DRIVERS: dict[str, type[ZendeskDriver] | type[FreshdeskDriver]] = {
    "zendesk": ZendeskDriver, "freshdesk": FreshdeskDriver}
