"""Zendesk tests: shared fixtures are read in place from ``../shared`` (never copied)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from tests.helpdesks import assert_every_fixture_has_a_test, fixture_bytes, fixture_json

# Re-exported: the fixture suites in this folder import them from here.
__all__ = ["assert_every_fixture_has_a_test", "fixture_bytes", "fixture_json"]

CANNED_URL = "http://canned.zendesk.test"
EMAIL, TOKEN = "bridge@example.com", "emulated-token"


class CannedZendesk(BaseAdapter):
    """A requests transport answering ``(METHOD, /api/v2/path)`` with fixed bodies.

    Mounted on the adapter's own session, so zenpy, the URL rewrite and the error
    mapping all run as in production; only the network is replaced.
    """

    def __init__(self, routes: dict[tuple[str, str], tuple[int, bytes]]) -> None:
        super().__init__()
        self.routes = routes
        self.sent: list[requests.PreparedRequest] = []
        self.bodies: list[bytes] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        self.sent.append(request)
        data: Any = request.body  # bytes, str, or the file object of an upload
        data = data.read() if hasattr(data, "read") else data
        self.bodies.append(data.encode() if isinstance(data, str) else data or b"")
        path = urlsplit(request.url or "").path.removesuffix(".json")
        status, body = self.routes[(request.method or "GET", path)]
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass

    def sent_json(self, index: int) -> Any:
        return json.loads(self.bodies[index] or b"{}")


@contextmanager
def running_emulator() -> Iterator[Any]:
    """A started ``ZendeskEmulator`` (API user 1 = ``EMAIL``/``TOKEN``), or skip without it."""
    try:
        from emulators.zendesk import ZendeskEmulator
    except ImportError as exc:
        pytest.skip(f"the Zendesk emulator (emulators.zendesk) is not available: {exc}")
    emulator = ZendeskEmulator(email=EMAIL, token=TOKEN)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def emulator_answer(method: str, path: str, **kwargs: Any) -> Any:
    """The emulator's JSON answer to one authenticated call on a fresh emulator."""
    with running_emulator() as emulator:
        response = requests.request(method, f"{emulator.base_url}/api/v2/{path}",
                                    auth=(f"{EMAIL}/token", TOKEN), timeout=5, **kwargs)
        response.raise_for_status()
        return response.json()
