"""What the Meta Graph clients (Messenger, WhatsApp) share: the ``{base}/{version}`` root,
the token, the timeout, and how a failed or odd answer is read. Each client keeps its own
auth style (Messenger: ``access_token`` query; WhatsApp: bearer header) and error codes.

Also what their adapters share: ``AccountClients``, one client per account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import requests

from bridge import accounts
from bridge.config import Settings, get_settings
from bridge.domain import ThreadKey
from bridge.errors import PermanentError

NETWORK_ERRORS = (
    requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
)

C = TypeVar("C")
G = TypeVar("G", bound="GraphApi")


class GraphApi:
    def __init__(
        self,
        base_url: str,
        version: str,
        access_token: str,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._root = f"{self._base}/{version}"
        self._token = access_token
        self._timeout = timeout
        self._session = session or requests.Session()


def page_client(cls: type[G], settings: Settings, access_token: str | None = None) -> G:
    """A ``cls`` on the settings' Graph root with the environment's page token, unless
    ``access_token`` (one account's, from ``bridge.accounts``) is given."""
    token = settings.META_PAGE_ACCESS_TOKEN if access_token is None else access_token
    return cls(settings.META_GRAPH_BASE_URL, settings.META_GRAPH_VERSION, token,
               settings.BRIDGE_HTTP_TIMEOUT)


class AccountClients(Generic[C]):
    """An adapter's clients: the thread's own account's (one per account, built with its
    ``access_token`` by ``build(settings, token)``), or one client for everything when the
    adapter was handed one or built on settings of its own (a test, a tool). The registry's
    adapter (the process's settings) finds each thread's own account."""

    def __init__(self, settings: Settings, build: Callable[[Settings, str | None], C],
                 client: C | None = None) -> None:
        self._settings = settings
        self._build = build
        own = client is not None or settings is not get_settings()
        self.only: C | None = (client or build(settings, None)) if own else None
        self._clients: dict[str, C] = {}

    def for_thread(self, thread: ThreadKey) -> C:
        """``PermanentError`` when the thread's account is not one of ours."""
        if self.only is not None:
            return self.only
        account = accounts.find(thread.channel, thread.account_id)
        if account is None:
            raise PermanentError(accounts.missing(thread.channel, thread.account_id))
        if account.id not in self._clients:
            self._clients[account.id] = self._build(self._settings, account.get("access_token"))
        return self._clients[account.id]


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or ``{}`` (Graph errors sometimes come as HTML)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
