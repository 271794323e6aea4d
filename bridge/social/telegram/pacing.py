"""Telegram's flood limit per chat: about one message per second (Bot API FAQ). Sending
faster earns a 429 with ``retry_after``, so a reply to a chat the bot wrote to less than a
second ago is refused before any request, as a ``TransientError(retry_after=1)``. The
limit is each bot's: chats are keyed ``(bot id, chat id)``. In this process only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.errors import TransientError

CHAT_INTERVAL = timedelta(seconds=1)
_CHATS_LIMIT = 10_000

Chat = tuple[str, str]  # (bot id, chat id)


class ChatPacer:
    """When each chat last had a message from us."""

    def __init__(self) -> None:
        self._last_sent: dict[Chat, datetime] = {}

    def check(self, chat: Chat, now: datetime) -> None:
        """``TransientError`` when ``chat`` had a message less than a second before ``now``."""
        last = self._last_sent.get(chat)
        if last is not None and timedelta(0) <= now - last < CHAT_INTERVAL:
            raise TransientError(
                f"not sent yet: Telegram allows about one message per second per chat, and "
                f"chat {chat[1]} had one {(now - last).total_seconds():.2f} s ago",
                retry_after=1.0)
        if len(self._last_sent) > _CHATS_LIMIT:  # forget chats that are at ease again
            self._last_sent = {c: t for c, t in self._last_sent.items()
                               if timedelta(0) <= now - t < CHAT_INTERVAL}

    def sent(self, chat: Chat, now: datetime) -> None:
        self._last_sent[chat] = now
