"""What the Meta Graph clients (Messenger, Instagram, comments, WhatsApp) share: the
``{base}/{version}`` root, the token, the timeout, and how a failed or odd answer is read.
Each client keeps its own auth style (page clients: ``access_token`` query, ``PageApi``;
WhatsApp: bearer header) and error codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import requests

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError

NETWORK_ERRORS = (
    requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
)


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

    @classmethod
    def from_settings(cls, settings: Settings, access_token: str | None = None) -> Self:
        """A client on the settings' Graph root with the environment's token
        (``env_token``), unless ``access_token`` (one account's, from ``bridge.accounts``)."""
        token = cls.env_token(settings) if access_token is None else access_token
        return cls(settings.META_GRAPH_BASE_URL, settings.META_GRAPH_VERSION, token,
                   settings.BRIDGE_HTTP_TIMEOUT)

    @staticmethod
    def env_token(settings: Settings) -> str:
        """The environment's token for this API."""
        raise NotImplementedError


class PageApi(GraphApi):
    """Graph with a page access token as ``access_token`` query: Messenger, Instagram and
    the comment channels (Instagram's token is that of the page linked to the account)."""

    @staticmethod
    def env_token(settings: Settings) -> str:
        return settings.META_PAGE_ACCESS_TOKEN

    def _page_call(self, method: str, path: str, check: Callable[[requests.Response], None],
                   **kwargs: Any) -> dict[str, Any]:
        """The JSON object answered to ``method /{path}``; ``check`` raises for a failed
        answer (each API maps its own codes)."""
        if not self._token:
            raise PermanentError("META_PAGE_ACCESS_TOKEN is not configured")
        params = {**kwargs.pop("params", {}), "access_token": self._token}
        try:
            response = self._session.request(
                method, f"{self._root}/{path}", params=params, timeout=self._timeout, **kwargs
            )
        except NETWORK_ERRORS as exc:
            raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"Graph API request failed: {exc}") from exc
        check(response)
        return json_object(response)


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or ``{}`` (Graph errors sometimes come as HTML)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
