"""Our accounts on each platform and their credentials: one per platform from the
environment, any number more from the TOML file named by ``BRIDGE_CONFIG``.

```toml
[[accounts.messenger]]        # a Facebook page: Messenger and page comments
id = "1234567890"             # the page id
access_token = "EAAB..."      # the page access token

[[accounts.instagram]]        # an Instagram professional account: DMs and comments
id = "17841400000000000"      # the Instagram account id
access_token = "EAAB..."      # the linked page's access token

[[accounts.whatsapp]]
id = "109876543210"           # the phone number id
access_token = "EAAG..."
template_name = "reopen_conversation"   # optional: the held-reply template
template_language = "en_US"

[[accounts.telegram]]
bot_token = "123456:ABC..."   # the account id is the bot id, the token's prefix
secret_token = "..."          # the X-Telegram-Bot-Api-Secret-Token of its webhook

[[accounts.x]]
id = "2244994945"             # the account's user id
consumer_key = "..."
consumer_secret = "..."
access_token = "..."
access_token_secret = "..."
```

A reply is only ever sent with the credentials of the account its thread belongs to:
``find`` never falls back to another account, except that the single environment
account of a platform with no id configured serves that platform's threads (the
one-account setup of earlier versions).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bridge.config import Settings, get_settings
from bridge.errors import ConfigError

# Channel kind → the platform whose accounts serve it.
PLATFORM_OF = {
    "messenger": "messenger", "facebook_comment": "messenger",
    "instagram": "instagram", "instagram_comment": "instagram",
    "whatsapp": "whatsapp", "telegram": "telegram", "x": "x",
}
# Platform → the keys an account may carry (besides ``id``).
KEYS: dict[str, tuple[str, ...]] = {
    "messenger": ("access_token",),
    "instagram": ("access_token",),
    "whatsapp": ("access_token", "template_name", "template_language"),
    "telegram": ("bot_token", "secret_token"),
    "x": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
}
REQUIRED = {"messenger": ("access_token",), "instagram": ("access_token",),
            "whatsapp": ("access_token",), "telegram": ("bot_token", "secret_token"),
            "x": ("consumer_secret",)}


@dataclass(frozen=True)
class Account:
    platform: str
    id: str  # "" only for an environment account whose id was not configured
    secrets: Mapping[str, str] = field(default_factory=dict)
    source: str = "env"

    def get(self, key: str) -> str:
        return self.secrets.get(key, "")


def _env_accounts(s: Settings) -> list[Account]:
    found = [
        Account("messenger", s.META_PAGE_ID, {"access_token": s.META_PAGE_ACCESS_TOKEN}),
        Account("instagram", s.INSTAGRAM_ACCOUNT_ID, {"access_token": s.META_PAGE_ACCESS_TOKEN}),
        Account("whatsapp", s.WHATSAPP_PHONE_NUMBER_ID, {
            "access_token": s.WHATSAPP_ACCESS_TOKEN,
            "template_name": getattr(s, "WHATSAPP_TEMPLATE_NAME", ""),
            "template_language": getattr(s, "WHATSAPP_TEMPLATE_LANGUAGE", "") or "en_US"}),
        Account("telegram", _bot_id(s.TELEGRAM_BOT_TOKEN), {
            "bot_token": s.TELEGRAM_BOT_TOKEN, "secret_token": s.TELEGRAM_SECRET_TOKEN}),
        Account("x", s.X_ACCOUNT_ID, {
            "consumer_key": s.X_CONSUMER_KEY, "consumer_secret": s.X_CONSUMER_SECRET,
            "access_token": s.X_ACCESS_TOKEN, "access_token_secret": s.X_ACCESS_TOKEN_SECRET}),
    ]
    return [a for a in found if a.id or any(a.secrets.get(k) for k in REQUIRED[a.platform])]


def _bot_id(token: str) -> str:
    return token.split(":", 1)[0] if ":" in token else ""


def _toml_accounts(path: str) -> list[Account]:
    if not path:
        return []
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    section = data.get("accounts", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: accounts: expected a table of platforms")
    found: list[Account] = []
    for platform, items in section.items():
        if platform not in KEYS:
            raise ConfigError(f"{path}: accounts.{platform}: unknown platform; expected one "
                              f"of {', '.join(KEYS)}")
        if not isinstance(items, list):
            raise ConfigError(f"{path}: accounts.{platform}: expected [[accounts.{platform}]]")
        for i, item in enumerate(items):
            found.append(_read(path, f"accounts.{platform}[{i}]", platform, item))
    return found


def _read(path: str, where: str, platform: str, item: object) -> Account:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: {where}: expected a table")
    for key, value in item.items():
        if key != "id" and key not in KEYS[platform]:
            raise ConfigError(f"{path}: {where}.{key}: unknown field; expected one of id, "
                              f"{', '.join(KEYS[platform])}")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ConfigError(f"{path}: {where}.{key}: expected a string")
    secrets = {k: str(v) for k, v in item.items() if k != "id"}
    for key in REQUIRED[platform]:
        if not secrets.get(key):
            raise ConfigError(f"{path}: {where}.{key}: required")
    account_id = str(item.get("id", ""))
    if platform == "telegram":
        account_id = account_id or _bot_id(secrets["bot_token"])
    if not account_id:
        raise ConfigError(f"{path}: {where}.id: required")
    return Account(platform, account_id, secrets, source=f"toml:{path}")


@lru_cache(maxsize=1)
def _all() -> tuple[Account, ...]:
    s = get_settings()
    found = _toml_accounts(s.BRIDGE_CONFIG)
    configured = {(a.platform, a.id) for a in found}
    env = [a for a in _env_accounts(s) if (a.platform, a.id) not in configured]
    return tuple(env + found)


def accounts(platform: str) -> tuple[Account, ...]:
    """Every account of a platform (environment first, then the TOML file)."""
    return tuple(a for a in _all() if a.platform == platform)


def find(kind: str, account_id: str) -> Account | None:
    """The account a thread of this channel kind belongs to, or None.

    Never another account's credentials: the only fallback is the environment's
    account without a configured id, when it is the platform's only account.
    """
    platform = PLATFORM_OF.get(kind, kind)
    mine = accounts(platform)
    for account in mine:
        if account.id == account_id:
            return account
    if len(mine) == 1 and mine[0].id == "":
        return mine[0]
    return None


def missing(kind: str, account_id: str) -> str:
    """Why a thread of an account we have no credentials for cannot be answered."""
    platform = PLATFORM_OF.get(kind, kind)
    return (f"no credentials for {kind} account {account_id}: add it to "
            f"[[accounts.{platform}]] in BRIDGE_CONFIG")


def by_secret(platform: str, key: str, value: str) -> Account | None:
    """The account whose secret ``key`` equals ``value`` (Telegram's webhook secret),
    compared in constant time."""
    import hmac

    for account in accounts(platform):
        secret = account.get(key)
        if secret and value and hmac.compare_digest(secret.encode(), value.encode()):
            return account
    return None


def reset() -> None:
    """Forget loaded accounts (tests change settings)."""
    _all.cache_clear()
