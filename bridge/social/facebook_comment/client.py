"""Graph calls for page comments: public replies (``POST /{comment-id}/comments``) and
private replies (``POST /{page-id}/messages`` with ``recipient.comment_id``), with the
page access token. Error mapping in ``bridge.social.meta_client``."""

from __future__ import annotations

from bridge.social.meta_client import MetaClient

REPLY_EDGE = "comments"


class FacebookCommentClient(MetaClient):
    """One page's comment replies."""

    platform = "Facebook"

    def reply(self, comment_id: str, text: str) -> str:
        """A public reply under ``comment_id``: the new comment's id."""
        return self.reply_to_comment(comment_id, REPLY_EDGE, text)
