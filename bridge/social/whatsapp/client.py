"""WhatsApp Cloud API calls (send, media lookup, media download), with requests.

Vendor quirks, and why the mapping below looks the way it does:

- Errors are Graph errors: ``{"error": {"message", "type", "code", "error_data":
  {"messaging_product", "details"}, "fbtrace_id"}}``, mostly with HTTP 400; the code,
  not the status, says what happened, and ``error_data.details`` says it in words.
- 131047 "Re-engagement message": free text outside the 24 h customer-service window.
  The Cloud API mostly accepts the send and reports 131047 later in a ``failed`` status
  webhook (see ``events.DeliveryStatus.window_closed``); when it refuses at once, the
  send raises ``WindowClosed`` like our own check.
- Rate limits: 130429 (throughput), 131056 (too many messages to one customer), 80007
  (business account), 4 (app), 613 (custom); HTTP 429 too. ``Retry-After`` when sent,
  else ``X-Business-Use-Case-Usage``'s ``estimated_time_to_regain_access`` (minutes).
- 5xx, timeouts, codes 1/2 (unknown / service unavailable), 131000 ("something went
  wrong, try again") and ``is_transient: true`` are worth a retry.
- 190 is a refused access token; 100 a bad parameter: permanent, with Meta's words.
- The token goes in ``Authorization: Bearer`` (never in a URL: URLs end up in logs).
  Media URLs from ``GET /{media-id}`` live 5 minutes and also need the token, so it is
  only sent to Meta's hosts (or the configured base URL's host, for the emulator).
- No idempotency key: a timeout after Meta accepted a send and the retry deliver twice.
  We still retry (loss is worse than a double).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError, WindowClosed
from bridge.retry_after import retry_after_seconds
from bridge.social.graph import NETWORK_ERRORS as _NETWORK_ERRORS
from bridge.social.graph import GraphApi
from bridge.social.graph import json_object as _json_object

WINDOW_CODES = frozenset({131047})
RATE_LIMIT_CODES = frozenset({4, 613, 80007, 130429, 131056})
RETRY_CODES = frozenset({1, 2, 131000})
BAD_TOKEN = 190
MAX_MEDIA = 100 * 1024 * 1024  # documents may be 100 MB
_META_HOSTS = (".facebook.com", ".fbsbx.com", ".fbcdn.net", ".whatsapp.net")


class CloudApiClient(GraphApi):
    """One WhatsApp access token's Cloud API: ``{base}/{version}/...``."""

    @staticmethod
    def env_token(settings: Settings) -> str:
        return settings.WHATSAPP_ACCESS_TOKEN

    def send_message(self, phone_number_id: str, body: Mapping[str, Any]) -> str:
        """POST ``/{phone_number_id}/messages``; the ``wamid`` of the accepted message."""
        answer = self._call("POST", f"{phone_number_id}/messages", json=dict(body))
        messages = answer.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        message_id = first.get("id") if isinstance(first, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise PermanentError(f"WhatsApp answered without a message id: {answer}")
        return message_id

    def media_info(self, media_id: str, phone_number_id: str | None = None) -> dict[str, Any]:
        """GET ``/{media-id}``: ``url`` (valid 5 minutes), ``mime_type``, ``sha256``,
        ``file_size``; ``phone_number_id`` makes Meta check the media is that number's."""
        params = {"phone_number_id": phone_number_id} if phone_number_id else {}
        return self._call("GET", media_id, params=params)

    def download(self, url: str, limit: int = MAX_MEDIA) -> tuple[str, bytes]:
        """The bytes behind a media URL, with the bearer token: (content type, data)."""
        if not self._trusted(url):
            raise PermanentError(f"refusing to send the WhatsApp token to {urlsplit(url).netloc}")
        response = self._request("GET", url, stream=True)
        with response:
            raise_for_whatsapp_error(response)
            data = response.raw.read(limit + 1, decode_content=True)
        if len(data) > limit:
            raise PermanentError(f"WhatsApp media larger than {limit} bytes")
        return response.headers.get("Content-Type", "application/octet-stream"), data

    def _trusted(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            return False
        return host == (urlsplit(self._base).hostname or "").lower() or (
            parts.scheme == "https" and host.endswith(_META_HOSTS))

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._request(method, f"{self._root}/{path}", **kwargs)
        raise_for_whatsapp_error(response)
        return _json_object(response)

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if not self._token:
            raise PermanentError("WHATSAPP_ACCESS_TOKEN is not configured")
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            return self._session.request(method, url, headers=headers, timeout=self._timeout,
                                         **kwargs)
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"WhatsApp Cloud API unreachable: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"WhatsApp Cloud API request failed: {exc}") from exc


def raise_for_whatsapp_error(response: requests.Response) -> None:
    """Map a failed response to ``TransientError``, ``WindowClosed`` or ``PermanentError``."""
    if response.ok:
        return
    error = _json_object(response).get("error")
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    text = f"WhatsApp {response.status_code}: {error.get('message') or response.text[:200]}"
    if code is not None:
        text += f" (code {code})"
    if details:
        text += f": {details}"
    if response.status_code == 429 or code in RATE_LIMIT_CODES:
        raise TransientError(text, retry_after=retry_after(response))
    if response.status_code >= 500 or code in RETRY_CODES or error.get("is_transient") is True:
        raise TransientError(text, retry_after=retry_after(response))
    if code in WINDOW_CODES:
        raise WindowClosed(f"not sent: WhatsApp refused free text outside the 24-hour "
                           f"customer service window; {text}")
    if code == BAD_TOKEN:
        raise PermanentError(f"the WhatsApp access token was refused; {text}")
    raise PermanentError(text)


def retry_after(response: requests.Response) -> float | None:
    """Seconds to wait: ``Retry-After``, else the business-use-case header's estimate."""
    seconds = retry_after_seconds(response.headers.get("Retry-After"))
    if seconds is not None:
        return seconds
    return _usage_wait(response.headers.get("X-Business-Use-Case-Usage", ""))


def _usage_wait(header: str) -> float | None:
    """``{"<id>": [{"type": ..., "estimated_time_to_regain_access": <minutes>}]}``."""
    try:
        usage = json.loads(header) if header else {}
    except ValueError:
        return None
    minutes = [item.get("estimated_time_to_regain_access")
               for items in (usage.values() if isinstance(usage, dict) else ())
               if isinstance(items, list) for item in items if isinstance(item, dict)]
    waits = [float(m) for m in minutes if isinstance(m, int | float) and m > 0]
    return max(waits) * 60.0 if waits else None
