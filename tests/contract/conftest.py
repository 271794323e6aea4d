"""One emulator per helpdesk for the module, reset before each test (``drivers.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.helpdesk import Helpdesk
from tests.contract.drivers import DRIVERS, Driver


@pytest.fixture(scope="module", params=sorted(DRIVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Driver]:
    driver = DRIVERS[request.param]()
    yield driver
    driver.stop()


@pytest.fixture
def driver(server: Driver) -> Driver:
    server.reset()
    return server


@pytest.fixture
def hd(driver: Driver) -> Helpdesk:
    return driver.helpdesk()
