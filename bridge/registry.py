"""The one place that knows which adapters exist and builds them from settings."""

from __future__ import annotations

from bridge.config import get_settings
from bridge.errors import ConfigError
from bridge.helpdesk import Helpdesk
from bridge.social.base import SocialChannel

# Meta webhook ``object`` values and the channel kind that parses them.
META_OBJECTS = {"page": "messenger", "whatsapp_business_account": "whatsapp"}

_helpdesks: dict[str, Helpdesk] = {}
_channels: dict[str, SocialChannel] = {}


def helpdesk() -> Helpdesk:
    name = get_settings().BRIDGE_HELPDESK
    if name not in _helpdesks:
        _helpdesks[name] = _build_helpdesk(name)
    return _helpdesks[name]


def _build_helpdesk(name: str) -> Helpdesk:
    if name == "zendesk":
        from bridge.zendesk.adapter import ZendeskHelpdesk

        return ZendeskHelpdesk(get_settings())
    if name == "freshdesk":
        from bridge.freshdesk.adapter import FreshdeskHelpdesk

        return FreshdeskHelpdesk(get_settings())
    raise ConfigError(f"BRIDGE_HELPDESK={name!r}: set it to zendesk or freshdesk")


def channel(kind: str) -> SocialChannel:
    if kind not in _channels:
        _channels[kind] = _build_channel(kind)
    return _channels[kind]


def _build_channel(kind: str) -> SocialChannel:
    if kind == "messenger":
        from bridge.social.messenger.adapter import MessengerChannel

        return MessengerChannel(get_settings())
    if kind == "whatsapp":
        from bridge.social.whatsapp.adapter import WhatsAppChannel

        return WhatsAppChannel(get_settings())
    if kind == "telegram":
        from bridge.social.telegram.adapter import TelegramChannel

        return TelegramChannel(get_settings())
    raise ConfigError(f"no adapter for channel {kind!r}")


def meta_channel(obj: str) -> SocialChannel | None:
    kind = META_OBJECTS.get(obj)
    return channel(kind) if kind else None


def reset() -> None:
    """Forget built adapters (tests change settings)."""
    _helpdesks.clear()
    _channels.clear()
