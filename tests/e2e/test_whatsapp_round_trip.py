"""A WhatsApp conversation through the real processes (gunicorn, Celery worker and beat on
PostgreSQL and Redis) with the WhatsApp and Zendesk emulators: message → ticket, agent reply →
WhatsApp, a receipt recorded and never ticketed, and outside the 24 h window the held-reply
path: the reply is held, the approved template goes out once, the customer answers, the held
replies go out in order, and internal notes on the ticket say what happened at each step."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import create_engine, select

from bridge import db
from bridge.models import Delivery
from emulators.whatsapp import WhatsAppEmulator
from emulators.zendesk import ZendeskEmulator
from tests.conftest import drop_postgres_database, migrate, postgres_database
from tests.e2e.harness import Processes, wait_for

pytestmark = pytest.mark.e2e
PHONE, TOKEN, SECRET = "106540352242922", "wa-e2e-token", "e2e-app-secret"
TEMPLATE = "reengage_customer"
ANA, BORIS = "972500000001", "972500000002"


@dataclass
class WhatsAppBridge:
    procs: Processes
    zendesk: ZendeskEmulator
    whatsapp: WhatsAppEmulator
    database_url: str

    def customer_writes(self, wa_id: str, text: str, ago: timedelta = timedelta(0)) -> None:
        """WhatsApp delivers a customer's message, signed like Meta signs it."""
        at = datetime.now(UTC) - ago
        self.post(self.whatsapp.state.customer_message(wa_id, text, f"Customer {wa_id}", at))

    def post(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        answer = requests.post(f"{self.procs.url}/webhooks/meta", data=body, timeout=10,
                               headers={"X-Hub-Signature-256": sig,
                                        "Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text

    def ticket_of(self, wa_id: str) -> dict[str, Any]:
        """The customer's ticket; empty while there is none."""
        external = f"whatsapp:{PHONE}:{wa_id}"
        with self.zendesk.state.lock:
            users = [u["id"] for u in self.zendesk.state.users.values()
                     if u.get("external_id") == external]
            found = [dict(t) for t in self.zendesk.state.tickets.values()
                     if t["requester_id"] in users]
        assert len(found) <= 1, found
        return found[0] if found else {}

    def comments(self, ticket_id: int, public: bool) -> list[str]:
        with self.zendesk.state.lock:
            return [str(c["body"]) for c in self.zendesk.state.comments.get(ticket_id, [])
                    if c["public"] is public]

    def sent_to(self, wa_id: str) -> list[tuple[str, str | None]]:
        """(type, text or template name) of what WhatsApp accepted for ``wa_id``."""
        with self.whatsapp.state.lock:
            return [(m["type"], m["template"]["name"] if m["type"] == "template" else m["text"])
                    for m in self.whatsapp.state.sent if m["to"] == wa_id]


@pytest.fixture
def whatsapp_bridge(tmp_path: Path, redis_url: str) -> Iterator[WhatsAppBridge]:
    redis.Redis.from_url(redis_url).flushdb()
    zendesk = ZendeskEmulator(email="agent@example.com", token="zd-token")
    whatsapp = WhatsAppEmulator(phone_number_id=PHONE, access_token=TOKEN)
    whatsapp.state.templates.add((TEMPLATE, "en_US"))
    zurl, wurl = zendesk.start(), whatsapp.start()
    url = postgres_database()
    migrate(url)
    env = {
        "DATABASE_URL": url, "REDIS_URL": redis_url, "BRIDGE_HELPDESK": "zendesk",
        "ZENDESK_SUBDOMAIN": "emu", "ZENDESK_BASE_URL": zurl,
        "ZENDESK_EMAIL": "agent@example.com", "ZENDESK_API_TOKEN": "zd-token",
        "META_APP_SECRET": SECRET, "META_VERIFY_TOKEN": "e2e-verify",
        "META_GRAPH_BASE_URL": wurl, "WHATSAPP_PHONE_NUMBER_ID": PHONE,
        "WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_TEMPLATE_NAME": TEMPLATE,
        "BRIDGE_SWEEP_SECONDS": "1", "BRIDGE_LEASE_SECONDS": "4",
        "BRIDGE_VAR_DIR": str(tmp_path / "var"),
    }
    procs = Processes(env, tmp_path)
    try:
        procs.web()
        procs.worker()
        procs.beat()
        installed = procs.cli("zendesk", "install", "--url", procs.url)
        assert installed.returncode == 0, installed.stderr
        yield WhatsAppBridge(procs, zendesk, whatsapp, url)
    except BaseException:
        print(procs.logs())
        raise
    finally:
        procs.stop()
        zendesk.stop()
        whatsapp.stop()
        db.reset_engine()
        drop_postgres_database(url)


def read_at(bridge: WhatsAppBridge) -> list[datetime | None]:
    engine = create_engine(db.normalise_url(bridge.database_url))
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(Delivery.read_at).order_by(Delivery.id)))
    finally:
        engine.dispose()


def test_whatsapp_round_trip_with_a_held_reply(whatsapp_bridge: WhatsAppBridge) -> None:
    bridge = whatsapp_bridge
    # Inside the window: message → ticket, reply → WhatsApp, receipt → recorded only.
    bridge.customer_writes(ANA, "Բարեւ! Where is my parcel? 📦")
    ticket = wait_for(lambda: bridge.ticket_of(ANA), 30, "Ana's ticket")
    assert set(ticket["tags"]) >= {"social", "whatsapp"}
    bridge.zendesk.agent_comment(ticket["id"], "It left the warehouse today.")
    wait_for(lambda: bridge.sent_to(ANA) == [("text", "It left the warehouse today.")], 30,
             "the reply on WhatsApp")
    [sent] = [m for m in bridge.whatsapp.state.sent if m["to"] == ANA]
    bridge.post(bridge.whatsapp.state.status_webhook(sent["message_id"], ANA, "read"))
    wait_for(lambda: read_at(bridge)[0] is not None, 30, "the read receipt on the delivery")
    tickets_before = len(bridge.zendesk.state.tickets)

    # Boris last wrote 25 hours ago: the reply is held and the template goes out, once.
    bridge.customer_writes(BORIS, "I want a refund", ago=timedelta(hours=25))
    ticket = wait_for(lambda: bridge.ticket_of(BORIS), 30, "Boris's ticket")
    assert len(bridge.zendesk.state.tickets) == tickets_before + 1  # the receipt made none
    bridge.zendesk.agent_comment(ticket["id"], "Your refund is approved.")
    wait_for(lambda: bridge.sent_to(BORIS) == [("template", TEMPLATE)], 30, "the template")
    wait_for(lambda: len(bridge.comments(ticket["id"], public=False)) == 1, 30, "a note")
    bridge.zendesk.agent_comment(ticket["id"], "Reference R-7.")
    wait_for(lambda: len(bridge.comments(ticket["id"], public=False)) == 2, 30, "second note")
    held, again = bridge.comments(ticket["id"], public=False)
    assert held.startswith("The agent's reply is held, not delivered yet: the customer last "
                           "wrote 1 day ago;")
    assert f"Sent the approved template '{TEMPLATE}' (en_US)" in held
    assert f"The template '{TEMPLATE}' (en_US) sent" in again and "already asks" in again
    assert bridge.sent_to(BORIS) == [("template", TEMPLATE)]  # not again

    # Boris answers the template: the held replies go out, in order, and are noted.
    bridge.customer_writes(BORIS, "Yes, I am here")
    wait_for(lambda: bridge.sent_to(BORIS) == [
        ("template", TEMPLATE), ("text", "Your refund is approved."), ("text", "Reference R-7.")],
        30, "the held replies")
    wait_for(lambda: len(bridge.comments(ticket["id"], public=False)) == 4, 30, "their notes")
    assert all("was delivered: the customer wrote again" in note
               for note in bridge.comments(ticket["id"], public=False)[2:])
    requester = ticket["requester_id"]
    with bridge.zendesk.state.lock:
        customer = [c["body"] for c in bridge.zendesk.state.comments[ticket["id"]]
                    if c["author_id"] == requester]
    assert customer == ["I want a refund", "Yes, I am here"]
