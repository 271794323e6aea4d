"""One Telegram emulator per test module, for the module's ``TOKEN`` (and its clock
pinned to the module's ``NOW`` when it has one)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.telegram import TelegramEmulator
from tests.social.serving import running


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[TelegramEmulator]:
    yield from running(TelegramEmulator(token=request.module.TOKEN),
                       getattr(request.module, "NOW", None))


@pytest.fixture
def emu(server: TelegramEmulator) -> TelegramEmulator:
    server.state.reset()
    return server
