"""Where a reply post goes: the customer's latest post in the conversation.

X threads replies by ``in_reply_to_tweet_id``: answering the latest post keeps the reply
under what the customer said last (the root of a long exchange is far up the thread).
The posts of a conversation are its inbox rows with a bare post id (DMs are ``dm:...``,
deletions ``delete:...``); a post the customer deleted cannot be answered, so it is
skipped. Read in the worker, in its own short session, when a reply is sent.
"""

from __future__ import annotations

from sqlalchemy import select

from bridge import db
from bridge.domain import ThreadKey
from bridge.models import Conversation, InboxMessage
from bridge.social.x.mapping import delete_message_id

_LOOK_BACK = 500  # rows of one conversation, newest first


def latest_customer_post(thread: ThreadKey) -> str | None:
    """The id of the newest post the customer wrote in this conversation, if any."""
    with db.session() as s:
        conv_id = s.scalar(select(Conversation.id).where(
            Conversation.channel == thread.channel,
            Conversation.account_id == thread.account_id,
            Conversation.thread_id == thread.thread_id))
        if conv_id is None:
            return None
        ids = list(s.scalars(
            select(InboxMessage.message_id)
            .where(InboxMessage.conversation_id == conv_id)
            .order_by(InboxMessage.sent_at.desc(), InboxMessage.id.desc())
            .limit(_LOOK_BACK)))
    deleted = set(ids)
    return next((m for m in ids if m.isdigit() and delete_message_id(m) not in deleted), None)
