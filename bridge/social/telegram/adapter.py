"""Telegram as a ``SocialChannel``: parse bot updates, name senders, send replies.

One conversation per chat (private chat, group or supergroup): the thread key is
``("telegram", bot id, chat id)``, the bot id being the digits before the colon of the token.
Telegram has no messaging window, so ``send`` never raises ``WindowClosed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from bridge import rendering
from bridge.accounts import Account
from bridge.config import Settings
from bridge.domain import (
    InboundMessage,
    OutboundMessage,
    ParsedWebhook,
    Sender,
    SendResult,
    ThreadKey,
)
from bridge.errors import BridgeError, PermanentError, TransientError
from bridge.social.account_clients import AccountClients
from bridge.social.button_lines import with_buttons
from bridge.social.telegram import buttons, mapping, uploads
from bridge.social.telegram.client import BotClient, ConversationRefused
from bridge.social.telegram.mapping import file_id_from_url
from bridge.social.telegram.pacing import ChatPacer
from bridge.social.telegram.parse import parse_webhook
from bridge.social.unfinished import Unfinished, partly_sent

log = structlog.get_logger(__name__)

_ReplyKey = tuple[str, str, str, tuple[str, ...]]  # chat, reference, text, attachment URLs
_FILE_UNGUESSED = "a Telegram file without its bot: with {} bots configured, none is guessed"


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
        self.bot_id = mapping.bot_id_from_token(settings.TELEGRAM_BOT_TOKEN)
        self._clients = AccountClients(settings, BotClient.from_settings, _bot_token, client)
        self._pacer = ChatPacer()
        self._unfinished: Unfinished[_ReplyKey, _Progress] = Unfinished()

    def parse(self, payload: Mapping[str, object], bot_id: str | None = None) -> ParsedWebhook:
        """The inbox row of one update to ``bot_id`` (the bot whose secret the webhook
        carried; the settings' bot by default), or the reason it is ignored (see ``parse``)."""
        return parse_webhook(payload, bot_id or self.bot_id)

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
        client = self._clients.for_thread(message.thread)
        markup = buttons.keyboard(message.quick_replies)
        text = (message.text if markup is not None
                else with_buttons(message.text, message.quick_replies))
        parts = mapping.split_text(text)
        files = message.attachment_urls
        if not parts and not files:
            raise PermanentError("not sent: the reply has no text")
        paced = (message.thread.account_id, chat)  # the limit is each bot's, per chat
        self._pacer.check(paced, now)
        key = (chat, message.reference or "", text, files)
        progress = self._unfinished.take(key, message.reference) or _Progress()
        reply_to = mapping.reply_to(message.reference, chat)
        total = len(parts) + len(files)
        markup_at = len(parts) - 1 if parts else total - 1  # under the last text, else file
        while progress.done < total:
            step = progress.done
            body: dict[str, Any] = {"chat_id": mapping.chat_id(chat)}
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
                log.warning("telegram_reply_partly_sent", sent=progress.done, parts=total)
                self._unfinished.keep(key, progress, message.reference)
                raise partly_sent(exc, progress.done, total) from exc
            except PermanentError:
                if progress.done:
                    log.warning("telegram_reply_partly_sent", sent=progress.done, parts=total)
                raise
            self._pacer.sent(paced, now)
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
            client = self._clients.for_thread(message.thread)
            client.call("answerCallbackQuery", {"callback_query_id": query})
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
        client = self._clients.for_file(thread, self.kind, _FILE_UNGUESSED)
        found = client.get_file(file_id)
        path = found.get("file_path")
        if not isinstance(path, str) or not path:
            raise PermanentError(f"Telegram gave no file_path for file {file_id}")
        return client.file_url(path)

    def _check_thread(self, thread: ThreadKey) -> None:
        if thread.channel != self.kind:
            raise PermanentError(f"not a Telegram thread: {thread.channel}")
        if (self._clients.only is not None and thread.account_id
                and thread.account_id != self.bot_id):
            raise PermanentError(f"not sent: the thread belongs to bot {thread.account_id}, "
                                 f"this adapter is bot {self.bot_id or '(not configured)'}")


def _bot_token(account: Account) -> str:
    return account.get("bot_token")


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


