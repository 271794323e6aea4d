"""Quick replies as lines of text under a reply, where they cannot be buttons: on X (the v2
DM API has none) and on Telegram when a payload is too long for ``callback_data``."""

from __future__ import annotations


def with_buttons(text: str, buttons: tuple[tuple[str, str], ...]) -> str:
    """``text``, a blank line, then each button's title (its payload when untitled)."""
    titles = [title.strip() or payload for title, payload in buttons]
    lines = "\n".join(t for t in titles if t)
    return f"{text}\n\n{lines}" if text and lines else text or lines
