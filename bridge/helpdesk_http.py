"""What the Zendesk and Freshdesk clients share about their HTTP calls: where a raw call
goes, and how requests' own failures become bridge errors (their answers are mapped by
each helpdesk's ``mapping.error_for_response``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from bridge.errors import PermanentError, TransientError


def api_url(api_root: str, path: str) -> str:
    """``path`` under ``api_root`` (e.g. ``{base}/api/v2``), or itself when a full URL (a
    pagination link)."""
    return path if "://" in path else f"{api_root}/{path.lstrip('/')}"


@contextmanager
def network_errors(helpdesk: str, where: str) -> Iterator[None]:
    """A timeout or a dropped connection is worth a retry; any other requests failure is
    not. ``where`` names the call (method and URL) in the message."""
    try:
        yield
    except requests.Timeout as exc:
        raise TransientError(f"{helpdesk} timed out ({where}): {exc}") from exc
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise TransientError(f"{helpdesk} unreachable ({where}): {exc}") from exc
    except requests.RequestException as exc:
        raise PermanentError(f"{helpdesk} request failed ({where}): {exc}") from exc
