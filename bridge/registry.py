"""The one place that knows which adapters exist and builds them from settings."""

from __future__ import annotations

from functools import lru_cache

from bridge.config import get_settings
from bridge.errors import ConfigError
from bridge.helpdesk import Helpdesk
from bridge.social.base import SocialChannel

# Meta webhook ``object`` values and the channel kind that parses them.
META_OBJECTS = {"page": "messenger"}


@lru_cache(maxsize=1)
def helpdesk() -> Helpdesk:
    settings = get_settings()
    if settings.BRIDGE_HELPDESK == "zendesk":
        from bridge.zendesk.adapter import ZendeskHelpdesk

        return ZendeskHelpdesk(settings)
    raise ConfigError(f"BRIDGE_HELPDESK={settings.BRIDGE_HELPDESK!r} is not a helpdesk we support")


@lru_cache(maxsize=None)
def channel(kind: str) -> SocialChannel:
    settings = get_settings()
    if kind == "messenger":
        from bridge.social.messenger.adapter import MessengerChannel

        return MessengerChannel(settings)
    raise ConfigError(f"no adapter for channel {kind!r}")


def meta_channel(obj: str) -> SocialChannel | None:
    kind = META_OBJECTS.get(obj)
    return channel(kind) if kind else None


def reset() -> None:
    """Forget built adapters (tests change settings)."""
    helpdesk.cache_clear()
    channel.cache_clear()
