"""Durations as operators write them ("90m", "4h", "3d", "1h30m") and as notes show them."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` to a timedelta; units d, h, m, s in that order. A day is always 24 h.

    Raises ``ValueError`` for anything else (empty, signs, unknown units).
    """
    found = _DURATION.fullmatch(text.strip())
    if not text.strip() or found is None:
        raise ValueError(f"{text!r} is not a duration like 90m, 4h, 3d")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_offset(text: str) -> timedelta:
    """A signed duration, ``"+1h"`` or ``"-30m"`` (the sign is required)."""
    text = text.strip()
    if text[:1] not in ("+", "-"):
        raise ValueError(f"{text!r} is not an offset like +1h or -30m")
    size = parse_duration(text[1:])
    return -size if text[0] == "-" else size


def format_duration(value: timedelta) -> str:
    """Compact text for notes and labels: ``1d2h``, ``45m``, ``-1h5m``; ``0m`` for zero.

    Whole seconds only (microseconds are dropped).
    """
    total = int(abs(value).total_seconds())
    parts = []
    for unit, size in _UNITS:
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    text = "".join(parts) or "0m"
    return f"-{text}" if value < timedelta(0) and parts else text


def format_offset(value: timedelta) -> str:
    """``+1h`` / ``-30m``: the label of an offset step."""
    text = format_duration(value)
    return text if text.startswith("-") else f"+{text}"
