"""The Freshdesk API v2 over requests: auth, error mapping and rate-limit pacing.

- Auth is HTTP Basic with the API key as user and ``X`` as password.
- Every failure becomes a bridge error (``mapping.error_for_response``); a timeout or a
  dropped connection is a ``TransientError``, and a 429 carries ``Retry-After``. Nothing
  here ever sleeps: a worker retries the task at the time we name.
- Pacing: every response says ``X-RateLimit-Total`` and ``X-RateLimit-Remaining`` for the
  current minute (per account, shared by every process using it). When what remains falls
  to the threshold (5% of the total, at least 3 calls), ``pace()`` raises
  ``TransientError(retry_after=<seconds until the minute resets>)`` *before* the next
  operation, so the bridge slows down before Freshdesk answers 429. Freshdesk names no
  reset time, so the window is assumed to start when we first saw it (or saw the count
  go back up) and to last 60 s: a conservative guess, since the real start is earlier.
  The adapter calls ``pace()`` once per protocol operation, never between the calls of
  one, so pacing cannot leave an operation half done; the threshold leaves room for it.
- ``fid`` and ``as_model`` turn our ids into Freshdesk's and its bodies into our models.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from bridge.config import Settings
from bridge.errors import PermanentError, TransientError
from bridge.freshdesk.mapping import error_for_response
from bridge.freshdesk.payloads import next_page_url
from bridge.helpdesk_http import api_url, network_errors
from bridge.retry_after import retry_after_seconds

WINDOW_SECONDS = 60.0
THRESHOLD_RATIO = 0.05
THRESHOLD_MIN_CALLS = 3

FileTuple = tuple[str, tuple[str, bytes, str]]
M = TypeVar("M", bound=BaseModel)


def freshdesk_base_url(settings: Settings) -> str:
    """FRESHDESK_BASE_URL, else ``https://{FRESHDESK_DOMAIN}.freshdesk.com`` (a full host
    name such as ``acme.freshdesk.com`` is accepted as the domain too)."""
    if settings.FRESHDESK_BASE_URL:
        return settings.FRESHDESK_BASE_URL.rstrip("/").removesuffix("/api/v2")
    domain = settings.FRESHDESK_DOMAIN.strip().removeprefix("https://").strip("/")
    if not domain:
        return ""
    return f"https://{domain}" if "." in domain else f"https://{domain}.freshdesk.com"


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


class RatePacer:
    """What the last response said about the minute's budget, and when to resume."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self.total: int | None = None
        self.remaining: int | None = None
        self.used_by_last: int | None = None
        self._window_start: float | None = None
        self._resume_at: float | None = None

    @staticmethod
    def threshold(total: int | None) -> int:
        if not total:
            return THRESHOLD_MIN_CALLS
        return max(THRESHOLD_MIN_CALLS, math.ceil(total * THRESHOLD_RATIO))

    def observe(self, headers: Mapping[str, str], status: int, retry_after: float | None) -> None:
        now = self.monotonic()
        remaining = _header_int(headers, "X-RateLimit-Remaining")
        total = _header_int(headers, "X-RateLimit-Total")
        self.used_by_last = _header_int(headers, "X-RateLimit-Used-CurrentRequest")
        if remaining is not None:
            if (self._window_start is None or self.remaining is None
                    or remaining > self.remaining
                    or now - self._window_start >= WINDOW_SECONDS):
                self._window_start = now  # a new window, as far as we can tell
            self.remaining, self.total = remaining, total if total is not None else self.total
        if status == 429:
            self._resume_at = now + (retry_after if retry_after is not None else WINDOW_SECONDS)
        elif remaining is not None and remaining <= self.threshold(self.total):
            start = self._window_start if self._window_start is not None else now
            self._resume_at = max(start + WINDOW_SECONDS, now + 1.0)
        elif remaining is not None:
            self._resume_at = None

    def check(self) -> None:
        """Raise ``TransientError`` while the budget of this minute is (nearly) spent."""
        if self._resume_at is None:
            return
        wait = self._resume_at - self.monotonic()
        if wait <= 0:
            self._resume_at = None
            return
        raise TransientError(
            f"Freshdesk rate limit nearly reached ({self.remaining} of {self.total} calls left "
            "this minute): pausing before Freshdesk answers 429",
            retry_after=float(math.ceil(wait)),
        )


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # decoded JSON, or None for an empty body
    next_url: str | None = None  # ``Link: <...>; rel="next"``


class FreshdeskClient:
    """One requests session against ``{base_url}/api/v2``."""

    def __init__(self, base_url: str, api_key: str, timeout: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_root = f"{self.base_url}/api/v2"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.auth = (api_key, "X")
        self.session.headers["Accept"] = "application/json"
        self.pacer = RatePacer(monotonic)

    def pace(self) -> None:
        self.pacer.check()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        data: list[tuple[str, str]] | None = None,
        files: list[FileTuple] | None = None,
        allow: Collection[int] = (),
    ) -> Answer:
        """One call: ``path`` under /api/v2, or a full URL (pagination links).

        Statuses in ``allow`` are returned instead of raised (e.g. 409 on a duplicate).
        """
        url = api_url(self.api_root, path)
        where = f"{method} {url.removeprefix(self.base_url)}"
        with network_errors("Freshdesk", where):
            response = self.session.request(method, url, json=json, params=params, data=data,
                                            files=files, timeout=self.timeout)
        status = response.status_code
        retry_after = response.headers.get("Retry-After")
        self.pacer.observe(response.headers, status, retry_after_seconds(retry_after))
        if status >= 400 and status not in allow:
            error = error_for_response(status, response.text, retry_after)
            if error is not None:
                raise error
        return Answer(status, self._decode(response, where), next_page_url(
            response.headers.get("Link")))

    @staticmethod
    def _decode(response: requests.Response, where: str) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PermanentError(
                f"Freshdesk answered {where} with non-JSON ({response.status_code}); "
                "check FRESHDESK_DOMAIN / FRESHDESK_BASE_URL") from None


def form_fields(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """JSON fields as multipart form fields: ``tags[]``, ``custom_fields[cf_x]``, booleans
    as ``true``/``false`` (Freshdesk's form encoding, needed when files are attached)."""
    out: list[tuple[str, str]] = []

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    for key, value in fields.items():
        if isinstance(value, list | tuple):
            out += [(f"{key}[]", scalar(item)) for item in value]
        elif isinstance(value, Mapping):
            out += [(f"{key}[{sub}]", scalar(item)) for sub, item in value.items()]
        else:
            out.append((key, scalar(value)))
    return out


def fid(value: str | None, what: str = "id") -> int:
    """The bridge's id of a Freshdesk object (``what``, for the error) as Freshdesk's integer."""
    try:
        return int(value or "")
    except ValueError:
        raise PermanentError(f"not a Freshdesk {what}: {value!r}") from None


def as_model(model: type[M], body: Any, what: str) -> M:
    """A Freshdesk body as ``model``; a body that does not fit is not worth a retry."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PermanentError(f"unexpected Freshdesk {what} body: {exc}") from exc
