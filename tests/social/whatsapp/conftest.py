"""One WhatsApp emulator per test module, its clock pinned to ``NOW``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.whatsapp import WhatsAppEmulator
from tests.social.serving import running
from tests.social.whatsapp import NOW, PHONE, TOKEN


@pytest.fixture(scope="module")
def server() -> Iterator[WhatsAppEmulator]:
    yield from running(WhatsAppEmulator(phone_number_id=PHONE, access_token=TOKEN), NOW)


@pytest.fixture
def emu(server: WhatsAppEmulator) -> WhatsAppEmulator:
    """Fresh state, the customer's window decided as the request arrives."""
    server.state.reset()
    server.state.window_mode = "sync"
    return server
