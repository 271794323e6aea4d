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

from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.retry_after import retry_after_seconds
from bridge.social.graph import PageApi
from bridge.social.graph import json_object as _json_object

RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80006})
RETRY_CODES = frozenset({1, 2})
OUTSIDE_WINDOW = (10, 2018278)
PERSON_UNAVAILABLE = 551
BAD_TOKEN = 190


class GraphClient(PageApi):
    """One page's Graph API access: ``{base}/{version}/...`` with the page access token."""

    def send_message(self, page_id: str, body: Mapping[str, Any]) -> str:
        """POST ``/{page_id}/messages``; the platform message id of the sent message."""
        answer = self._page_call("POST", f"{page_id}/messages", raise_for_graph_error,
                                 json=dict(body))
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise PermanentError(f"Graph answered without a message_id: {answer}")
        return message_id

    def user_profile(self, psid: str, fields: str = "first_name,last_name,name") -> dict[str, Any]:
        """GET ``/{psid}?fields=...``: the customer's public profile fields."""
        return self._page_call("GET", psid, raise_for_graph_error, params={"fields": fields})


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
