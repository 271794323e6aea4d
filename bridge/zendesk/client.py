"""The Zendesk API under zenpy: one requests session, its error mapping, and ids.

- zenpy always builds ``https://{subdomain}.zendesk.com/api/v2/...``; ``ZendeskSession``
  rewrites that prefix to ``ZENDESK_BASE_URL`` (a sandbox such as ``http://127.0.0.1:9100``).
- zenpy sleeps through a 429 inside ``_call_api``. A worker must never sleep: the session
  raises ``TransientError(retry_after=...)`` before zenpy sees the response, and maps every
  other failure to a bridge error the same way (see ``mapping.error_for_response``).
- What zenpy does not cover well goes raw through the same session (``ZendeskClient``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import requests
from zenpy.lib.exception import ZenpyException

from bridge.errors import PermanentError
from bridge.helpdesk_http import network_errors
from bridge.zendesk.mapping import error_for_response


class ZendeskSession(requests.Session):
    """A requests session that points zenpy at ``base_url`` and never lets it sleep.

    zenpy only deserialises a response whose request URL names ``{subdomain}.zendesk.com``,
    so the response carries a copy of its request with that canonical URL; the wire (and
    the sandbox's own pagination links) use ``base_url``.
    """

    def __init__(self, zenpy_prefix: str, base_url: str, timeout: float) -> None:
        super().__init__()
        self.zenpy_prefix = zenpy_prefix.rstrip("/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        canonical = _swap_prefix(url, self.base_url, self.zenpy_prefix)
        wire = _swap_prefix(canonical, self.zenpy_prefix, self.base_url)
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        with network_errors("Zendesk", f"{method} {wire}"):
            response = super().request(method, wire, *args, **kwargs)
        status = response.status_code
        if status >= 400 and (error := error_for_response(
                status, response.text, response.headers.get("Retry-After"))):
            raise error
        shown = response.request.copy()
        shown.url = canonical
        response.request = shown
        return response


@runtime_checkable
class ZendeskClient(Protocol):
    """A raw API call (``ZendeskHelpdesk.request``): what install and comment reading need."""

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...


def _swap_prefix(url: str, old: str, new: str) -> str:
    return new + url[len(old):] if url.startswith(old + "/") else url


@contextmanager
def zenpy_errors() -> Iterator[None]:
    """zenpy's own complaints (a body it cannot map) are not worth a retry."""
    try:
        yield
    except ZenpyException as exc:
        raise PermanentError(f"unexpected Zendesk response: {exc}") from exc


def zid(value: str) -> int:
    """The bridge's id of a Zendesk object as Zendesk's integer."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PermanentError(f"not a Zendesk id: {value!r}") from None


def zenpy_subdomain(base_url: str, configured: str) -> str:
    """The subdomain zenpy is built with: configured, else read from ``base_url``."""
    found = re.match(r"https?://([^./]+)\.zendesk\.com", base_url)
    return configured or (found.group(1) if found else "sandbox")
