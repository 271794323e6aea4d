"""Freshdesk tests: shared fixtures are read in place from ``../shared`` (never copied)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter

from tests.helpdesks import assert_every_fixture_has_a_test, fixture_bytes, fixture_json

# Re-exported: the fixture suites in this folder import them from here.
__all__ = ["assert_every_fixture_has_a_test", "fixture_bytes", "fixture_json"]

CANNED_URL = "http://canned.freshdesk.test"
API_KEY = "emulated-api-key"

Route = tuple[int, bytes] | tuple[int, bytes, dict[str, str]]


class CannedFreshdesk(BaseAdapter):
    """A requests transport answering ``(METHOD, /api/v2/path)`` with fixed bodies.

    Mounted on the adapter's own session, so the client's error mapping, pacing and
    pagination all run as in production; only the network is replaced.
    """

    def __init__(self, routes: dict[tuple[str, str], Route]) -> None:
        super().__init__()
        self.routes = routes
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        self.sent.append(request)
        route = self.routes[(request.method or "GET", urlsplit(request.url or "").path)]
        response = requests.Response()
        response.status_code = route[0]
        response._content = route[1]
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        if len(route) == 3:
            response.headers.update(route[2])
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass

    def calls(self) -> list[str]:
        return [f"{r.method} {urlsplit(r.url or '').path}" for r in self.sent]

    def query(self, index: int) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.sent[index].url or "").query))

    def sent_json(self, index: int) -> Any:
        body = self.sent[index].body
        return json.loads(body or b"{}")


@contextmanager
def running_emulator() -> Iterator[Any]:
    """A started ``FreshdeskEmulator`` with ``API_KEY``."""
    from emulators.freshdesk import FreshdeskEmulator

    emulator = FreshdeskEmulator(api_key=API_KEY)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
