"""One API client per account, for the adapters: a thread is only ever answered with the
credentials of its own account (``bridge.accounts``), never another's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from bridge import accounts
from bridge.accounts import Account
from bridge.config import Settings, get_settings
from bridge.domain import ThreadKey
from bridge.errors import PermanentError

C = TypeVar("C")
K = TypeVar("K")


def access_token(account: Account) -> str:
    """The credential of a Meta account (a page, an Instagram account, a WhatsApp number)."""
    return account.get("access_token")


class AccountClients(Generic[C, K]):
    """An adapter's clients: the thread's own account's (one per account, built by
    ``build(settings, credentials(account))``), or one client for everything (``only``)
    when the adapter was handed one or built on settings of its own (a test, a tool). The
    registry's adapter (the process's settings) finds each thread's own account."""

    def __init__(self, settings: Settings, build: Callable[[Settings, K | None], C],
                 credentials: Callable[[Account], K], client: C | None = None) -> None:
        self._settings = settings
        self._build = build
        self._credentials = credentials
        own = client is not None or settings is not get_settings()
        self.only: C | None = (client or build(settings, None)) if own else None
        self._clients: dict[str, C] = {}

    def for_thread(self, thread: ThreadKey) -> C:
        """``PermanentError`` when the thread's account is not one of ours."""
        if self.only is not None:
            return self.only
        account = accounts.find(thread.channel, thread.account_id)
        if account is None:
            raise PermanentError(accounts.missing(thread.channel, thread.account_id))
        if account.id not in self._clients:
            self._clients[account.id] = self._build(self._settings, self._credentials(account))
        return self._clients[account.id]

    def for_file(self, thread: ThreadKey | None, kind: str, unguessed: str) -> C:
        """The client of the account a file arrived on (``thread``); without one, the
        platform's only account. File ids and media URLs only open to their own account's
        credentials, so with several accounts none is guessed: ``PermanentError`` with
        ``unguessed`` formatted with their number."""
        if self.only is not None:
            return self.only
        if thread is None:
            found = accounts.accounts(accounts.PLATFORM_OF.get(kind, kind))
            if len(found) != 1:
                raise PermanentError(unguessed.format(len(found)))
            thread = ThreadKey(kind, found[0].id, "")
        return self.for_thread(thread)
