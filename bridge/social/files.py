"""What the adapters know of an agent's attachment before sending it: its name.

Helpdesk attachment links name the file in the path (Freshdesk, most URLs) or in a
``name`` query parameter (Zendesk: ``.../attachments/token/abc/?name=photo.jpg``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit


def file_name(url: str) -> str:
    """The file's name: Zendesk's ``name`` parameter, else the last path segment."""
    parts = urlsplit(url)
    named = parse_qs(parts.query).get("name", [])
    if named and named[0].strip():
        return named[0].strip()
    return unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])


def extension(url: str) -> str:
    """The lower-case extension of ``file_name(url)``, without the dot ("" when none)."""
    name = file_name(url)
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
