"""One WhatsApp emulator per test module, its clock pinned to ``NOW``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.whatsapp import WhatsAppEmulator
from tests.social.whatsapp import NOW, PHONE, TOKEN


@pytest.fixture(scope="module")
def server() -> Iterator[WhatsAppEmulator]:
    emulator = WhatsAppEmulator(phone_number_id=PHONE, access_token=TOKEN)
    emulator.state.clock = lambda: NOW
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(server: WhatsAppEmulator) -> WhatsAppEmulator:
    """Fresh state, the customer's window decided as the request arrives."""
    server.state.reset()
    server.state.window_mode = "sync"
    return server
