"""Quick replies (the bridge's own buttons, e.g. the CSAT question) as WhatsApp messages.

The Cloud API's limits (``InteractiveObject`` / ``ActionObject`` in the v23.0 spec):

- reply buttons: at most 3, titles of at most 20 characters, unique, ids up to 256;
- a list message: one button (label up to 20) opening up to 10 rows, row titles up to 24
  characters, descriptions up to 72, ids up to 200;
- the interactive body text is at most 1024 characters (the adapter splits before it).

So: up to three short titles become reply buttons; otherwise up to ten become a list (a row
title longer than 24 characters is cut, and the whole title is the row's description);
otherwise, or when an id would not come back intact, the titles are lines of the text. A tap
comes back as ``interactive.button_reply`` / ``list_reply`` with the id
(``mapping.content`` reads it as ``InboundMessage.quick_reply``).
"""

from __future__ import annotations

from typing import Any, Literal

from bridge.social.whatsapp.mapping import recipient

BUTTON_LIMIT, BUTTON_TITLE, BUTTON_ID = 3, 20, 256
ROW_LIMIT, ROW_TITLE, ROW_DESCRIPTION, ROW_ID = 10, 24, 72, 200
LIST_BUTTON = "Choose"  # the label of the button that opens the list (at most 20)
ELLIPSIS = "…"

Choices = tuple[tuple[str, str], ...]  # (title, payload)
Kind = Literal["buttons", "list", "lines"]


def kind_of(choices: Choices) -> Kind | None:
    """How these quick replies go out; ``None`` when there are none."""
    if not choices:
        return None
    titles = [title.strip() for title, _ in choices]
    ids_fit = all(payload and len(payload) <= ROW_ID for _, payload in choices)
    if (len(choices) <= BUTTON_LIMIT and all(0 < len(t) <= BUTTON_TITLE for t in titles)
            and len(set(titles)) == len(titles)
            and all(payload and len(payload) <= BUTTON_ID for _, payload in choices)):
        return "buttons"
    if len(choices) <= ROW_LIMIT and ids_fit:
        return "list"
    return "lines"


def as_lines(text: str, choices: Choices) -> str:
    """The titles under the text, one per line (no room for buttons)."""
    titles = [title.strip() or payload for title, payload in choices]
    return "\n".join([text, "", *titles]) if text else "\n".join(titles)


def body(thread_id: str, text: str, choices: Choices, kind: Kind) -> dict[str, Any]:
    """The interactive message: ``text`` above the buttons or the list."""
    kind_name, to = recipient(thread_id)
    if kind == "buttons":
        interactive: dict[str, Any] = {
            "type": "button", "body": {"text": text},
            "action": {"buttons": [{"type": "reply", "reply": {"id": payload,
                                                                "title": title.strip()}}
                                   for title, payload in choices]}}
    else:
        interactive = {"type": "list", "body": {"text": text},
                       "action": {"button": LIST_BUTTON,
                                  "sections": [{"rows": [_row(t, p) for t, p in choices]}]}}
    return {"messaging_product": "whatsapp", "recipient_type": kind_name, "to": to,
            "type": "interactive", "interactive": interactive}


def _row(title: str, payload: str) -> dict[str, str]:
    title = title.strip() or payload
    row = {"id": payload, "title": _cut(title, ROW_TITLE)}
    if len(title) > ROW_TITLE:
        row["description"] = _cut(title, ROW_DESCRIPTION)
    return row


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + ELLIPSIS
