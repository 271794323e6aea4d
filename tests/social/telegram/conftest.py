"""One Telegram emulator per test module, for the module's ``TOKEN`` (and its clock
pinned to the module's ``NOW`` when it has one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.telegram import TelegramEmulator


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=request.module.TOKEN)
    now = getattr(request.module, "NOW", None)
    if now is not None:
        emulator.state.clock = lambda: now
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emu(server: TelegramEmulator) -> TelegramEmulator:
    server.state.reset()
    return server
