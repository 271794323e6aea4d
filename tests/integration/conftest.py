"""A bridge wired to the helpdesk and platform emulators, run in-process (no Celery).

The adapters are the real ones, built by ``bridge.registry`` from settings; only the
vendors are emulated. The worlds (``zendesk_world.World``, ``freshdesk_world.FreshdeskWorld``)
play Meta and the agent; the conversation is run with ``pipeline.run_conversation`` under a
fake clock that the platform's emulator shares. ``any_world`` is the world on each helpdesk,
for the scenarios both share.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypeVar

import pytest

from emulators.freshdesk import FreshdeskEmulator
from emulators.graph import GraphEmulator
from emulators.zendesk import ZendeskEmulator
from tests.integration.freshdesk_world import FD_KEY, FreshdeskWorld, freshdesk_world
from tests.integration.meta_world import PAGE, PAGE_TOKEN, MetaWorld
from tests.integration.world import world_lifecycle
from tests.integration.zendesk_world import ZD_EMAIL, ZD_TOKEN, World, zendesk_world

__all__ = ["PAGE", "ZD_EMAIL", "ZD_TOKEN", "World", "world_lifecycle"]  # for other suites


class _Server(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


def served(emulator: S) -> Iterator[S]:
    """The emulator, started, for a fixture to ``yield from``; stopped after."""
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def zendesk_server() -> Iterator[ZendeskEmulator]:
    yield from served(ZendeskEmulator(email=ZD_EMAIL, token=ZD_TOKEN))


@pytest.fixture(scope="module")
def freshdesk_server() -> Iterator[FreshdeskEmulator]:
    yield from served(FreshdeskEmulator(api_key=FD_KEY))


@pytest.fixture(scope="module")
def graph_server() -> Iterator[GraphEmulator]:
    yield from served(GraphEmulator(page_id=PAGE, access_token=PAGE_TOKEN))


@pytest.fixture
def world(env: pytest.MonkeyPatch, database_url: str, zendesk_server: ZendeskEmulator,
          graph_server: GraphEmulator) -> Iterator[World]:
    """The core cases on Zendesk: on SQLite and on PostgreSQL."""
    yield from zendesk_world(env, database_url, zendesk_server, graph_server)


@pytest.fixture
def sqlite_world(env: pytest.MonkeyPatch, sqlite_url: str, zendesk_server: ZendeskEmulator,
                 graph_server: GraphEmulator) -> Iterator[World]:
    yield from zendesk_world(env, sqlite_url, zendesk_server, graph_server)


@pytest.fixture
def fd_world(env: pytest.MonkeyPatch, database_url: str, freshdesk_server: FreshdeskEmulator,
             graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    """The core cases on Freshdesk: on SQLite and on PostgreSQL."""
    yield from freshdesk_world(env, database_url, freshdesk_server, graph_server)


@pytest.fixture
def fd_sqlite_world(env: pytest.MonkeyPatch, sqlite_url: str,
                    freshdesk_server: FreshdeskEmulator,
                    graph_server: GraphEmulator) -> Iterator[FreshdeskWorld]:
    yield from freshdesk_world(env, sqlite_url, freshdesk_server, graph_server)


@pytest.fixture(params=["zendesk", "freshdesk"])
def helpdesk(request: pytest.FixtureRequest) -> str:
    """The helpdesk of ``any_world``; a test picks its own with indirect parametrisation."""
    return str(request.param)


def _on(helpdesk: str, request: pytest.FixtureRequest, env: pytest.MonkeyPatch, url: str,
        graph: GraphEmulator) -> Iterator[MetaWorld]:
    if helpdesk == "zendesk":
        return zendesk_world(env, url, request.getfixturevalue("zendesk_server"), graph)
    return freshdesk_world(env, url, request.getfixturevalue("freshdesk_server"), graph)


@pytest.fixture
def any_world(helpdesk: str, request: pytest.FixtureRequest, env: pytest.MonkeyPatch,
              database_url: str, graph_server: GraphEmulator) -> Iterator[MetaWorld]:
    """The world on each helpdesk, on SQLite and on PostgreSQL."""
    yield from _on(helpdesk, request, env, database_url, graph_server)


@pytest.fixture
def any_sqlite_world(helpdesk: str, request: pytest.FixtureRequest, env: pytest.MonkeyPatch,
                     sqlite_url: str, graph_server: GraphEmulator) -> Iterator[MetaWorld]:
    """The world on each helpdesk, on SQLite."""
    yield from _on(helpdesk, request, env, sqlite_url, graph_server)
