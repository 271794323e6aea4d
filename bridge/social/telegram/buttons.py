"""Quick replies (the bridge's own buttons, e.g. the CSAT question) as a Telegram inline
keyboard, and a tap on one (a ``callback_query`` update) as the customer's answer.

Bot API rules: an ``InlineKeyboardButton`` has a ``text`` and ``callback_data`` of 1 to 64
bytes. Each button gets its own row (titles stay readable on a phone). When a payload does
not fit 64 bytes it could not come back intact, so the titles go as lines of the text
instead (``bridge.social.button_lines``), as they did before keyboards.

A tap arrives as ``callback_query`` with ``data`` and the bot's message the keyboard was
under, whose keyboard names the button tapped (its title is the answer's text). The query
has no date: the time it is received stands for it. Its id keys the inbox row
(``callback:<id>``), so a redelivered update is stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bridge.domain import InboundMessage, ThreadKey
from bridge.social.telegram import mapping
from bridge.social.telegram.payloads import CallbackQuery, Message

CALLBACK_DATA_LIMIT = 64  # bytes
QUERY_PREFIX = "callback:"

Choices = tuple[tuple[str, str], ...]  # (title, payload)


def keyboard(choices: Choices) -> dict[str, Any] | None:
    """``reply_markup`` for the last part of a reply; ``None`` when there are no quick
    replies or one of them cannot be a button."""
    if not choices or not all(_fits(payload) for _, payload in choices):
        return None
    rows = [[{"text": title.strip() or payload, "callback_data": payload}]
            for title, payload in choices]
    return {"inline_keyboard": rows}


def _fits(payload: str) -> bool:
    return 0 < len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT


def answer(query: CallbackQuery, bot_id: str, received_at: datetime) -> InboundMessage | str:
    """The customer's answer, or the reason the query is not one."""
    if query.data is None:
        return "callback_game" if query.game_short_name else "callback_without_data"
    chat = query.message.chat.id if query.message is not None else query.from_.id
    return InboundMessage(
        thread=ThreadKey("telegram", bot_id, str(chat)),
        message_id=f"{QUERY_PREFIX}{query.id}",
        sender=mapping.user_sender(query.from_),
        sent_at=received_at,
        text=title_of(query.message, query.data) or query.data,
        quick_reply=query.data,
    )


def title_of(message: Message | None, data: str) -> str | None:
    """The text of the button with ``callback_data == data`` under ``message``."""
    markup = (message.model_extra or {}).get("reply_markup") if message is not None else None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for row in rows if isinstance(rows, list) else ():
        for button in row if isinstance(row, list) else ():
            if isinstance(button, dict) and button.get("callback_data") == data:
                text = button.get("text")
                return text if isinstance(text, str) and text else None
    return None


def query_id(message: InboundMessage) -> str | None:
    """The ``callback_query`` id of a tapped button's inbox row, else ``None``."""
    if message.quick_reply is None or not message.message_id.startswith(QUERY_PREFIX):
        return None
    return message.message_id[len(QUERY_PREFIX):] or None
