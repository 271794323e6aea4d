"""Replies that failed midway on platforms with no idempotency key (X, Telegram): what was
already delivered, remembered in this process so that the retry sends only the rest.

Only a reply with a reference (the pipeline's delivery id) is remembered: without one a
retry cannot be told from another reply with the same text. The oldest are forgotten
past ``LIMIT``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from bridge.errors import TransientError

LIMIT = 256

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Unfinished(Generic[K, V]):
    """What was delivered of each unfinished reply, by key."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()

    def take(self, key: K, reference: str | None) -> V | None:
        """What an earlier attempt of this reply delivered (and forget it), if anything."""
        return self._items.pop(key, None) if reference else None

    def keep(self, key: K, delivered: V, reference: str | None) -> None:
        if not reference:
            return
        self._items[key] = delivered
        while len(self._items) > self._limit:
            self._items.popitem(last=False)


def partly_sent(exc: TransientError, done: int, total: int) -> TransientError:
    """``exc`` again, saying how much of the reply is out (raise it ``from exc``)."""
    return TransientError(f"{exc} ({done} of {total} parts sent; the retry sends the rest)",
                          exc.retry_after)
