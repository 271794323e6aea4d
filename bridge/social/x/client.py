"""X API v2 calls (reply posts, DMs, DM media downloads), OAuth 1.0a user context.

Vendor quirks, and why the mapping below looks the way it does:

- Every request is signed with the app's consumer key and secret and the account's access
  token and secret (OAuth 1.0a, HMAC-SHA1, ``Authorization: OAuth ...``). A JSON body is
  not part of the signature; only the URL and the ``oauth_*`` parameters are.
- Success is 201 with ``{"data": {...}}``. Failures come as problem JSON (``title``,
  ``detail``, ``type``, ``status``) or the older ``{"errors": [{"code", "message"}]}``.
- Rate limits are 429 with ``x-rate-limit-reset`` (epoch seconds) for the 15-minute
  window; posting also has a 24-hour cap per user (``x-user-limit-24hour-remaining: 0``
  and its own ``-reset``) and per app (``x-app-limit-24hour-*``). The wait is until the
  latest reset that is exhausted, never a guess.
- 403 is X saying no for good: a duplicate of a post already made, a reply to a deleted or
  hidden post, a customer who does not accept DMs from the account. Its ``detail`` is kept
  word for word for the agent's note.
- Neither endpoint has an idempotency key: a timeout after X accepted a send and its retry
  deliver twice (X refuses the repeated post as a duplicate; a DM goes out twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError
from requests_oauthlib import OAuth1  # type: ignore[import-untyped]

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError
from bridge.retry_after import retry_after_seconds, seconds_until_epoch
from bridge.social.graph import NETWORK_ERRORS, json_object
from bridge.social.x.payloads import CreatedDm, CreatedPost

MAX_DOWNLOAD = 20 * 1024 * 1024
_LIMIT_FAMILIES = ("x-user-limit-24hour", "x-app-limit-24hour")
_CREDENTIALS = "X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET"


class XClient:
    """One account's v2 access at ``{base}/2/...``."""

    def __init__(self, base_url: str, consumer_key: str, consumer_secret: str,
                 access_token: str, access_token_secret: str, timeout: float,
                 session: requests.Session | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._configured = all((consumer_key, consumer_secret, access_token, access_token_secret))
        self._auth = OAuth1(consumer_key, consumer_secret, access_token, access_token_secret)
        self._timeout = timeout
        self._session = session or requests.Session()

    @classmethod
    def from_settings(cls, settings: Settings, keys: Mapping[str, str] | None = None) -> XClient:
        """The environment's keys, or one account's ``keys`` (``consumer_key``,
        ``consumer_secret``, ``access_token``, ``access_token_secret``, from
        ``bridge.accounts``: nothing is borrowed from another account)."""
        if keys is None:
            keys = {"consumer_key": settings.X_CONSUMER_KEY,
                    "consumer_secret": settings.X_CONSUMER_SECRET,
                    "access_token": settings.X_ACCESS_TOKEN,
                    "access_token_secret": settings.X_ACCESS_TOKEN_SECRET}
        return cls(settings.X_API_BASE_URL, keys.get("consumer_key", ""),
                   keys.get("consumer_secret", ""), keys.get("access_token", ""),
                   keys.get("access_token_secret", ""), settings.BRIDGE_HTTP_TIMEOUT)

    def create_post(self, text: str, in_reply_to: str | None) -> str:
        """POST ``/2/tweets``; the new post's id."""
        body: dict[str, Any] = {"text": text}
        if in_reply_to:
            body["reply"] = {"in_reply_to_tweet_id": in_reply_to}
        data = self._post("/2/tweets", body)
        try:
            return CreatedPost.model_validate(data).id
        except ValidationError as exc:
            raise PermanentError(f"X answered POST /2/tweets without a post id: {data}") from exc

    def send_dm(self, participant_id: str, text: str) -> str:
        """POST ``/2/dm_conversations/with/{participant_id}/messages``; the DM event id."""
        path = f"/2/dm_conversations/with/{participant_id}/messages"
        data = self._post(path, {"text": text})
        try:
            return CreatedDm.model_validate(data).dm_event_id
        except ValidationError as exc:
            raise PermanentError(f"X answered the DM send without dm_event_id: {data}") from exc

    def download(self, url: str) -> tuple[str, bytes] | None:
        """A DM's media file: ``ton.twitter.com`` serves it only to a signed request.
        ``None`` when it cannot be had (gone, too big, refused)."""
        try:
            with self._session.get(url, auth=self._auth, timeout=self._timeout,
                                   stream=True) as response:
                if response.status_code != 200:
                    return None
                data = response.raw.read(MAX_DOWNLOAD + 1, decode_content=True)
                content_type = response.headers.get("Content-Type", "application/octet-stream")
        except requests.RequestException:
            return None
        return None if len(data) > MAX_DOWNLOAD else (content_type, data)

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        if not self._configured:
            raise PermanentError(f"X is not configured: set {_CREDENTIALS}")
        try:
            response = self._session.post(self._base + path, json=dict(body), auth=self._auth,
                                          timeout=self._timeout)
        except NETWORK_ERRORS as exc:
            raise TransientError(f"X API unreachable: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentError(f"X API request failed: {type(exc).__name__}") from exc
        raise_for_x_error(response, path)
        return json_object(response).get("data")


def raise_for_x_error(response: requests.Response, path: str) -> None:
    """Map a failed answer to ``TransientError`` (429 at the reset, 5xx) or
    ``PermanentError`` (everything else, in X's words)."""
    if response.ok:
        return
    status = response.status_code
    text = f"X {status} on POST {path}: {problem_text(response)}"
    if status == 429:
        raise TransientError(text, retry_after=rate_limit_wait(response.headers))
    if status >= 500:
        raise TransientError(text, retry_after=retry_after_seconds(
            response.headers.get("Retry-After")))
    if status == 401:
        raise PermanentError(f"X refused the credentials ({_CREDENTIALS}); {text}")
    if status == 403:
        raise PermanentError(f"not sent: X refused it; {text}")
    raise PermanentError(text)


def rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until X lifts the limit that was hit: the 24-hour caps when exhausted (they
    outlast the window), else the 15-minute window's ``x-rate-limit-reset``."""
    lower = {key.lower(): value for key, value in headers.items()}
    waits = [seconds_until_epoch(lower.get(f"{family}-reset")) for family in _LIMIT_FAMILIES
             if lower.get(f"{family}-remaining", "").strip() == "0"]
    waits.append(seconds_until_epoch(lower.get("x-rate-limit-reset")))
    found = [wait for wait in waits if wait is not None]
    if found:
        return max(found)
    return retry_after_seconds(lower.get("retry-after"))


def problem_text(response: requests.Response) -> str:
    """X's own words: the problem's ``detail`` (or ``title``) and the first
    ``errors[].message`` (which names the parameter of an invalid request)."""
    body = json_object(response)
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else {}
    message = first.get("message") if isinstance(first, dict) else None
    words = [w.strip() for w in (body.get("detail") or body.get("title"), message)
             if isinstance(w, str) and w.strip()]
    return ": ".join(dict.fromkeys(words)) or response.text[:200] or response.reason or "?"


def is_signed_media(url: str) -> bool:
    """DM media lives on ``ton.twitter.com`` and needs the account's signature."""
    return urlsplit(url).hostname in ("ton.twitter.com", "ton.x.com")
