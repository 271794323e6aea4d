"""Settings from the environment (twelve-factor), validated once at start.

With nothing set, the bridge still starts: SQLite under ``./var/``, an embedded
broker in a SQLite file, and ``missing()`` lists what to configure.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path(os.environ.get("BRIDGE_VAR_DIR", "var"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=True, extra="ignore")

    DATABASE_URL: str = Field(default_factory=lambda: f"sqlite:///{VAR_DIR}/bridge.sqlite3")
    REDIS_URL: str = ""
    BRIDGE_HELPDESK: Literal["zendesk", "freshdesk", ""] = ""
    BRIDGE_ADMIN_TOKEN: str = ""
    BRIDGE_CONFIG: str = ""
    BRIDGE_PUBLIC_URL: str = ""

    ZENDESK_SUBDOMAIN: str = ""
    ZENDESK_EMAIL: str = ""
    ZENDESK_API_TOKEN: str = ""
    ZENDESK_BASE_URL: str = ""
    ZENDESK_WEBHOOK_SECRET: str = ""

    FRESHDESK_DOMAIN: str = ""
    FRESHDESK_API_KEY: str = ""
    FRESHDESK_BASE_URL: str = ""
    FRESHDESK_WEBHOOK_SECRET: str = ""

    META_APP_SECRET: str = ""
    META_APP_ID: str = ""
    META_VERIFY_TOKEN: str = ""
    META_PAGE_ID: str = ""
    META_PAGE_ACCESS_TOKEN: str = ""
    INSTAGRAM_ACCOUNT_ID: str = ""
    WHATSAPP_PHONE_NUMBER_ID: str = ""
    WHATSAPP_ACCESS_TOKEN: str = ""
    # The approved template that asks a customer to write again when an agent's reply is held
    # outside the 24 h window (``bridge.held``); without one such replies are not delivered.
    WHATSAPP_TEMPLATE_NAME: str = ""
    WHATSAPP_TEMPLATE_LANGUAGE: str = "en_US"
    META_GRAPH_BASE_URL: str = "https://graph.facebook.com"
    META_GRAPH_VERSION: str = "v23.0"

    X_CONSUMER_KEY: str = ""
    X_CONSUMER_SECRET: str = ""
    X_ACCESS_TOKEN: str = ""
    X_ACCESS_TOKEN_SECRET: str = ""
    X_ACCOUNT_ID: str = ""
    X_API_BASE_URL: str = "https://api.x.com"

    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_SECRET_TOKEN: str = ""
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org"

    # Tuning, with defaults that suit one small machine.
    BRIDGE_HTTP_TIMEOUT: float = 15.0
    BRIDGE_MAX_ATTEMPTS: int = 8
    BRIDGE_LEASE_SECONDS: int = 120
    BRIDGE_SWEEP_SECONDS: float = 5.0
    BRIDGE_SLA_SWEEP_SECONDS: float = 15.0
    # Languages the detector chooses from: ISO 639-1 codes, comma-separated, or "all"
    # (75 languages, about 1.2 GB of models per process; see bridge/rules/language.py).
    BRIDGE_LANGUAGES: str = "ar,de,en,es,fa,fr,he,hy,it,ja,ko,pt,ru,th,tr,zh"
    # Public to private (``bridge.private_reply``): a comment ticket with this tag is answered
    # privately; the notice goes under the comment; the opener is sent when the tag was on the
    # ticket from its creation (a routing rule's ``take_private``, a helpdesk trigger).
    BRIDGE_PRIVATE_REPLY_TAG: str = "reply_private"
    BRIDGE_PRIVATE_REPLY_NOTICE: str = "We've sent you a private message."
    BRIDGE_PRIVATE_REPLY_OPENER: str = (
        "Hi! We've seen your comment and will continue here in private.")

    @field_validator("BRIDGE_LANGUAGES")
    @classmethod
    def _languages(cls, value: str) -> str:
        from bridge.rules.language import parse_languages

        parse_languages(value)
        return value

    @property
    def zendesk_base_url(self) -> str:
        if self.ZENDESK_BASE_URL:
            return self.ZENDESK_BASE_URL.rstrip("/")
        return f"https://{self.ZENDESK_SUBDOMAIN}.zendesk.com"

    @property
    def broker_url(self) -> str:
        """Redis when configured; otherwise kombu's SQLAlchemy transport on a local file."""
        if self.REDIS_URL:
            return self.REDIS_URL
        return f"sqla+sqlite:///{VAR_DIR}/broker.sqlite3"

    def missing(self) -> list[str]:
        """What an operator still has to set, in words, for the log at start."""
        notes: list[str] = []
        if not self.REDIS_URL:
            notes.append("REDIS_URL unset: using the embedded SQLite broker (one machine only)")
        if self.DATABASE_URL.startswith("sqlite"):
            notes.append("DATABASE_URL unset: using SQLite (set a PostgreSQL URL in production)")
        if not self.BRIDGE_HELPDESK:
            notes.append("BRIDGE_HELPDESK unset: set zendesk or freshdesk")
        if self.BRIDGE_HELPDESK == "zendesk" and not (
            self.ZENDESK_EMAIL and self.ZENDESK_API_TOKEN
            and (self.ZENDESK_SUBDOMAIN or self.ZENDESK_BASE_URL)
        ):
            notes.append("Zendesk: set ZENDESK_SUBDOMAIN, ZENDESK_EMAIL, ZENDESK_API_TOKEN")
        if self.BRIDGE_HELPDESK == "freshdesk" and not (
            self.FRESHDESK_API_KEY and (self.FRESHDESK_DOMAIN or self.FRESHDESK_BASE_URL)
        ):
            notes.append("Freshdesk: set FRESHDESK_DOMAIN and FRESHDESK_API_KEY")
        if self.BRIDGE_HELPDESK == "freshdesk" and not self.FRESHDESK_WEBHOOK_SECRET:
            notes.append("FRESHDESK_WEBHOOK_SECRET unset: /webhooks/freshdesk refuses every POST")
        if not self.META_APP_SECRET:
            notes.append("META_APP_SECRET unset: /webhooks/meta refuses every POST")
        if not self.META_VERIFY_TOKEN:
            notes.append("META_VERIFY_TOKEN unset: the Meta subscription handshake fails")
        if not self.META_PAGE_ACCESS_TOKEN:
            notes.append("META_PAGE_ACCESS_TOKEN unset: replies cannot reach Messenger")
        if self.WHATSAPP_PHONE_NUMBER_ID and not self.WHATSAPP_ACCESS_TOKEN:
            notes.append("WHATSAPP_ACCESS_TOKEN unset: replies cannot reach WhatsApp")
        if self.WHATSAPP_PHONE_NUMBER_ID and not self.WHATSAPP_TEMPLATE_NAME:
            notes.append("WHATSAPP_TEMPLATE_NAME unset: agent replies after WhatsApp's 24-hour "
                         "window are not delivered (set an approved template to hold them and "
                         "ask the customer to write)")
        if self.TELEGRAM_BOT_TOKEN and not self.TELEGRAM_SECRET_TOKEN:
            notes.append("TELEGRAM_SECRET_TOKEN unset: /webhooks/telegram refuses every POST")
        x_unset = [name for name in ("X_CONSUMER_KEY", "X_CONSUMER_SECRET", "X_ACCESS_TOKEN",
                                     "X_ACCESS_TOKEN_SECRET") if not getattr(self, name)]
        if (self.X_ACCOUNT_ID or self.X_CONSUMER_KEY) and x_unset:
            notes.append(f"X: set {', '.join(x_unset)} or replies cannot reach X"
                         + ("; /webhooks/x refuses every POST without X_CONSUMER_SECRET"
                            if "X_CONSUMER_SECRET" in x_unset else ""))
        if not self.BRIDGE_ADMIN_TOKEN:
            notes.append("BRIDGE_ADMIN_TOKEN unset: the admin API is closed")
        return notes


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
