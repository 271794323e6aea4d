"""The Telegram Bot API emulator: token, answers shaped as the spec says, request checks
against the spec (skipped without it), control API, faults, and the sandbox entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators.telegram import Fault, TelegramEmulator
from emulators.telegram.spec import DEFAULT_SPEC, load_spec, problems
from tests.conftest import ROOT, shared_path

TOKEN = "7012345678:AAF-emulator-token"
CHAT = 3527065


@pytest.fixture
def spec() -> dict[str, Any]:
    found = load_spec(shared_path("specs", DEFAULT_SPEC.name))
    assert found is not None
    return found


def call(emu: TelegramEmulator, method: str, token: str = TOKEN, **body: Any) -> requests.Response:
    return requests.post(f"{emu.url}/bot{token}/{method}", json=body, timeout=5)


def response_problems(spec: dict[str, Any], method: str, answer: Any) -> list[Any]:
    """The answer against the spec's 200 response schema for ``method``."""
    ok = spec["paths"][f"/{method}"]["post"]["responses"]["200"]
    return problems(answer, ok["content"]["application/json"]["schema"], spec)


def error_problems(spec: dict[str, Any], answer: Any) -> list[Any]:
    return problems(answer, {"$ref": "#/components/schemas/Error"}, spec)


@pytest.mark.parametrize("method", ["getMe", "sendMessage", "getFile", "noSuchMethod"])
def test_a_wrong_token_is_401(emu: TelegramEmulator, method: str) -> None:
    answer = call(emu, method, token="7012345678:wrong", chat_id=CHAT, text="x")
    assert answer.status_code == 401
    assert answer.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_get_me_is_a_user(emu: TelegramEmulator) -> None:
    answer = call(emu, "getMe").json()
    assert answer["ok"] is True and answer["result"]["id"] == 7012345678
    assert answer["result"]["is_bot"] is True


def test_send_message_answers_a_message(emu: TelegramEmulator) -> None:
    emu.state.add_chat(CHAT, first_name="Anahit", messages=[41])
    answer = call(emu, "sendMessage", chat_id=CHAT, text="Բարեւ 👋",
                  reply_parameters={"message_id": 41}).json()
    message = answer["result"]
    assert (message["message_id"], message["text"]) == (42, "Բարեւ 👋")
    assert message["chat"] == {"id": CHAT, "type": "private", "first_name": "Anahit"}
    assert message["reply_to_message"]["message_id"] == 41
    [sent] = emu.state.sent
    assert (sent["chat_id"], sent["text"], sent["reply_parameters"]) == (
        CHAT, "Բարեւ 👋", {"message_id": 41})


def test_form_encoded_parameters_are_read_like_telegram(emu: TelegramEmulator) -> None:
    answer = requests.post(f"{emu.url}/bot{TOKEN}/sendMessage", timeout=5, data={
        "chat_id": str(-1001293752024), "text": "from a form",
        "reply_parameters": '{"message_id": 7, "allow_sending_without_reply": true}'})
    assert answer.status_code == 200, answer.text
    assert emu.state.sent[0]["chat_id"] == -1001293752024
    assert emu.state.sent[0]["reply_parameters"]["message_id"] == 7


def test_answers_have_the_shapes_the_spec_gives(
    emu: TelegramEmulator, spec: dict[str, Any]
) -> None:
    assert response_problems(spec, "getMe", call(emu, "getMe").json()) == []
    emu.state.add_chat(CHAT, messages=[41])
    sent = call(emu, "sendMessage", chat_id=CHAT, text="x", reply_parameters={"message_id": 41})
    assert response_problems(spec, "sendMessage", sent.json()) == []
    emu.state.add_file("DOC1", b"%PDF-1.4", "documents/file_3.pdf", "application/pdf")
    assert response_problems(spec, "getFile", call(emu, "getFile", file_id="DOC1").json()) == []
    emu.state.add_fault(Fault(path="getMe", status=429, retry_after=3))
    for failed in (call(emu, "getMe"), call(emu, "nope"), call(emu, "getMe", token="x:y"),
                   call(emu, "getFile", file_id="?")):
        assert failed.json()["ok"] is False and error_problems(spec, failed.json()) == []


@pytest.mark.parametrize(("body", "description"), [
    ({"chat_id": CHAT, "text": "x" * 4097}, "Bad Request: message is too long"),
    ({"chat_id": CHAT, "text": ""}, "Bad Request: message text is empty"),
    ({"chat_id": CHAT}, "Bad Request: message text is empty"),
    ({"text": "x"}, "Bad Request: chat_id is empty"),
    ({"chat_id": 1.5, "text": "x"}, "Bad Request: chat_id has none of the allowed shapes"),
    ({"chat_id": CHAT, "text": "x", "reply_parameters": {"message_id": "41"}},
     "Bad Request: reply_parameters.message_id must be of type integer"),
    ({"chat_id": CHAT, "text": "x", "reply_parameters": {}},
     "Bad Request: message_id is required"),
    ({"chat_id": CHAT, "text": "x", "disable_notification": "yes"},
     "Bad Request: disable_notification must be of type boolean"),
])
def test_send_message_bodies_are_checked_against_the_spec(
    emu: TelegramEmulator, spec: dict[str, Any], body: dict[str, Any], description: str
) -> None:
    answer = call(emu, "sendMessage", **body)
    assert (answer.status_code, answer.json()["description"]) == (400, description)
    assert error_problems(spec, answer.json()) == []
    assert emu.state.sent == []


def test_without_the_spec_bodies_are_not_schema_checked(tmp_path: Path) -> None:
    emulator = TelegramEmulator(token=TOKEN, spec_path=tmp_path / "absent.yml")
    emulator.start()
    try:
        assert not emulator.state.validating
        answer = call(emulator, "sendMessage", chat_id=CHAT, text="x" * 5000)
        assert answer.status_code == 200
        empty = call(emulator, "sendMessage", chat_id=CHAT, text=" ")
        assert empty.json()["description"] == "Bad Request: message text is empty"
        spec = requests.get(f"{emulator.url}/_emulator/spec", timeout=5).json()
        assert spec["validating"] is False
    finally:
        emulator.stop()


def test_chat_errors(emu: TelegramEmulator) -> None:
    emu.state.add_chat(CHAT, blocked=True)
    blocked = call(emu, "sendMessage", chat_id=CHAT, text="x")
    assert (blocked.status_code, blocked.json()["description"]) == (
        403, "Forbidden: bot was blocked by the user")
    missing = call(emu, "sendMessage", chat_id="@nobody", text="x")
    assert missing.json()["description"] == "Bad Request: chat not found"
    emu.state.strict_chats = True
    assert call(emu, "sendMessage", chat_id=1, text="x").status_code == 400
    not_found = call(emu, "sendMessage", chat_id=CHAT + 1, text="x", reply_parameters={
        "message_id": 5})
    assert not_found.json()["description"] == "Bad Request: chat not found"


def test_reply_to_an_unknown_message(emu: TelegramEmulator) -> None:
    refused = call(emu, "sendMessage", chat_id=CHAT, text="x", reply_parameters={"message_id": 5})
    assert refused.json()["description"] == "Bad Request: message to be replied not found"
    allowed = call(emu, "sendMessage", chat_id=CHAT, text="x", reply_parameters={
        "message_id": 5, "allow_sending_without_reply": True})
    assert allowed.status_code == 200 and "reply_to_message" not in allowed.json()["result"]


def test_get_file_and_download(emu: TelegramEmulator) -> None:
    emu.state.add_file("DOC1", b"%PDF-1.4", "documents/file_3.pdf", "application/pdf")
    answer = call(emu, "getFile", file_id="DOC1").json()
    assert answer["result"]["file_path"] == "documents/file_3.pdf"
    assert answer["result"]["file_size"] == 8
    got = requests.get(f"{emu.url}/file/bot{TOKEN}/documents/file_3.pdf", timeout=5)
    assert (got.status_code, got.content) == (200, b"%PDF-1.4")
    wrong = requests.get(f"{emu.url}/file/botnope/documents/file_3.pdf", timeout=5)
    assert wrong.status_code == 401
    assert requests.get(f"{emu.url}/file/bot{TOKEN}/nope.pdf", timeout=5).status_code == 404
    assert call(emu, "getFile").json()["description"] == "Bad Request: file_id not specified"
    assert call(emu, "getFile", file_id="?").json()["description"] == "Bad Request: invalid file_id"


def test_unknown_method_is_404(emu: TelegramEmulator) -> None:
    answer = call(emu, "sendCarrierPigeon")
    assert (answer.status_code, answer.json()) == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})


def test_control_api(emu: TelegramEmulator) -> None:
    base = f"{emu.url}/_emulator"
    assert requests.post(f"{base}/faults", timeout=5, json={
        "path": "/sendMessage$", "status": 429, "retry_after": 4}).status_code == 201
    limited = call(emu, "sendMessage", chat_id=CHAT, text="x")
    assert limited.status_code == 429
    assert limited.json() == {"ok": False, "error_code": 429, "parameters": {"retry_after": 4},
                              "description": "Too Many Requests: retry after 4"}
    assert call(emu, "sendMessage", chat_id=CHAT, text="x").status_code == 200  # used up
    sent = requests.get(f"{base}/sent", timeout=5).json()["sent"]
    assert [(s["chat_id"], s["text"]) for s in sent] == [(CHAT, "x")]

    assert requests.post(f"{base}/chats", json={"chat_id": CHAT, "blocked": True},
                         timeout=5).json()["blocked"] is True
    assert call(emu, "sendMessage", chat_id=CHAT, text="x").status_code == 403
    assert requests.post(f"{base}/files", timeout=5, json={
        "file_id": "F", "file_path": "photos/a.jpg", "base64": "/9j/", "content_type": "image/jpeg",
    }).json() == {"file_path": "photos/a.jpg"}
    got = requests.get(f"{emu.url}/file/bot{TOKEN}/photos/a.jpg", timeout=5)
    assert (got.headers["Content-Type"], got.content) == ("image/jpeg", b"\xff\xd8\xff")
    assert requests.get(f"{base}/spec", timeout=5).json()["validating"] is emu.state.validating

    assert requests.post(f"{base}/reset", timeout=5).ok
    assert requests.get(f"{base}/sent", timeout=5).json() == {"sent": []}
    assert call(emu, "sendMessage", chat_id=CHAT, text="x").status_code == 200  # unblocked
    for bad in ({"path": "x", "status": "?"}, {"status": 500}, {"path": "(", "status": 500}):
        assert requests.post(f"{base}/faults", json=bad, timeout=5).status_code == 400
    assert requests.post(f"{base}/chats", json={"chat_id": "x"}, timeout=5).status_code == 400
    assert requests.post(f"{base}/files", json={"text": "x"}, timeout=5).status_code == 400


def test_server_error_faults_have_telegrams_shape(emu: TelegramEmulator) -> None:
    requests.post(f"{emu.url}/_emulator/faults", timeout=5, json={"path": "getMe", "status": 502})
    answer = call(emu, "getMe")
    assert (answer.status_code, answer.json()) == (
        502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})


def test_sandbox_entry_point_starts_from_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "emulators.telegram", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "--token" in done.stdout and "--port" in done.stdout
