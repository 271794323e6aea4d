"""What the Meta Graph clients (Messenger, WhatsApp) share: the ``{base}/{version}`` root,
the token, the timeout, and how a failed or odd answer is read. Each client keeps its own
auth style (Messenger: ``access_token`` query; WhatsApp: bearer header) and error codes."""

from __future__ import annotations

from typing import Any

import requests

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


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or ``{}`` (Graph errors sometimes come as HTML)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
