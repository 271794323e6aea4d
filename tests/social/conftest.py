"""One Graph emulator per test module, for the module's ``PAGE`` and ``TOKEN``, its clock
pinned to the module's ``NOW``. (The WhatsApp and Telegram folders serve their own.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.graph import GraphEmulator
from tests.social.serving import running


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[GraphEmulator]:
    yield from running(GraphEmulator(page_id=request.module.PAGE,
                                     access_token=request.module.TOKEN), request.module.NOW)


@pytest.fixture
def emu(server: GraphEmulator) -> GraphEmulator:
    server.state.reset()
    return server
