"""Graph API calls for Messenger (Send API, user profile), with requests.

Vendor quirks, and why the mapping below looks the way it does:

- Graph reports most failures, rate limits included, as HTTP 400 with a JSON body
  ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; the code,
  not the status, says what happened.
- Rate limits: codes 4 (app), 17 (user), 32 (page), 613 (custom, used by the Send API)
  and 80006 (Messenger business-use-case limit); HTTP 429 is rare but honoured with
  its ``Retry-After``.
- Codes 1 and 2 are Meta's "unknown" / "service unavailable": retry.
- Code 10 with subcode 2018278 is "sent outside of allowed window"; code 551 means
  "this person isn't available right now" (blocked the page or deactivated).
- Code 190 is an invalid or expired access token: nothing to retry until an operator
  installs a new token.
- The Send API has no idempotency key: a timeout after Meta accepted the message and a
  retry of it deliver the message twice. We still retry (loss is worse than a double).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.retry_after import retry_after_seconds
from bridge.social.graph import NETWORK_ERRORS as _NETWORK_ERRORS
from bridge.social.graph import GraphApi
from bridge.social.graph import json_object as _json_object

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80006})
RETRY_CODES = frozenset({1, 2})
OUTSIDE_WINDOW = (10, 2018278)
PERSON_UNAVAILABLE = 551
BAD_TOKEN = 190


class GraphClient(GraphApi):
    """One page's Graph API access: ``{base}/{version}/...`` with the page access token."""

    @classmethod
    def from_settings(cls, settings: Settings, access_token: str | None = None) -> GraphClient:
        """The settings' Graph root; the environment's page token unless ``access_token``
        (one account's, from ``bridge.accounts``) is given."""
        token = settings.META_PAGE_ACCESS_TOKEN if access_token is None else access_token
        return cls(
            settings.META_GRAPH_BASE_URL,
            settings.META_GRAPH_VERSION,
            token,
            settings.BRIDGE_HTTP_TIMEOUT,
        )

    def send_message(self, page_id: str, body: Mapping[str, Any]) -> str:
        """POST ``/{page_id}/messages``; the platform message id of the sent message."""
        answer = self._call("POST", f"{page_id}/messages", json=dict(body))
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise PermanentError(f"Graph answered without a message_id: {answer}")
        return message_id

    def user_profile(self, psid: str, fields: str = "first_name,last_name,name") -> dict[str, Any]:
        """GET ``/{psid}?fields=...``: the customer's public profile fields."""
        return self._call("GET", psid, params={"fields": fields})

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if not self._token:
            raise PermanentError("META_PAGE_ACCESS_TOKEN is not configured")
        params = {**kwargs.pop("params", {}), "access_token": self._token}
        try:
            response = self._session.request(
                method, f"{self._root}/{path}", params=params, timeout=self._timeout, **kwargs
            )
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"Graph API request failed: {exc}") from exc
        raise_for_graph_error(response)
        return _json_object(response)


def raise_for_graph_error(response: requests.Response) -> None:
    """Map a failed Graph response to ``TransientError``, ``WindowClosed`` or ``PermanentError``."""
    if response.ok:
        return
    error = _json_object(response).get("error")
    error = error if isinstance(error, dict) else {}
    code, subcode = error.get("code"), error.get("error_subcode")
    text = f"Graph API {response.status_code}: {error.get('message') or response.text[:200]}"
    if code is not None:
        text += f" (code {code}{f', subcode {subcode}' if subcode else ''})"
    if response.status_code == 429 or code in RATE_LIMIT_CODES:
        raise TransientError(text, retry_after=_retry_after(response))
    if response.status_code >= 500 or code in RETRY_CODES:
        raise TransientError(text, retry_after=_retry_after(response))
    if (code, subcode) == OUTSIDE_WINDOW:
        raise WindowClosed(f"not sent: Messenger refused the reply as outside the window; {text}")
    if code == PERSON_UNAVAILABLE:
        raise PermanentError(f"not sent: the customer is not available on Messenger; {text}")
    if code == BAD_TOKEN:
        raise PermanentError(f"the page access token was refused; {text}")
    raise PermanentError(text)


def _retry_after(response: requests.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))
