"""X as a ``SocialChannel``: parse Account Activity bodies, answer on the customer's surface.

Account id = the subscribed account (``for_user_id``, ``X_ACCOUNT_ID`` when set); thread
ids say the surface (``dm:<user>`` or ``tweet:<first post>``, see ``mapping``). A DM
conversation is answered by DM; a public one by reply posts under the customer's latest
post, the parts of a long reply chained under each other so they read as one thread.
X has no messaging window, so ``send`` never raises ``WindowClosed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

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
from bridge.errors import PayloadError, PermanentError, TransientError
from bridge.social.account_clients import AccountClients
from bridge.social.button_lines import with_buttons
from bridge.social.unfinished import Unfinished, partly_sent
from bridge.social.x import limits, mapping
from bridge.social.x.client import XClient, is_signed_media
from bridge.social.x.parse import parse_webhook
from bridge.social.x.threads import latest_customer_post

log = structlog.get_logger(__name__)

LatestPost = Callable[[ThreadKey], str | None]
_MEDIA_UNGUESSED = "X media without its account: with {} accounts configured, none is guessed"


class XChannel:
    """One X account: DMs and public posts, sent with its OAuth 1.0a user tokens."""

    kind = "x"
    sends_attachments = True  # names the files it cannot send in its own note

    def __init__(self, settings: Settings, client: XClient | None = None,
                 latest_post: LatestPost | None = None) -> None:
        self._settings = settings
        self._account = settings.X_ACCOUNT_ID
        self._clients = AccountClients(settings, XClient.from_settings, _keys, client)
        self._latest_post = latest_post or latest_customer_post
        # Parts already delivered, by (thread, reference, text).
        self._unfinished: Unfinished[tuple[str, str, str], list[str]] = Unfinished()

    def parse(self, payload: Mapping[str, object]) -> ParsedWebhook:
        """Messages and ignore reasons of one Account Activity body (see ``parse``). With
        accounts from ``bridge.accounts``, every ``for_user_id`` is read: the webhook
        drops what is addressed to an account we do not have."""
        return parse_webhook(payload, self._account if self._clients.only is not None else "")

    def profile(self, message: InboundMessage) -> Sender:
        """X puts the sender's name, handle and follower count in every event: no call."""
        return message.sender

    def send(
        self, message: OutboundMessage, last_customer_at: datetime | None, now: datetime
    ) -> SendResult:
        """Send ``message.text`` as DMs or reply posts, in order.

        When a reply fails midway, the parts already delivered are remembered (in this
        process) so that the retry sends only the rest (X would refuse a repeated post
        as a duplicate). Attachments cannot go: the result's note says which.
        """
        thread = message.thread
        self._check_thread(thread)
        client = self._clients.for_thread(thread)
        text = with_buttons(message.text, message.quick_replies)
        dm = mapping.is_dm_thread(thread.thread_id)
        parts = limits.split_dm(text) if dm else limits.split_post(text)
        if not parts:
            raise PermanentError("not sent: the reply has no text" + _unsent(message))
        key = (thread.thread_id, message.reference or "", text)
        sent = self._unfinished.take(key, message.reference) or []
        target = mapping.thread_target(thread.thread_id)
        for part in parts[len(sent):]:
            try:
                sent.append(self._send_part(client, thread, dm, target, part, sent))
            except TransientError as exc:
                if not sent:
                    raise
                log.warning("x_reply_partly_sent", sent=len(sent), parts=len(parts))
                self._unfinished.keep(key, sent, message.reference)
                raise partly_sent(exc, len(sent), len(parts)) from exc
            except PermanentError:
                if sent:
                    log.warning("x_reply_partly_sent", sent=len(sent), parts=len(parts))
                raise
        return SendResult(tuple(sent), _note(dm, len(parts), message.attachment_urls))

    def fetch_attachment(self, url: str, thread: ThreadKey | None = None
                         ) -> tuple[str, bytes] | None:
        """A ``rendering.Fetcher``: DM media needs a request signed by the account of
        ``thread``; the rest is public."""
        if not is_signed_media(url):
            return rendering.fetch(url)
        try:
            return self._clients.for_file(thread, self.kind, _MEDIA_UNGUESSED).download(url)
        except PermanentError as exc:
            log.info("x_media_unavailable", error=str(exc))
            return None

    # ---- helpers ---------------------------------------------------------------------

    def _send_part(self, client: XClient, thread: ThreadKey, dm: bool, target: str,
                   part: str, sent: list[str]) -> str:
        if dm:
            return client.send_dm(target, part)
        reply_to = sent[-1] if sent else (self._latest_post(thread) or target)
        return client.create_post(part, reply_to)

    def _check_thread(self, thread: ThreadKey) -> None:
        if thread.channel != self.kind:
            raise PermanentError(f"not an X thread: {thread.channel}")
        if (self._clients.only is not None and self._account and thread.account_id
                and thread.account_id != self._account):
            raise PermanentError(f"not sent: the thread belongs to X account "
                                 f"{thread.account_id}, this bridge sends as {self._account}")
        try:
            mapping.thread_target(thread.thread_id)
        except PayloadError as exc:
            raise PermanentError(f"not sent: {exc}") from exc


def _keys(account: Account) -> Mapping[str, str]:
    """An account's four OAuth 1.0a keys (``XClient.from_settings``)."""
    return account.secrets


def _note(dm: bool, parts: int, attachments: tuple[str, ...]) -> str | None:
    notes = []
    if parts > 1 and dm:
        notes.append(f"split into {parts} DMs (X allows {limits.DM_LIMIT:,} characters each)")
    elif parts > 1:
        notes.append(f"split into {parts} numbered reply posts (X allows {limits.POST_LIMIT} "
                     "characters each; links count 23, CJK and emoji 2)")
    if attachments:
        notes.append(_unsent_files(attachments))
    return "; ".join(notes) or None


def _unsent(message: OutboundMessage) -> str:
    return f"; {_unsent_files(message.attachment_urls)}" if message.attachment_urls else ""


def _unsent_files(urls: tuple[str, ...]) -> str:
    return (f"{len(urls)} attachment{'s' if len(urls) != 1 else ''} not sent (the bridge "
            f"sends text only on X): " + ", ".join(urls))
