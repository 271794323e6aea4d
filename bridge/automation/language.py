"""The customer's language, for automated texts.

Detection comes in a later issue: ``detect`` is the hook it will fill (return a code such
as ``"fr"`` or ``"pt-br"``). Until then a language is only known when something upstream
stored one on the inbox row (``InboxMessage.language``); the conversation remembers the
latest one, and texts fall back to ``[automation] language`` (default English).
"""

from __future__ import annotations

from bridge.domain import InboundMessage
from bridge.models import Conversation, InboxMessage


def detect(message: InboundMessage) -> str | None:
    """The language of ``message``, or ``None`` when unknown (no detector yet)."""
    return None


def remember(row: InboxMessage, conv: Conversation, message: InboundMessage) -> None:
    """Store the message's language on its row and, when known, on the conversation."""
    found = row.language or detect(message)
    if found:
        row.language = found.strip().lower()
        conv.language = row.language
