"""The customer's language, for automated texts.

``detect`` is lingua's answer for the message's text (``bridge.rules.language``: ``None``
when the text is too short or the detector unsure). The routing step stores it on the inbox
row when it opens a ticket (``bridge.rules.facts``), so it is detected once; ``remember``
then keeps it on the row and, when known, on the conversation, which remembers the latest
one. Texts fall back to ``[automation] language`` (default English).
"""

from __future__ import annotations

from bridge.domain import InboundMessage
from bridge.models import Conversation, InboxMessage


def detect(message: InboundMessage) -> str | None:
    """The language of ``message`` (ISO 639-1, lower case), or ``None`` when unsure."""
    if not message.text.strip():
        return None
    from bridge.rules.language import detect_language

    return detect_language(message.text)


def remember(row: InboxMessage, conv: Conversation, message: InboundMessage) -> None:
    """Store the message's language on its row and, when known, on the conversation."""
    found = row.language or detect(message)
    if found:
        row.language = found.strip().lower()
        conv.language = row.language
