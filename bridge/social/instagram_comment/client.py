"""Graph calls for Instagram comments: public replies (``POST /{comment-id}/replies``,
top-level comments only) and private replies (``POST /me/messages`` with
``recipient.comment_id``), with the linked page's access token."""

from __future__ import annotations

from bridge.config import Settings
from bridge.social.graph import page_client
from bridge.social.instagram.client import InstagramClient

REPLY_EDGE = "replies"


class InstagramCommentClient(InstagramClient):
    """One Instagram professional account's comment replies."""

    @classmethod
    def from_settings(cls, settings: Settings,
                      access_token: str | None = None) -> InstagramCommentClient:
        """The environment's page token unless ``access_token`` (one account's) is given."""
        return page_client(cls, settings, access_token)

    def reply(self, comment_id: str, text: str) -> str:
        """A public reply under the top-level comment ``comment_id``: the new id."""
        return self.reply_to_comment(comment_id, REPLY_EDGE, text)
