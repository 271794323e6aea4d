"""``Retry-After`` as the bridge reads it from every vendor: one parser for all."""

from __future__ import annotations

import math
from email.utils import parsedate_to_datetime

from bridge import clock


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait: a number, or an HTTP date relative to the bridge clock; ``None``
    when absent or unreadable (then the caller backs off on its own schedule)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (clock.aware(when) - clock.now()).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def seconds_until_epoch(value: str | None) -> float | None:
    """Seconds from the bridge clock until a reset time given in epoch seconds (X's
    ``x-rate-limit-reset``); 0 when it has passed, ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        epoch = float(value)
    except ValueError:
        return None
    if not math.isfinite(epoch):
        return None
    return max(epoch - clock.now().timestamp(), 0.0)
