"""What the Zendesk and Freshdesk suites share: fixture files, emulator fixtures, texts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

# Texts a helpdesk must store byte for byte: right-to-left, combining and joined characters.
SCRIPTS = {
    "arabic": "مرحبا، أحتاج مساعدة في طلبي رقم ١٢٣",
    "armenian": "Բարև, իմ պատվերը դեռ չի հասել",
    "thai": "สวัสดีครับ คำสั่งซื้อของฉันยังไม่มาถึง",
    "persian": "سلام، سفارش من هنوز نرسیده است ‌ لطفاً",
    "hebrew": "שלום, ההזמנה שלי עדיין לא הגיעה",
    "emoji": "👨‍👩‍👧 🇦🇲 👍🏽 ❤️ e\u0301  \n\n  spaced\ttext  ",
}


def fixture_dir(name: str) -> Path:
    """``../shared/fixtures/<name>``, or skip the test when the shared folder is absent."""
    return shared_path("fixtures", name)


def fixture_bytes(folder: str, name: str) -> bytes:
    return (fixture_dir(folder) / name).read_bytes()


def fixture_json(folder: str, name: str) -> Any:
    return json.loads(fixture_bytes(folder, name))


def assert_every_fixture_has_a_test(folder: str, namespace: dict[str, Any]) -> None:
    """Each ``<stem>.json`` in the folder needs an explicit ``test_<stem>`` function."""
    missing = [
        path.name for path in sorted(fixture_dir(folder).glob("*.json"))
        if not callable(namespace.get(f"test_{path.stem}"))
    ]
    assert not missing, f"fixtures in {folder} without a test: {missing}"


def emulator_fixtures(running: Callable[[], AbstractContextManager[Any]]) -> tuple[Any, Any]:
    """The ``server`` and ``emu`` fixtures of a module: one emulator started by ``running``
    per module, reset (a fresh store and request log) before each test."""

    @pytest.fixture(scope="module")
    def server() -> Iterator[Any]:
        with running() as emulator:
            yield emulator

    @pytest.fixture
    def emu(server: Any) -> Any:
        server.reset()
        return server

    return server, emu


def calls(emu: Any, since: int = 0) -> list[str]:
    """``METHOD /path`` of each request in the emulator's log from index ``since`` on."""
    return [f"{r['method']} {r['path']}" for r in emu.requests_log()[since:]]



class WebhookReceiver:
    """A stand-in bridge (WSGI): answers 200 and keeps each request's body and headers."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.arrived = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        self.received.append((environ["wsgi.input"].read(size), headers))
        self.arrived.set()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, WebhookReceiver]]:
    """A ``WebhookReceiver`` served on a free local port, and its URL."""
    from emulators.serving import ServerThread

    receiver = WebhookReceiver()
    server = ServerThread(receiver)
    url = server.start()
    try:
        yield url, receiver
    finally:
        server.stop()
