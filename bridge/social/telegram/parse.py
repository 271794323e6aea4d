"""A Telegram ``Update`` → the customer's message, or the reason it is ignored.

- ``message``: a message; the bot's own are ``own``, a channel post copied into its
  discussion group ``automatic_forward``, chat changes (members, title, pins...) ``service``.
- ``edited_message``: the customer's edit, ``kind="edit"``, keyed
  ``edit:<chat>:<id>:<edit_date>`` and ``refers_to`` the original (the core notes it on the
  ticket); a live location moving is a stream of edits, ignored as ``live_location``.
- ``callback_query``: a tap on one of our inline buttons (``buttons``).
- channel posts, reactions, membership changes and the other kinds: ignored under their
  own name; an update with no kind is ``empty_update``, an unknown kind ``unknown_update``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pydantic import ValidationError

from bridge import clock
from bridge.domain import InboundMessage, ParsedWebhook, ThreadKey
from bridge.errors import ConfigError, PayloadError
from bridge.social.base import first_error
from bridge.social.telegram import buttons, mapping
from bridge.social.telegram.payloads import Message, Update

CHANNEL = "telegram"


def parse_webhook(payload: Mapping[str, object], bot: str) -> ParsedWebhook:
    """The inbox row of one update to ``bot`` (a bot id), or the reason it is ignored.
    Raises ``PayloadError`` for a body of the wrong shape."""
    update = _update(payload, bot)
    kinds = update.kinds()
    if not kinds:
        return ParsedWebhook(ignored=("unknown_update" if update.other_keys()
                                      else "empty_update",))
    if len(kinds) > 1:
        raise PayloadError(f"update holds more than one kind: {', '.join(kinds)}")
    outcome: InboundMessage | str
    if kinds[0] == "message":
        if update.message is None:
            raise PayloadError("update.message is null")
        outcome = _read(update.message, bot)
    elif kinds[0] == "edited_message" and _edit_reason(update) == "edited":
        assert update.edited_message is not None
        outcome = _edit(update.edited_message, bot)
    elif kinds[0] == "callback_query" and update.callback_query is not None:
        outcome = buttons.answer(update.callback_query, bot, clock.now())
    else:
        outcome = _edit_reason(update) or kinds[0]
    if isinstance(outcome, str):
        return ParsedWebhook(ignored=(outcome,))
    return ParsedWebhook(messages=(outcome,))


def _update(payload: Mapping[str, object], bot: str) -> Update:
    if not bot:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not configured as <bot id>:<secret>")
    try:
        return Update.model_validate(payload)
    except ValidationError as exc:
        raise PayloadError(f"not a Telegram update: {first_error(exc)}") from exc


def _read(message: Message, bot: str) -> InboundMessage | str:
    reason = _skip_reason(message, bot)
    if reason is not None:
        return reason
    thread = ThreadKey(CHANNEL, bot, str(message.chat.id))
    return InboundMessage(
        thread=thread,
        message_id=mapping.message_key(thread.thread_id, message.message_id),
        sender=mapping.sender_of(message),
        sent_at=mapping.sent_at(message.date),
        text=mapping.text_of(message),
        attachments=mapping.attachments_of(message),
    )


def _edit(edited: Message, bot: str) -> InboundMessage | str:
    """The customer's edit: the message as it reads now, referring to the original."""
    found = _read(edited, bot)
    if isinstance(found, str):
        return found
    edited_at = edited.edit_date or edited.date
    return replace(found, message_id=f"edit:{found.message_id}:{edited_at}",
                   sent_at=mapping.sent_at(edited_at), kind="edit",
                   refers_to=found.message_id)


def _skip_reason(message: Message, bot: str) -> str | None:
    sender = message.from_
    if sender is not None and sender.is_bot and str(sender.id) == bot:
        return "own"
    if message.is_automatic_forward:
        return "automatic_forward"  # a channel post copied into its discussion group
    if message.keys() & mapping.SERVICE_KEYS:
        return "service"
    return None


def _edit_reason(update: Update) -> str | None:
    """Edits are ``"edited"``, except a live location moving (a stream of edits)."""
    edited = update.edited_message
    if edited is None:
        return None
    return "live_location" if edited.location is not None else "edited"
