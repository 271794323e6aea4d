"""The one place that knows which adapters exist and builds them from settings."""

from __future__ import annotations

import importlib

from bridge import accounts
from bridge.config import get_settings
from bridge.errors import ConfigError
from bridge.helpdesk import Helpdesk
from bridge.social.base import SocialChannel

# Meta webhook ``object`` values and the channel kinds that parse them: a ``page`` body
# carries Messenger ``messaging`` entries and page ``feed`` changes; each channel takes
# the entries it knows and leaves the rest to the others.
META_OBJECTS: dict[str, tuple[str, ...]] = {
    "page": ("messenger", "facebook_comment"),
    "instagram": ("instagram", "instagram_comment"),
    "whatsapp_business_account": ("whatsapp",),
}

# Channel kind → "module:class" of its adapter (built with the settings).
CHANNELS = {
    "messenger": "bridge.social.messenger.adapter:MessengerChannel",
    "facebook_comment": "bridge.social.facebook_comment.adapter:FacebookCommentChannel",
    "instagram": "bridge.social.instagram.adapter:InstagramChannel",
    "instagram_comment": "bridge.social.instagram_comment.adapter:InstagramCommentChannel",
    "whatsapp": "bridge.social.whatsapp.adapter:WhatsAppChannel",
    "telegram": "bridge.social.telegram.adapter:TelegramChannel",
    "x": "bridge.social.x.adapter:XChannel",
}

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
    target = CHANNELS.get(kind)
    if target is None:
        raise ConfigError(f"no adapter for channel {kind!r}")
    module, cls = target.split(":")
    built: SocialChannel = getattr(importlib.import_module(module), cls)(get_settings())
    return built


def meta_channels(obj: str) -> list[SocialChannel]:
    """The channels that parse a Meta webhook body with this ``object`` (none: ignored)."""
    return [channel(kind) for kind in META_OBJECTS.get(obj, ())]


def reset() -> None:
    """Forget built adapters (tests change settings)."""
    _helpdesks.clear()
    _channels.clear()
    accounts.reset()
