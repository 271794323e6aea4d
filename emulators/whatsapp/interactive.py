"""Checks of interactive sends the spec's schemas cannot express (``ActionObject`` is a
``oneOf`` the validator skips): reply buttons and list messages, with the documented limits
(WhatsApp Cloud API "Interactive reply buttons" and "Interactive list messages")."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

BUTTON_LIMIT, BUTTON_TITLE, BUTTON_ID = 3, 20, 256
LIST_BUTTON, SECTION_LIMIT, ROW_LIMIT = 20, 10, 10
ROW_TITLE, ROW_DESCRIPTION, ROW_ID = 24, 72, 200


def interactive_problem(interactive: JSON) -> str | None:
    """Meta's complaint about a ``button`` or ``list`` interactive, else ``None``."""
    kind = interactive.get("type")
    if kind not in ("button", "list"):
        return None
    if not isinstance(interactive.get("body"), dict):
        return "The parameter interactive['body'] is required."
    action = interactive.get("action")
    action = action if isinstance(action, dict) else {}
    return _buttons(action) if kind == "button" else _list(action)


def _buttons(action: JSON) -> str | None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 0 < len(buttons) <= BUTTON_LIMIT:
        return f"Param interactive['action']['buttons'] must have 1 to {BUTTON_LIMIT} items."
    titles: set[str] = set()
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict) or button.get("type") != "reply":
            return "Param interactive['action']['buttons'][]['type'] must be 'reply'."
        bid, title = reply.get("id"), reply.get("title")
        if not _text(bid, BUTTON_ID):
            return f"Button id must be a non-empty string of at most {BUTTON_ID} characters."
        if not isinstance(title, str) or not _text(title, BUTTON_TITLE):
            return f"Button title must be a non-empty string of at most {BUTTON_TITLE} chars."
        if title in titles:
            return "Button titles must be unique."
        titles.add(title)
    return None


def _list(action: JSON) -> str | None:
    if not _text(action.get("button"), LIST_BUTTON):
        return f"Param interactive['action']['button'] must be 1 to {LIST_BUTTON} characters."
    sections = action.get("sections")
    if not isinstance(sections, list) or not 0 < len(sections) <= SECTION_LIMIT:
        return f"Param interactive['action']['sections'] must have 1 to {SECTION_LIMIT} items."
    rows = [row for section in sections if isinstance(section, dict)
            for row in section.get("rows") or ()]
    if len(sections) > 1 and not all(isinstance(s, dict) and s.get("title") for s in sections):
        return "Section title is required when a list has more than one section."
    if not 0 < len(rows) <= ROW_LIMIT:
        return f"A list message must have 1 to {ROW_LIMIT} rows in all."
    ids: set[str] = set()
    for row in rows:
        if not isinstance(row, dict) or not _text(row.get("id"), ROW_ID):
            return f"Row id must be a non-empty string of at most {ROW_ID} characters."
        if not _text(row.get("title"), ROW_TITLE):
            return f"Row title must be a non-empty string of at most {ROW_TITLE} characters."
        if "description" in row and not _text(row["description"], ROW_DESCRIPTION):
            return f"Row description must be at most {ROW_DESCRIPTION} characters."
        if row["id"] in ids:
            return "Row ids must be unique."
        ids.add(row["id"])
    return None


def _text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit
