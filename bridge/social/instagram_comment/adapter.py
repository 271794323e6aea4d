"""Instagram comments as a ``SocialChannel``: account id = the Instagram professional
account (``entry.id``), thread id = the top-level comment id. Public replies are split
at 2200 characters; a private reply is one Instagram Direct message (at most 1000 bytes)
and answers the customer's IGSID."""

from __future__ import annotations

from bridge.config import Settings
from bridge.domain import InboundMessage
from bridge.social.instagram.mapping import TEXT_LIMIT, utf8_units
from bridge.social.instagram_comment import mapping
from bridge.social.instagram_comment.client import InstagramCommentClient
from bridge.social.instagram_comment.payloads import CommentValue
from bridge.social.meta_comments import (
    Change,
    CommentChannel,
    CommentRules,
    Entry,
    change_value,
)

RULES = CommentRules(mapping.KIND, "Instagram", mapping.REPLY_LIMIT, TEXT_LIMIT,
                     private_unit=utf8_units, private_unit_name="bytes", private_owner="me")


class InstagramCommentChannel(CommentChannel):
    """Comments on one Instagram professional account's media. The sender is as parsed
    (``@username``): Instagram's profile API only answers for people who wrote to the
    account in Direct."""

    kind = mapping.KIND
    rules = RULES
    private_channel = "instagram"
    private_recipient = "IGSID"
    webhook_object = "instagram"
    webhook_name = "an Instagram webhook"

    def build_client(self, settings: Settings,
                     access_token: str | None) -> InstagramCommentClient:
        return InstagramCommentClient.from_settings(settings, access_token)

    def read_change(self, entry: Entry, change: Change) -> InboundMessage | str:
        """Comments; other fields (insights, mentions, live comments) are ignored with a
        reason. Instagram sends no webhook for edited or deleted comments."""
        if change.field != mapping.FIELD:
            return mapping.ignore_reason(change.field)
        own = {entry.id, self._settings.INSTAGRAM_ACCOUNT_ID} - {""}
        value = change_value(change.value, CommentValue, mapping.FIELD)
        return mapping.read_comment(entry.id, own, entry.time, value)
