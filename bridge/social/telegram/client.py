"""Bot API calls for Telegram (``sendMessage``, the file sends, ``getFile``, ``getMe``),
with requests.

Vendor quirks, and why the mapping below looks the way it does:

- Every answer is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
  "description", "parameters"}``; the HTTP status equals ``error_code``.
- Flood control is 429 with ``parameters.retry_after`` (seconds) in the body; no
  ``Retry-After`` header is promised, so the header is only a fallback.
- 400 "Bad Request: chat not found", 403 "Forbidden: bot was blocked by the user" (or
  "user is deactivated", "bot was kicked from the group chat") cannot be cured by retrying;
  Telegram's ``description`` is kept word for word so the agent's note says what happened.
- A group upgraded to a supergroup answers 400 with ``parameters.migrate_to_chat_id``: the
  conversation has a new chat id, which is reported rather than silently followed.
- 401 is a refused bot token (revoked in BotFather): nothing to retry until an operator
  installs a new one.
- The token is part of every URL (``/bot<token>/<method>``), so request errors, whose text
  contains the URL, are reported by type only and never chained into tracebacks.
- A file goes as JSON when Telegram fetches it by URL, as multipart/form-data when it is
  uploaded; in a form every other parameter is a string, objects JSON-serialised.
- ``sendMessage`` has no idempotency key: a timeout after Telegram accepted the message and
  a retry of it deliver the message twice. We still retry (loss is worse than a double).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import requests
from pydantic import ValidationError

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError
from bridge.retry_after import retry_after_seconds
from bridge.social.telegram.payloads import ApiAnswer
from bridge.social.telegram.uploads import Upload

_NETWORK_ERRORS = (
    requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
)


class ConversationRefused(PermanentError):
    """Telegram refused the conversation rather than one request: the bot token (401), the
    chat (403: the bot was blocked or removed) or a group that became a supergroup."""


class BotClient:
    """One bot's Bot API access: ``{base}/bot{token}/{method}`` and ``{base}/file/bot...``."""

    def __init__(
        self, base_url: str, token: str, timeout: float, session: requests.Session | None = None
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._session = session or requests.Session()

    @classmethod
    def from_settings(cls, settings: Settings, token: str | None = None) -> BotClient:
        """The environment's bot unless ``token`` (one bot's, from ``bridge.accounts``)."""
        return cls(settings.TELEGRAM_API_BASE_URL,
                   settings.TELEGRAM_BOT_TOKEN if token is None else token,
                   settings.BRIDGE_HTTP_TIMEOUT)

    def send_message(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``sendMessage``; the sent ``Message``."""
        return _message("sendMessage", self.call("sendMessage", body))

    def send_file(self, method: str, body: Mapping[str, Any],
                  upload: Upload | None = None) -> dict[str, Any]:
        """POST ``sendPhoto``/``sendVideo``/``sendAudio``/``sendDocument``; the sent
        ``Message``. ``body`` names the file by URL, or ``upload`` carries it."""
        return _message(method, self.call(method, body, upload))

    def get_file(self, file_id: str) -> dict[str, Any]:
        """POST ``getFile``; the ``File`` (its ``file_path`` is valid for at least an hour)."""
        found = self.call("getFile", {"file_id": file_id})
        if not isinstance(found, dict):
            raise PermanentError("Telegram answered getFile without a File")
        return found

    def get_me(self) -> dict[str, Any]:
        me = self.call("getMe", {})
        if not isinstance(me, dict):
            raise PermanentError("Telegram answered getMe without a User")
        return me

    def file_url(self, file_path: str) -> str:
        """The download URL of a ``getFile`` path. It contains the bot token: never log it,
        never write it onto a ticket."""
        return f"{self._base}/file/bot{self._token}/{file_path.lstrip('/')}"

    def call(self, method: str, body: Mapping[str, Any], upload: Upload | None = None) -> Any:
        """``result`` of one Bot API method, or the mapped error; with ``upload``, posted
        as multipart/form-data."""
        if not self._token:
            raise PermanentError("TELEGRAM_BOT_TOKEN is not configured")
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            if upload is None:
                response = self._session.post(url, json=dict(body), timeout=self._timeout)
            else:
                part = (upload.name, upload.data, upload.content_type)
                response = self._session.post(url, data=_form(body), timeout=self._timeout,
                                              files={upload.field: part})
        except _NETWORK_ERRORS as exc:
            raise TransientError(f"Telegram Bot API unreachable: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise PermanentError(f"Telegram Bot API request failed: {type(exc).__name__}") from None
        answer = raise_for_telegram_error(response)
        return answer.result


def _message(method: str, found: Any) -> dict[str, Any]:
    if not isinstance(found, dict) or not isinstance(found.get("message_id"), int):
        raise PermanentError(f"Telegram answered {method} without a message_id")
    return found


def _form(body: Mapping[str, Any]) -> dict[str, str]:
    """Form fields: strings as they are, everything else JSON-serialised (as the Bot API
    reads objects, numbers and booleans in a form)."""
    return {key: value if isinstance(value, str) else json.dumps(value)
            for key, value in body.items()}


def raise_for_telegram_error(response: requests.Response) -> ApiAnswer:
    """The answer of a successful call; ``TransientError`` or ``PermanentError`` otherwise."""
    answer = _answer(response)
    if response.ok and answer.ok:
        return answer
    status = answer.error_code or response.status_code
    text = f"Telegram {status}: {answer.description or _snippet(response)}"
    params = answer.parameters
    if status == 429:
        retry = params.retry_after if params is not None else None
        raise TransientError(text, retry_after=_seconds(retry) or _header_seconds(response))
    if response.status_code >= 500 or status >= 500:
        raise TransientError(text, retry_after=_header_seconds(response))
    if params is not None and params.migrate_to_chat_id is not None:
        raise ConversationRefused(
            f"not sent: the group is now the supergroup {params.migrate_to_chat_id}; {text}")
    if status == 401:
        raise ConversationRefused(f"the bot token was refused; {text}")
    if status == 403:
        raise ConversationRefused(f"not sent: {text}")
    raise PermanentError(text)


def _answer(response: requests.Response) -> ApiAnswer:
    try:
        return ApiAnswer.model_validate(response.json())
    except (ValueError, ValidationError):
        return ApiAnswer()


def _snippet(response: requests.Response) -> str:
    return response.text[:200] or response.reason or "no description"


def _seconds(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return max(value, 0.0)


def _header_seconds(response: requests.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))
