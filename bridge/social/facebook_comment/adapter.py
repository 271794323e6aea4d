"""Facebook page comments as a ``SocialChannel``: account id = page id, thread id = the
top-level comment id. Public replies are split at 8000 characters; a private reply is
one Messenger message (at most 2000 characters) and answers the customer's PSID."""

from __future__ import annotations

from bridge.config import Settings
from bridge.domain import InboundMessage
from bridge.social.facebook_comment import mapping
from bridge.social.facebook_comment.client import FacebookCommentClient
from bridge.social.facebook_comment.payloads import FeedValue
from bridge.social.messenger.mapping import MESSAGE_LIMIT
from bridge.social.meta_comments import (
    Change,
    CommentChannel,
    CommentRules,
    Entry,
    change_value,
)

FIELD = "feed"
RULES = CommentRules(mapping.KIND, "Facebook", mapping.REPLY_LIMIT, MESSAGE_LIMIT)


class FacebookCommentChannel(CommentChannel):
    """Comments on one page's posts, from the page ``feed`` webhook."""

    kind = mapping.KIND
    rules = RULES
    private_channel = "messenger"
    private_recipient = "PSID"
    webhook_object = "page"
    webhook_name = "a page feed webhook"

    def build_client(self, settings: Settings,
                     access_token: str | None) -> FacebookCommentClient:
        return FacebookCommentClient.from_settings(settings, access_token)

    def read_change(self, entry: Entry, change: Change) -> InboundMessage | str:
        """Comments added, edited and removed; other change fields and other feed items
        (reactions, posts...) are ignored with a reason."""
        if change.field != FIELD:
            return f"field:{change.field or 'unknown'}"
        value = change_value(change.value, FeedValue, FIELD)
        return mapping.read_change(entry.id, entry.time, value)
