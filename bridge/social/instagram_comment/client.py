"""Graph calls for Instagram comments: public replies (``POST /{comment-id}/replies``,
top-level comments only) and private replies (``POST /me/messages`` with
``recipient.comment_id``), with the linked page's access token."""

from __future__ import annotations

from bridge.social.instagram.client import InstagramClient

REPLY_EDGE = "replies"


class InstagramCommentClient(InstagramClient):
    """One Instagram professional account's comment replies."""

    def reply(self, comment_id: str, text: str) -> str:
        """A public reply under the top-level comment ``comment_id``: the new id."""
        return self.reply_to_comment(comment_id, REPLY_EDGE, text)
