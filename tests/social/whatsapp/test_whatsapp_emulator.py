"""The WhatsApp emulator: its schemas are the spec's, it refuses what Meta refuses, and
its control API works; the bridge's requests conform to the spec strictly."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from bridge.config import Settings
from bridge.domain import OutboundMessage, ThreadKey
from bridge.errors import TransientError, WindowClosed
from bridge.social.whatsapp.adapter import WhatsAppChannel
from emulators.whatsapp import WhatsAppEmulator
from emulators.whatsapp.__main__ import main
from emulators.whatsapp.schema import SCHEMAS, keywords_only, message_problems, spec_schemas
from tests.conftest import shared_path
from tests.social.whatsapp import NOW, PHONE, THREAD, TOKEN, WA_ID

SPEC = ("specs", "meta-whatsapp-business-messaging-api_v23.0.yaml")


@pytest.fixture
def emu(server: WhatsAppEmulator) -> WhatsAppEmulator:
    server.state.reset()
    return server


@pytest.fixture
def channel(emu: WhatsAppEmulator) -> WhatsAppChannel:
    return WhatsAppChannel(Settings(
        META_GRAPH_BASE_URL=emu.url, META_GRAPH_VERSION="v23.0", WHATSAPP_PHONE_NUMBER_ID=PHONE,
        WHATSAPP_ACCESS_TOKEN=TOKEN, BRIDGE_HTTP_TIMEOUT=5.0))


def spec_path() -> Path:
    return shared_path(*SPEC)


def test_transcribed_schemas_are_the_specs() -> None:
    assert spec_schemas(spec_path(), list(SCHEMAS)) == {
        name: keywords_only(schema) for name, schema in SCHEMAS.items()}


def test_bridge_requests_conform_to_the_spec_strictly(emu: WhatsAppEmulator,
                                                      channel: WhatsAppChannel) -> None:
    """No relaxation here: ``recipient_type`` and ``language.policy`` are sent."""
    strict = spec_schemas(spec_path(), list(SCHEMAS))
    emu.customer_wrote(WA_ID)
    channel.send(OutboundMessage(THREAD, "x " * 3000), NOW, NOW)
    channel.send(OutboundMessage(THREAD, "Rate us", quick_replies=(("Good", "g"),)), NOW, NOW)
    many = tuple((f"A rather long option title {i}", f"o{i}") for i in range(5))
    channel.send(OutboundMessage(THREAD, "Pick one", quick_replies=many), NOW, NOW)
    channel.send_template(THREAD, "hello_world", "en_US",
                          ({"type": "body", "parameters": [{"type": "text", "text": "x"}]},))
    bodies = [s["body"] for s in emu.state.sent]
    assert [b["type"] for b in bodies] == ["text", "text", "interactive", "interactive",
                                           "template"]
    assert [message_problems(b, strict) for b in bodies] == [[], [], [], [], []]


def text(**changes: Any) -> dict[str, Any]:
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID,
            "type": "text", "text": {"body": "hi", "preview_url": False}}
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


def template(**language: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": WA_ID, "type": "template",
            "template": {"name": "hello_world", "language": language}}


def buttons(*items: dict[str, Any]) -> dict[str, Any]:
    return text(type="interactive", text=None, interactive={
        "type": "button", "body": {"text": "Rate us"}, "action": {"buttons": list(items)}})


def button(title: str = "Good", bid: str = "g") -> dict[str, Any]:
    return {"type": "reply", "reply": {"id": bid, "title": title}}


def listing(*rows: dict[str, Any], label: str = "Choose", **section: Any) -> dict[str, Any]:
    return text(type="interactive", text=None, interactive={
        "type": "list", "body": {"text": "Pick one"},
        "action": {"button": label, "sections": [{"rows": list(rows), **section}]}})


def row(title: str = "Option", rid: str = "o", **more: str) -> dict[str, Any]:
    return {"id": rid, "title": title, **more}


@pytest.mark.parametrize(("body", "complaint"), [
    (text(messaging_product=None), "messaging_product is required"),
    (text(recipient_type="everyone"), "recipient_type must be one of ['individual', 'group']"),
    (text(to=None), "to is required"),
    (text(text={"body": "hi", "preview": True}), "text.preview is not a known parameter"),
    (text(tag="HUMAN_AGENT"), "tag is not a known parameter"),
    (text(text={"body": "x" * 4097}), "at most 4096 characters"),
    (text(text={"preview_url": False}), "text['body'] is required"),
    (text(text={"body": 7}), "text.body must be of type string"),
    (template(code="en_US", policy="fallback"), "template.language.policy must be one of"),
    (template(policy="deterministic"), "template.language.code is required"),
    (buttons(*(button(f"B{i}", f"b{i}") for i in range(4))), "1 to 3 items"),
    (buttons(button("A title that is too long")), "at most 20 chars"),
    (buttons(button("Same", "a"), button("Same", "b")), "unique"),
    (buttons(button(bid="x" * 257)), "at most 256 characters"),
    (listing(*(row(f"R{i}", f"r{i}") for i in range(11))), "1 to 10 rows"),
    (listing(row("A row title longer than 24")), "at most 24 characters"),
    (listing(row(description="d" * 73)), "at most 72 characters"),
    (listing(row(rid="x" * 201)), "at most 200 characters"),
    (listing(row("One", "same"), row("Two", "same")), "unique"),
    (listing(row(), label="A label far too long here"), "1 to 20 characters"),
])
def test_emulator_refuses_invalid_sends(emu: WhatsAppEmulator, body: dict[str, Any],
                                        complaint: str) -> None:
    emu.customer_wrote(WA_ID)
    answer = requests.post(f"{emu.url}/v23.0/{PHONE}/messages", json=body, timeout=5,
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 400, answer.json()
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == (100, "(#100) Invalid parameter")
    assert complaint in error["error_data"]["details"]
    assert emu.state.sent == []


def test_emulator_accepts_the_specs_own_examples(emu: WhatsAppEmulator) -> None:
    """"Send Test Message" omits ``recipient_type`` and ``language.policy``: the live API
    (and the emulator) accept that; only the bridge is held to the schema strictly."""
    answer = requests.post(f"{emu.url}/v23.0/{PHONE}/messages", json=template(code="en_US"),
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json()["messages"][0]["message_status"] == "accepted"


def test_control_api(emu: WhatsAppEmulator, channel: WhatsAppChannel) -> None:
    base = emu.url
    two_days_ago = (NOW - timedelta(days=2)).isoformat()
    assert requests.post(f"{base}/_emulator/customer_activity", timeout=5,
                         json={"wa_id": WA_ID, "at": two_days_ago}).status_code == 200
    with pytest.raises(WindowClosed, match="131047"):  # the emulator's window decides
        channel.send(OutboundMessage(THREAD, "hi"), NOW, NOW)

    inbound = requests.post(f"{base}/_emulator/inbound", timeout=5,
                            json={"wa_id": WA_ID, "text": "Բարեւ", "name": "Anahit"}).json()
    [message] = channel.parse(inbound["payload"]).messages  # and the window is open again
    assert (message.text, message.sender.display_name) == ("Բարեւ", "Anahit")
    channel.send(OutboundMessage(THREAD, "hi"), NOW, NOW)

    assert requests.post(f"{base}/_emulator/faults", timeout=5,
                         json={"path": "/messages$", "status": 429, "retry_after": 3}).ok
    with pytest.raises(TransientError) as caught:
        channel.send(OutboundMessage(THREAD, "again"), NOW, NOW)
    assert caught.value.retry_after == 3.0
    sent = requests.get(f"{base}/_emulator/sent", timeout=5).json()["sent"]
    assert [(s["to"], s["text"], s["at"]) for s in sent] == [(WA_ID, "hi", NOW.isoformat())]

    assert requests.post(f"{base}/_emulator/templates", timeout=5,
                         json={"name": "reengage", "language": "fa"}).ok
    channel.send_template(THREAD, "reengage", "fa")
    data = base64.b64encode(b"OggS voice").decode()
    media = requests.post(f"{base}/_emulator/media", timeout=5,
                          json={"mime_type": "audio/ogg", "data_base64": data}).json()
    assert channel.fetch_attachment(f"whatsapp-media:{media['id']}") == ("audio/ogg",
                                                                          b"OggS voice")

    assert requests.post(f"{base}/_emulator/config", json={"window_mode": "async"},
                         timeout=5).ok
    channel.send(OutboundMessage(ThreadKey("whatsapp", PHONE, "111"), "late"), NOW, NOW)
    [webhook] = requests.get(f"{base}/_emulator/webhooks", timeout=5).json()["webhooks"]
    assert webhook["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "failed"

    assert requests.post(f"{base}/_emulator/reset", timeout=5).ok
    assert emu.state.sent == [] and emu.state.last_customer_message == {}
    assert ("reengage", "fa") in emu.state.templates  # configuration survives a reset
    emu.state.window_mode = "sync"
    for path, body in (("faults", {"path": "x", "status": "?"}), ("config", {}),
                       ("media", {"data_base64": "***"}), ("inbound", {"wa_id": WA_ID}),
                       ("templates", {"name": "x"}), ("customer_activity", {})):
        assert requests.post(f"{base}/_emulator/{path}", json=body, timeout=5).status_code == 400


def test_command_line_refuses_a_bad_template(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--template", "no-language"])
    assert "NAME:LANGUAGE" in capsys.readouterr().err
