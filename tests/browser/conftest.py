"""The admin pages in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

The bridge app runs in a werkzeug server thread on a migrated SQLite database, with the
Zendesk emulator as its helpdesk (its seeded ticket fields feed the mapping form and the
field checks). Every test leaves a screenshot in ``artifacts/screenshots/<test>.png``,
pass or fail. Without /usr/bin/chromium the suite is skipped, except under
``BRIDGE_REQUIRE_SERVICES=1`` (CI installs it) where that is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bridge.app import create_app
from emulators.serving import ServerThread
from emulators.zendesk.app import create_app as create_zendesk
from emulators.zendesk.state import EmulatorState
from tests.browser import stubs
from tests.conftest import REQUIRE_SERVICES, ROOT, apply_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TOKEN = "admin-token-for-browser-tests"
ADMIN = "Dana Admin"
ZENDESK_EMAIL = "agent@example.com"
ZENDESK_TOKEN = "zendesk-api-token"


@dataclass
class Site:
    """The running bridge and its helpdesk emulator, plus an API client as the admin."""

    url: str
    zendesk: EmulatorState
    zendesk_url: str

    def api(self, method: str, path: str, body: Any = None, actor: str = "api") -> Any:
        response = requests.request(
            method, f"{self.url}/api/v1{path}", json=body, timeout=10,
            headers={"Authorization": f"Bearer {TOKEN}", "X-Admin-User": actor})
        assert response.ok, (response.status_code, response.text)
        return response.json() if response.content else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is absent: install Debian's chromium (.ci/run does)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}; it is required under BRIDGE_REQUIRE_SERVICES=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(env: pytest.MonkeyPatch, sqlite_url: str) -> Iterator[Site]:
    state = EmulatorState(email=ZENDESK_EMAIL, token=ZENDESK_TOKEN)
    emulator = ServerThread(create_zendesk(state))
    emulator.start()
    apply_env(env, DATABASE_URL=sqlite_url, BRIDGE_ADMIN_TOKEN=TOKEN,
              BRIDGE_HELPDESK="zendesk", ZENDESK_BASE_URL=emulator.url,
              ZENDESK_SUBDOMAIN="bridge-test", ZENDESK_EMAIL=ZENDESK_EMAIL,
              ZENDESK_API_TOKEN=ZENDESK_TOKEN, BRIDGE_HTTP_TIMEOUT="5")
    app = create_app()
    stubs.install(app, env)
    server = ServerThread(app)
    server.start()
    try:
        yield Site(server.url, state, emulator.url)
    finally:
        server.stop()
        emulator.stop()


@pytest.fixture
def page(browser: Any, site: Site, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab on the site; its screenshot is kept whatever the outcome."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        if tab.url != "about:blank":  # a test skipped before opening a page has nothing
            screenshot(tab, request.node.name)
        context.close()
    assert errors == [], f"JavaScript errors on the pages: {errors}"


def screenshot(tab: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def sign_in(tab: Any, name: str = ADMIN, then: str = "/admin/rules") -> None:
    """Sign in through the login page, then open ``then`` and wait for its data."""
    tab.goto("/admin/login")
    tab.get_by_label("Admin token").fill(TOKEN)
    tab.get_by_label("Your name").fill(name)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/admin/rules")
    open_page(tab, then)


def open_page(tab: Any, path: str) -> None:
    tab.goto(path)
    tab.wait_for_selector("body[data-ready=true]")
