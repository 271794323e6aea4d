"""The public-to-private flow: the hooks ``bridge.outbound`` calls (see the package)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import select, update

from bridge import clock, escalation, routing
from bridge.attempts import Step, attempt
from bridge.automation import schedule
from bridge.context import Context
from bridge.db import insert_ignore
from bridge.domain import InboundMessage, ThreadKey, TicketView
from bridge.errors import PermanentError
from bridge.ingest import mark_due
from bridge.models import Conversation, Delivery, InboxMessage, SentMessage, TicketNote
from bridge.private_reply import notes
from bridge.private_reply.notes import OPENER
from bridge.social.meta_client import PrivateReplyUsed
from bridge.social.meta_comments import PrivateReplyResult

NOTICE = "bridge-private-notice-"  # Delivery.comment_id of a public notice, + delivery id


@runtime_checkable
class PrivateReplies(Protocol):
    """A comment channel that can answer one comment in the commenter's DMs."""

    private_channel: str  # the DM channel kind of the same account ("messenger")
    private_recipient: str  # what the platform calls the customer's id there ("PSID")

    def send_private_reply(self, thread: ThreadKey, comment_id: str, text: str,
                           now: datetime, commented_at: datetime) -> PrivateReplyResult:
        """One private message to the author of ``comment_id``; raises ``WindowClosed``,
        ``PrivateReplyUsed``, ``PermanentError`` or ``TransientError``."""


def capability(channel: object) -> PrivateReplies | None:
    return channel if isinstance(channel, PrivateReplies) else None


def needs_look(ctx: Context) -> bool:
    """Whether the ticket must be read once for its tags, with no webhook asking."""
    conv = ctx.conversation
    return (conv.ticket_id is not None and conv.private_state is None
            and capability(ctx.channel) is not None)


def hand_over(ctx: Context) -> bool:
    """True when the conversation moved to its DM conversation (a webhook that still reached
    it runs that one). A move ends when either side is on another ticket (a follow-up): the
    comment conversation then starts afresh on its ticket."""
    conv, s = ctx.conversation, ctx.session
    if conv.moved_to_id is None:
        return False
    target = s.execute(select(Conversation.helpdesk, Conversation.ticket_id)
                       .where(Conversation.id == conv.moved_to_id)).first()
    if target is None or tuple(target) != (conv.helpdesk, conv.ticket_id):
        conv.moved_to_id, conv.private_state = None, None
        s.commit()
        return False
    if conv.outbound_due:
        conv.outbound_due = False
        s.execute(update(Conversation).where(Conversation.id == conv.moved_to_id)
                  .values(outbound_due=True))
        mark_due(s, conv.moved_to_id)
        s.commit()
    return True


def on_created(ctx: Context, ticket_id: str, take_private: bool) -> None:
    """A ticket was just opened: the bridge knows its tags (a rule's take-private added the
    tag), so no read is needed to learn them. Taken private: the opener goes now."""
    conv = ctx.conversation
    if capability(ctx.channel) is None or conv.private_state == "sent":
        return
    if take_private and ctx.settings.BRIDGE_PRIVATE_REPLY_TAG:
        _queue(ctx, f"{OPENER}{conv.id}-{ticket_id}", ctx.settings.BRIDGE_PRIVATE_REPLY_OPENER,
               ticket_id)
        conv.private_state = "wanted"
    else:
        conv.private_state = "public"


def on_ticket(ctx: Context, view: TicketView) -> None:
    """After a read of the ticket: the tag decides where the next reply goes."""
    conv, tag = ctx.conversation, ctx.settings.BRIDGE_PRIVATE_REPLY_TAG.lower()
    if capability(ctx.channel) is None or conv.private_state == "sent":
        return
    if not tag or tag not in {t.lower() for t in view.tags}:
        conv.private_state = "public"
        return
    if conv.private_state is None and not view.replies:
        _queue(ctx, f"{OPENER}{conv.id}-{view.ticket_id}",
               ctx.settings.BRIDGE_PRIVATE_REPLY_OPENER, view.ticket_id)
    conv.private_state = "wanted"


def takes(ctx: Context, d: Delivery) -> bool:
    """Whether this delivery goes as the private reply (the notice always goes public)."""
    return (ctx.conversation.private_state == "wanted" and not d.comment_id.startswith(NOTICE)
            and capability(ctx.channel) is not None)


def deliver(ctx: Context, d: Delivery) -> Step:
    channel = capability(ctx.channel)
    assert channel is not None
    conv = ctx.conversation
    thread = ThreadKey(conv.channel, conv.account_id, conv.thread_id)

    def send(recovering: bool) -> str:
        comment = customer_comment(ctx, conv.id)
        if comment is None:
            _note(ctx, d, notes.refused(ctx, d, "no comment of the customer's is left to answer"))
            return "skipped"
        try:
            result = channel.send_private_reply(thread, comment.message_id, d.body,
                                                 clock.now(), comment.sent_at)
        except PrivateReplyUsed as exc:
            if not (recovering or d.attempts > 1):
                _note(ctx, d, notes.refused(ctx, d, str(exc)))
                return "skipped"
            # An earlier attempt of ours reached Meta; its answer was lost.
            result = PrivateReplyResult(())
        except PermanentError as exc:  # WindowClosed, CommentRemoved, too long, refused
            _note(ctx, d, notes.refused(ctx, d, str(exc)))
            return "skipped"
        _sent(ctx, d, channel, result)
        return "sent"

    return attempt(ctx.session, d, send, ctx.settings.BRIDGE_MAX_ATTEMPTS,
                   lambda reason: _note(ctx, d, notes.refused(ctx, d, reason)))


def customer_comment(ctx: Context, conv_id: int) -> InboundMessage | None:
    """The latest comment of the thread's customer that was not removed."""
    payloads = ctx.session.scalars(
        select(InboxMessage.payload).where(InboxMessage.conversation_id == conv_id)
        .order_by(InboxMessage.sent_at, InboxMessage.id)).all()
    events = [InboundMessage.from_json(p) for p in payloads]
    comments = [e for e in events if e.kind == "message"]
    if not comments:
        return None
    removed = {e.refers_to for e in events if e.kind == "delete"}
    customer = comments[0].sender.external_id
    theirs = [c for c in comments
              if c.sender.external_id == customer and c.message_id not in removed]
    return theirs[-1] if theirs else None


def _sent(ctx: Context, d: Delivery, channel: PrivateReplies, result: PrivateReplyResult
          ) -> None:
    """Record the private reply; move the conversation to the DM thread it opened."""
    s, conv = ctx.session, ctx.conversation
    d.platform_message_ids = json.dumps(list(result.platform_message_ids))
    d.sent_at = clock.now()
    for message_id in result.platform_message_ids:  # receipts arrive on the DM thread
        insert_ignore(s, SentMessage, {
            "channel": channel.private_channel, "account_id": conv.account_id,
            "message_id": message_id, "delivery_id": d.id,
        }, ["channel", "account_id", "message_id"])
    if d.human:
        escalation.track(s, conv, "reply", d.sent_at)
        schedule.on_reply_delivered(s, conv)
    if not result.recipient_id:
        _note(ctx, d, notes.unlinked(channel, bool(result.platform_message_ids)))
        return
    dm_id, before = routing.link_thread(s, channel.private_channel, conv.account_id,
                                        result.recipient_id, conv)
    # Replies read in the same sync follow the conversation into the DM thread.
    s.execute(update(Delivery)
              .where(Delivery.conversation_id == conv.id, Delivery.state == "pending",
                     Delivery.id != d.id)
              .values(conversation_id=dm_id).execution_options(synchronize_session=False))
    conv.moved_to_id, conv.private_state = dm_id, "sent"
    _queue(ctx, f"{NOTICE}{d.id}", ctx.settings.BRIDGE_PRIVATE_REPLY_NOTICE, d.ticket_id)
    mark_due(s, dm_id)
    _note(ctx, d, notes.moved(ctx, d, channel, result.recipient_id, before))


def _queue(ctx: Context, key: str, body: str, ticket_id: str) -> None:
    """A reply the bridge itself writes on the thread (human=False), once per ``key``."""
    insert_ignore(ctx.session, Delivery, {
        "helpdesk": ctx.helpdesk.name, "comment_id": key,
        "conversation_id": ctx.conversation.id, "ticket_id": ticket_id, "body": body,
        "human": False, "state": "pending", "attempts": 0, "created_at": clock.now(),
    }, ["helpdesk", "comment_id"])


def _note(ctx: Context, d: Delivery, body: str) -> None:
    ctx.session.add(TicketNote(conversation_id=ctx.conversation.id, ticket_id=d.ticket_id,
                               body=body, state="pending", attempts=0, created_at=clock.now()))
