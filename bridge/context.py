"""What one conversation run hands to every step."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bridge.config import Settings
from bridge.helpdesk import Helpdesk
from bridge.models import Conversation
from bridge.social.base import SocialChannel


@dataclass
class Context:
    """Everything one conversation run needs; built once per run."""

    session: Session
    conversation: Conversation
    helpdesk: Helpdesk
    channel: SocialChannel
    settings: Settings
