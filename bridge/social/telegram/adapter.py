"""Telegram as a ``SocialChannel``: parse bot updates, name senders, send replies.

One conversation per chat (private chat, group or supergroup): the thread key is
``("telegram", bot id, chat id)``, the bot id being the digits before the colon of the token.
Telegram has no messaging window, so ``send`` never raises ``WindowClosed``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError

from bridge import accounts, clock, rendering
from bridge.config import Settings, get_settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import (
    BridgeError,
    ConfigError,
    PayloadError,
    PermanentError,
    TransientError,
)
from bridge.social.base import first_error
from bridge.social.telegram import buttons, mapping, uploads
from bridge.social.telegram.client import BotClient, ConversationRefused
from bridge.social.telegram.mapping import file_id_from_url
from bridge.social.telegram.payloads import Message, Update

log = structlog.get_logger(__name__)

_ReplyKey = tuple[str, str, str, tuple[str, ...]]  # chat, reference, text, attachment URLs
CHAT_INTERVAL = timedelta(seconds=1)  # Telegram: about one message per second per chat
_UNFINISHED_LIMIT = 256
_PACED_CHATS_LIMIT = 10_000


@dataclass(frozen=True)
class _Sent:
    """What became of one attached file: a message, or a note naming it."""

    key: str | None = None
    note: str | None = None


@dataclass
class _Progress:
    """The messages and notes of a reply so far; each done step added exactly one."""

    ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.ids) + len(self.notes)

    def add(self, sent: _Sent) -> None:
        if sent.key is not None:
            self.ids.append(sent.key)
        else:
            self.notes.append(sent.note or "attachment not sent")


class TelegramChannel:
    """One Telegram bot: account id = bot id, thread id = chat id."""

    kind = "telegram"
    sends_attachments = True  # photos, video, audio and documents; refused ones in the note

    def __init__(self, settings: Settings, client: BotClient | None = None) -> None:
        self._settings = settings
        self._settings = settings
        self.bot_id = mapping.bot_id_from_token(settings.TELEGRAM_BOT_TOKEN)
        # Handed a client, or built on settings of its own (a test, a tool): that one bot.
        # The registry's adapter (the process's settings) finds each thread's own bot.
        own = client is not None or settings is not get_settings()
        self._client = (client or BotClient.from_settings(settings)) if own else None
        self._clients: dict[str, BotClient] = {}
        self._last_sent: dict[tuple[str, str], datetime] = {}  # by (bot, chat)
        # Progress of replies that failed midway, by (chat, reference, text, files).
        self._unfinished: OrderedDict[_ReplyKey, _Progress] = OrderedDict()

    def parse(self, payload: Mapping[str, object], bot_id: str | None = None) -> ParsedWebhook:
        """The inbox row of one update to ``bot_id`` (the bot whose secret the webhook
        carried; the settings' bot by default), or the reason it is ignored.

        A message; an edit of one (``kind="edit"``, keyed ``edit:<chat>:<id>:<edit_date>``,
        ``refers_to`` the original: the core notes it on the ticket); a tap on one of our
        inline buttons (``callback_query``: ``InboundMessage.quick_reply``, ``buttons``).
        A live location moving is ignored as ``"live_location"``; channel posts, reactions,
        membership changes and the other kinds under their own name; an update with no kind
        is ``"empty_update"``, an unknown kind ``"unknown_update"``.
        """
        bot = bot_id or self.bot_id
        update = self._update(payload, bot)
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
            outcome = self._read(update.message, bot)
        elif kinds[0] == "edited_message" and _edit_reason(update) == "edited":
            assert update.edited_message is not None
            outcome = self._edit(update.edited_message, bot)
        elif kinds[0] == "callback_query" and update.callback_query is not None:
            outcome = buttons.answer(update.callback_query, bot, clock.now())
        else:
            outcome = _edit_reason(update) or kinds[0]
        if isinstance(outcome, str):
            return ParsedWebhook(ignored=(outcome,))
        return ParsedWebhook(messages=(outcome,))

    def profile(self, message: InboundMessage) -> Sender:
        """Telegram puts the sender's names in every update: the sender as parsed.

        (A bot can only look users up with ``getChat`` after they wrote; the update has
        the same names, so no call is made.)
        """
        return message.sender

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Send ``message.text`` as one or more Telegram messages, then each of the agent's
        files as a message of its own (``uploads``), in order.

        ``message.reference`` naming a message of this chat (``"{chat}:{id}"`` or a bare id)
        makes the first message a reply to it. A send to a chat the bot wrote to less than a
        second ago is refused with ``TransientError(retry_after=1)`` before any request; the
        messages of one reply go out back to back. When a reply fails midway, the messages
        already delivered are remembered (in this process) so that the retry sends only the
        rest. A file Telegram refuses, or that cannot be downloaded, is named in the note
        instead (the reply fails only when nothing at all could be sent).
        """
        chat = message.thread.thread_id
        self._check_thread(message.thread)
        client = self._client_for(message.thread)
        markup = buttons.keyboard(message.quick_replies)
        text = (message.text if markup is not None
                else mapping.with_buttons(message.text, message.quick_replies))
        parts = mapping.split_text(text)
        files = message.attachment_urls
        if not parts and not files:
            raise PermanentError("not sent: the reply has no text")
        paced = (message.thread.account_id, chat)  # the limit is each bot's, per chat
        self._pace(paced, now)
        key = (chat, message.reference or "", text, files)
        progress = (self._unfinished.pop(key, None) if message.reference else None) or _Progress()
        reply_to = mapping.reply_to(message.reference, chat)
        total = len(parts) + len(files)
        markup_at = len(parts) - 1 if parts else total - 1  # under the last text, else file
        while progress.done < total:
            step = progress.done
            body: dict[str, Any] = {"chat_id": _chat_id(chat)}
            if reply_to is not None and step == 0:
                body["reply_parameters"] = {"message_id": reply_to,
                                            "allow_sending_without_reply": True}
            if markup is not None and step == markup_at:
                body["reply_markup"] = markup
            try:
                if step < len(parts):
                    progress.ids.append(self._send_text(client, body, parts[step]))
                else:
                    progress.add(self._send_file(client, body, files[step - len(parts)]))
            except TransientError as exc:
                if not progress.done:
                    raise
                self._remember(key, progress, total, message.reference)
                raise TransientError(_partly(exc, progress.done, total),
                                     exc.retry_after) from exc
            except PermanentError:
                if progress.done:
                    log.warning("telegram_reply_partly_sent", sent=progress.done, parts=total)
                raise
            self._last_sent[paced] = now
        return _result(progress, len(parts))

    def _send_text(self, client: BotClient, body: dict[str, Any], text: str) -> str:
        result = client.send_message({**body, "text": text})
        return mapping.message_key(body["chat_id"], result["message_id"])

    def _send_file(self, client: BotClient, body: dict[str, Any], url: str) -> _Sent:
        """One attached file: its message key, or a note naming it when Telegram refuses it
        or it cannot be downloaded. Refusals of the whole conversation still raise."""
        outgoing = uploads.plan(url)
        try:
            if outgoing.upload:
                upload = uploads.download(outgoing, self._settings.BRIDGE_HTTP_TIMEOUT)
                result = client.send_file(outgoing.method, body, upload)
            else:
                result = client.send_file(outgoing.method, {**body, outgoing.field: url})
        except ConversationRefused:
            raise
        except PermanentError as exc:
            log.info("telegram_attachment_not_sent", file=outgoing.name, error=str(exc))
            return _Sent(note=f"attachment not sent: {outgoing.name} ({exc})")
        return _Sent(key=mapping.message_key(body["chat_id"], result["message_id"]))

    def acknowledge(self, message: InboundMessage) -> None:
        """Stop the progress bar Telegram shows under a tapped button until the bot answers
        (``answerCallbackQuery``). Best effort, from the worker: a failure (the query is
        older than Telegram keeps it, the API is down) changes nothing for the answer."""
        query = buttons.query_id(message)
        if query is None:
            return
        try:
            self._client_for(message.thread).call("answerCallbackQuery",
                                              {"callback_query_id": query})
        except BridgeError as exc:
            log.info("telegram_callback_not_answered", query=query, error=str(exc))

    def fetch_attachment(self, url: str, thread: ThreadKey | None = None
                         ) -> tuple[str, bytes] | None:
        """A ``rendering.Fetcher``: resolves ``telegram-file:`` references (the stored URL
        never carries the token) with the bot of ``thread`` (file ids are per bot) and
        downloads; ``None`` when the file cannot be had."""
        file_id = file_id_from_url(url)
        if file_id is None:
            return rendering.fetch(url)
        try:
            return rendering.fetch(self.resolve_file(file_id, thread))
        except PermanentError:
            return None

    def resolve_file(self, file_id: str, thread: ThreadKey | None = None) -> str:
        """The download URL of a ``telegram-file:<file_id>`` attachment (``getFile``).

        The URL contains the bot token and is valid for at least an hour: fetch it at once,
        never store or log it. Raises ``PermanentError`` (unknown file, or over the 20 MB
        a bot may download) or ``TransientError``.
        """
        client = self._file_client(thread)
        found = client.get_file(file_id)
        path = found.get("file_path")
        if not isinstance(path, str) or not path:
            raise PermanentError(f"Telegram gave no file_path for file {file_id}")
        return client.file_url(path)

    def _client_for(self, thread: ThreadKey) -> BotClient:
        """The client of the thread's own bot, with that bot's token only (one per bot);
        ``PermanentError`` when the bot is not one of our accounts."""
        if self._client is not None:
            return self._client
        account = accounts.find(thread.channel, thread.account_id)
        if account is None:
            raise PermanentError(accounts.missing(thread.channel, thread.account_id))
        if account.id not in self._clients:
            self._clients[account.id] = BotClient.from_settings(
                self._settings, account.get("bot_token"))
        return self._clients[account.id]

    def _file_client(self, thread: ThreadKey | None) -> BotClient:
        """The bot a file arrived on; without a thread, the only bot (with several, whose
        file it is cannot be guessed)."""
        if thread is not None or self._client is not None:
            return self._client_for(thread or ThreadKey(self.kind, self.bot_id, ""))
        bots = accounts.accounts("telegram")
        if len(bots) != 1:
            raise PermanentError(f"a Telegram file without its bot: with {len(bots)} bots "
                                 "configured, none is guessed")
        return self._client_for(ThreadKey(self.kind, bots[0].id, ""))

    # ---- helpers ---------------------------------------------------------------------

    def _update(self, payload: Mapping[str, object], bot: str) -> Update:
        if not bot:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not configured as <bot id>:<secret>")
        try:
            return Update.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(f"not a Telegram update: {first_error(exc)}") from exc

    def _read(self, message: Message, bot: str) -> InboundMessage | str:
        reason = self._skip_reason(message, bot)
        if reason is not None:
            return reason
        thread = ThreadKey(self.kind, bot, str(message.chat.id))
        return InboundMessage(
            thread=thread,
            message_id=mapping.message_key(thread.thread_id, message.message_id),
            sender=mapping.sender_of(message),
            sent_at=mapping.sent_at(message.date),
            text=mapping.text_of(message),
            attachments=mapping.attachments_of(message),
        )

    def _edit(self, edited: Message, bot: str) -> InboundMessage | str:
        """The customer's edit: the message as it reads now, referring to the original."""
        found = self._read(edited, bot)
        if isinstance(found, str):
            return found
        edited_at = edited.edit_date or edited.date
        return replace(found, message_id=f"edit:{found.message_id}:{edited_at}",
                       sent_at=mapping.sent_at(edited_at), kind="edit",
                       refers_to=found.message_id)

    def _skip_reason(self, message: Message, bot: str) -> str | None:
        sender = message.from_
        if sender is not None and sender.is_bot and str(sender.id) == bot:
            return "own"
        if message.is_automatic_forward:
            return "automatic_forward"  # a channel post copied into its discussion group
        if message.keys() & mapping.SERVICE_KEYS:
            return "service"
        return None

    def _check_thread(self, thread: ThreadKey) -> None:
        if thread.channel != self.kind:
            raise PermanentError(f"not a Telegram thread: {thread.channel}")
        if self._client is not None and thread.account_id and thread.account_id != self.bot_id:
            raise PermanentError(f"not sent: the thread belongs to bot {thread.account_id}, "
                                 f"this adapter is bot {self.bot_id or '(not configured)'}")

    def _pace(self, paced: tuple[str, str], now: datetime) -> None:
        last = self._last_sent.get(paced)
        if last is not None and timedelta(0) <= now - last < CHAT_INTERVAL:
            raise TransientError(
                f"not sent yet: Telegram allows about one message per second per chat, and "
                f"chat {paced[1]} had one {(now - last).total_seconds():.2f} s ago",
                retry_after=1.0)
        if len(self._last_sent) > _PACED_CHATS_LIMIT:  # forget chats that are at ease again
            self._last_sent = {c: t for c, t in self._last_sent.items()
                               if timedelta(0) <= now - t < CHAT_INTERVAL}

    def _remember(self, key: _ReplyKey, progress: _Progress, total: int,
                  reference: str | None) -> None:
        log.warning("telegram_reply_partly_sent", sent=progress.done, parts=total)
        if not reference:
            return  # without a reference a retry cannot be told from another reply
        self._unfinished[key] = progress
        while len(self._unfinished) > _UNFINISHED_LIMIT:
            self._unfinished.popitem(last=False)


def _edit_reason(update: Update) -> str | None:
    """Edits are ``"edited"``, except a live location moving (a stream of edits)."""
    edited = update.edited_message
    if edited is None:
        return None
    return "live_location" if edited.location is not None else "edited"


def _chat_id(chat: str) -> int | str:
    """Chat ids are integers; ``@channelusername`` stays a string."""
    try:
        return int(chat)
    except ValueError:
        return chat


def _partly(exc: TransientError, done: int, total: int) -> str:
    return f"{exc} ({done} of {total} parts sent; the retry sends the rest)"


def _result(progress: _Progress, parts: int) -> SendResult:
    """The sent messages and the note; a reply of which nothing went out is a failure."""
    notes = [note for note in (_note(parts), *progress.notes) if note]
    if not progress.ids:
        raise PermanentError("not sent: " + "; ".join(notes))
    return SendResult(tuple(progress.ids), "; ".join(notes) or None)


def _note(parts: int) -> str | None:
    if parts > 1:
        return f"split into {parts} messages (Telegram allows 4096 characters each)"
    return None


