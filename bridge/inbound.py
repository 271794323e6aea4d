"""Customer → helpdesk: one inbox row becomes a ticket or a comment, exactly once."""

from __future__ import annotations

from sqlalchemy import select

from bridge import clock, escalation, events, held, private_reply, rendering
from bridge.automation import csat, language, schedule
from bridge.context import Context
from bridge.db import insert_ignore
from bridge.domain import (
    InboundMessage,
    NewComment,
    NewTicket,
    Requester,
    ThreadKey,
    TicketRef,
)
from bridge.errors import TicketClosed
from bridge.models import Identity, InboxMessage
from bridge.rules import opening
from bridge.rules.model import Decision


def attachment_fetcher(ctx: Context, thread: ThreadKey) -> rendering.Fetcher:
    """The channel's own fetcher when its attachments need its credentials (Telegram's
    ``getFile``, WhatsApp's media ids, X's signed media URLs), with the thread's own account;
    else a plain download."""
    fetch = getattr(ctx.channel, "fetch_attachment", None)
    if fetch is None:
        return rendering.fetch
    return lambda url: fetch(url, thread)


def requester_id(ctx: Context, msg: InboundMessage) -> str:
    """The helpdesk user of this sender: looked up once, then remembered locally."""
    s, key = ctx.session, msg.thread
    values = {"channel": key.channel, "account_id": key.account_id,
              "external_user_id": msg.sender.external_id, "created_at": clock.now()}
    insert_ignore(s, Identity, values, ["channel", "account_id", "external_user_id"])
    ident = s.scalars(select(Identity).where(
        Identity.channel == key.channel, Identity.account_id == key.account_id,
        Identity.external_user_id == msg.sender.external_id)).one()
    if ident.helpdesk_user_id and ident.helpdesk == ctx.helpdesk.name:
        return ident.helpdesk_user_id
    sender = ctx.channel.profile(msg)
    label = rendering.CHANNEL_LABELS.get(key.channel, key.channel)
    name = sender.display_name or sender.handle or f"{label} user {sender.external_id}"
    external_id = f"{key.channel}:{key.account_id}:{sender.external_id}"
    ident.helpdesk_user_id = ctx.helpdesk.ensure_requester(Requester(external_id, name))
    ident.helpdesk = ctx.helpdesk.name
    ident.display_name = name
    s.commit()
    return ident.helpdesk_user_id


def process(ctx: Context, row: InboxMessage, recovering: bool) -> str:
    """Deliver one message to the helpdesk; returns the row's final state. Edits, deletions
    and failed deliveries become an internal note instead (``bridge.events``)."""
    msg = InboundMessage.from_json(row.payload)
    if msg.kind != "message":
        state = events.process(ctx, row, msg)
        if state is not None:
            return state
        msg = events.as_message(msg)
    if msg.quick_reply is not None:
        _acknowledge(ctx, msg)
    conv = ctx.conversation
    previous = conv.last_customer_at
    rated = csat.record_answer(ctx, msg)
    if rated is not None:
        # A tapped CSAT answer is a rating on its ticket, not a comment; it still opens
        # the platform's messaging window.
        row.ticket_id, row.done_at = rated, clock.now()
        _customer_wrote(ctx, msg)
        return "done"
    opens = conv.ticket_id is None or conv.helpdesk != ctx.helpdesk.name
    decision = opening.decide_for(ctx, row, msg) if opens else None
    if decision is not None and decision.suppress:
        return opening.suppress(ctx, row, decision)  # spam: no helpdesk call at all
    author = requester_id(ctx, msg)
    comment = NewComment(author_id=author, body=rendering.comment_body(msg),
                         uploads=rendering.uploads(msg, attachment_fetcher(ctx, msg.thread)))
    ref: TicketRef | Decision
    if decision is not None:
        ref = _open_ticket(ctx, row, msg, comment, recovering, None, decision)
    else:
        ref = _comment(ctx, row, msg, comment, recovering)
    if isinstance(ref, Decision):  # the follow-up of a closed ticket, suppressed
        return opening.suppress(ctx, row, ref)
    row.ticket_id, row.comment_id, row.done_at = ref.ticket_id, ref.comment_id, clock.now()
    conv.last_comment_id = ref.comment_id or conv.last_comment_id
    _customer_wrote(ctx, msg)
    escalation.track(ctx.session, conv, "customer", msg.sent_at)
    language.remember(row, conv, msg)
    schedule.on_customer_message(ctx.session, conv, msg.sent_at, previous)
    return "done"


def _acknowledge(ctx: Context, msg: InboundMessage) -> None:
    """A tapped button is answered where the channel asks for it (Telegram's spinner)."""
    acknowledge = getattr(ctx.channel, "acknowledge", None)
    if acknowledge is not None:
        acknowledge(msg)


def _customer_wrote(ctx: Context, msg: InboundMessage) -> None:
    """The customer's latest activity (the platforms' windows count from it); replies held
    while the window was closed go out now (``bridge.held``)."""
    conv = ctx.conversation
    if conv.last_customer_at is None or msg.sent_at > conv.last_customer_at:
        conv.last_customer_at = msg.sent_at
    held.release(ctx, msg)


def _comment(ctx: Context, row: InboxMessage, msg: InboundMessage, comment: NewComment,
             recovering: bool) -> TicketRef | Decision:
    conv = ctx.conversation
    assert conv.ticket_id is not None
    if recovering:
        found = ctx.helpdesk.find_customer_comment(conv.ticket_id, comment, conv.last_comment_id)
        if found is not None:
            return found
    try:
        return ctx.helpdesk.add_customer_comment(conv.ticket_id, comment)
    except TicketClosed:
        decision = opening.decide_for(ctx, row, msg)
        if decision.suppress:
            return decision
        return _open_ticket(ctx, row, msg, comment, recovering, conv.ticket_id, decision)


def _open_ticket(ctx: Context, row: InboxMessage, msg: InboundMessage, comment: NewComment,
                 recovering: bool, followup_of: str | None, decision: Decision) -> TicketRef:
    conv = ctx.conversation
    marker = f"social-bridge-{conv.id}-{row.id}"
    ref = ctx.helpdesk.find_ticket(marker) if recovering else None
    if ref is None:
        ticket = NewTicket(
            requester_id=comment.author_id,
            subject=rendering.subject(msg, _name(ctx, msg)),
            comment=comment,
            marker=marker,
            followup_of=followup_of,
        )
        ref = ctx.helpdesk.create_ticket(opening.shaped(
            ticket, decision, msg.thread.channel, ctx.settings.BRIDGE_PRIVATE_REPLY_TAG))
    conv.helpdesk, conv.ticket_id, conv.linked_at = ctx.helpdesk.name, ref.ticket_id, clock.now()
    conv.ticket_status = "new"
    private_reply.on_created(ctx, ref.ticket_id, decision.take_private)
    return ref


def _name(ctx: Context, msg: InboundMessage) -> str:
    ident = ctx.session.scalars(select(Identity.display_name).where(
        Identity.channel == msg.thread.channel, Identity.account_id == msg.thread.account_id,
        Identity.external_user_id == msg.sender.external_id)).first()
    return ident or msg.sender.external_id
