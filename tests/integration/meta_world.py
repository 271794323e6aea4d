"""The Meta side of a world: webhook bodies built the way Meta sends them, parsed by the
real Messenger adapter, stored with ``ingest.store_messages`` and routed, with the Graph
emulator on the world's fake clock (its messaging window is judged on the same "now")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from bridge import db, ingest, registry, routing
from emulators.graph import GraphEmulator
from tests.integration.world import BridgeWorld

PAGE = "1234567890"
PAGE_TOKEN = "page-token"


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class MetaWorld(BridgeWorld):
    """A world whose customers write on Messenger; a subclass says which helpdesk."""

    graph: GraphEmulator
    _mids: Iterator[int]

    def meta_settings(self) -> dict[str, str]:
        """The settings of the Meta side and the worker."""
        return {
            "META_APP_SECRET": "app-secret",
            "META_VERIFY_TOKEN": "verify-token",
            "META_PAGE_ID": PAGE,
            "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
            "META_GRAPH_BASE_URL": self.graph.url,
            "BRIDGE_HTTP_TIMEOUT": "5",
            "BRIDGE_MAX_ATTEMPTS": "8",
        }

    # ---- the customer, as Meta delivers them ----------------------------------------------

    def item(self, psid: str, text: str | None = None, *,
             attachments: list[dict[str, Any]] | None = None, at: datetime | None = None,
             mid: str | None = None) -> dict[str, Any]:
        """One ``messaging`` item: a customer's message to the page."""
        when = at or self.clock.now
        message: dict[str, Any] = {"mid": mid or f"m_{psid}_{next(self._mids)}"}
        if text is not None:
            message["text"] = text
        if attachments:
            message["attachments"] = attachments
        return {"sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": ms(when),
                "message": message}

    def payload(self, *items: dict[str, Any]) -> dict[str, Any]:
        """A page webhook body: one entry per item, as Meta batches them."""
        return {"object": "page", "entry": [
            {"id": PAGE, "time": int(item["timestamp"]), "messaging": [item]} for item in items]}

    def deliver(self, payload: dict[str, Any]) -> list[int]:
        """What the webhook and then the route task do; the conversations touched."""
        parsed = registry.channel("messenger").parse(payload)
        for msg in parsed.messages:  # Messenger itself knows when the customer last wrote
            seen = self.graph.state.last_customer_message.get(msg.sender.external_id)
            if seen is None or msg.sent_at > seen:
                self.graph.state.last_customer_message[msg.sender.external_id] = msg.sent_at
        ids = ingest.store_messages(parsed.messages)
        with db.session() as s:
            return routing.route(s, ids) if ids else []

    def writes(self, psid: str, *texts: str, step: float = 1.0) -> int:
        """The customer sends ``texts`` (one webhook, one item each, ``step`` s apart)."""
        items = [self.item(psid, text, at=self.clock.now + timedelta(seconds=i * step))
                 for i, text in enumerate(texts)]
        (conv_id,) = self.deliver(self.payload(*items))
        return conv_id

    def started(self, psid: str, *texts: str) -> tuple[int, int]:
        """The customer writes and the worker runs: (conversation id, ticket id)."""
        conv = self.writes(psid, *texts)
        assert self.run(conv) is None
        return conv, self.ticket_id(conv)

    def writes_later(self, conv_id: int, psid: str, *texts: str, after: float) -> int:
        """``after`` seconds later the customer writes again and the worker runs; the
        ``mark`` taken just before they wrote."""
        self.clock.advance(after)
        mark = self.mark()
        assert self.writes(psid, *texts) == conv_id
        assert self.run(conv_id) is None
        return mark

    # ---- the platform ----------------------------------------------------------------------

    def sent(self) -> list[dict[str, Any]]:
        """What the Graph Send API accepted."""
        with self.graph.state.lock:
            return [dict(r) for r in self.graph.state.sent]
