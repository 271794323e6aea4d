"""Graph calls for Instagram DMs: the Send API (``POST /me/messages``: ``me`` is the page
linked to the Instagram professional account, reached with its page access token) and
the User Profile API (``GET /{igsid}``). Error mapping in ``bridge.social.meta_client``."""

from __future__ import annotations

from typing import Any

from bridge.social.instagram.mapping import PROFILE_FIELDS
from bridge.social.meta_client import MetaClient

OWNER = "me"


class InstagramClient(MetaClient):
    """One Instagram professional account's messaging, through its linked page."""

    platform = "Instagram"

    def send_dm(self, body: dict[str, Any]) -> str:
        """POST ``/me/messages``: the message id."""
        return self.send_message(OWNER, body)[1]

    def profile(self, igsid: str) -> dict[str, Any]:
        """Name, username, follower count and verified badge of a customer who wrote."""
        return self.user_profile(igsid, PROFILE_FIELDS)
