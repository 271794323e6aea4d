"""Held replies: when a channel's messaging window is closed, an agent's reply waits instead
of being dropped, an approved template asks the customer to write, and the reply goes out
when they do (WhatsApp: free text only within 24 h of the customer's last message).

A channel opts in by implementing ``HoldsReplies``; ``capability`` is the one place that
checks. Every step leaves an internal note on the ticket:

- held: the delivery goes to ``held``. The first held reply of a closed window sends the
  template (``conversations.reengaged_at``); later ones do not send it again while the
  customer has not written. A template refused for good (unknown, paused) is noted and the
  reply stays held (the customer may still write on their own); a transient failure retries
  the delivery like any send.
- released: a customer message that opens the window moves the conversation's held replies
  back to ``pending`` (the delivery step sends them in their order) and clears
  ``reengaged_at``; each is noted when it is delivered.
- a channel that can hold but has no template configured keeps the old outcome (``skipped``,
  with a note), and the note says what to configure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import update

from bridge import clock
from bridge.context import Context
from bridge.domain import InboundMessage, SendResult, ThreadKey
from bridge.errors import PermanentError
from bridge.models import Conversation, Delivery


@runtime_checkable
class HoldsReplies(Protocol):
    """What a channel offers to hold replies outside its messaging window."""

    def reengagement_template(self, thread: ThreadKey) -> str | None:
        """The configured template in words (``'name' (en_US)``); ``None`` when none is."""

    def missing_template_hint(self) -> str:
        """What an operator sets to enable held replies (for the note)."""

    def send_reengagement(self, thread: ThreadKey) -> SendResult:
        """Send the template; raises ``TransientError`` or ``PermanentError``."""

    def window_open(self, last_customer_at: datetime | None, now: datetime) -> bool:
        """Whether free text may go out now."""

    def window_failure(self, message: InboundMessage) -> bool:
        """Whether a failed-delivery event says the window was closed."""


def capability(channel: object) -> HoldsReplies | None:
    return channel if isinstance(channel, HoldsReplies) else None


def thread_of(conv: Conversation) -> ThreadKey:
    return ThreadKey(conv.channel, conv.account_id, conv.thread_id)


def on_window_closed(ctx: Context, delivery: Delivery, reason: str) -> tuple[str, str]:
    """(state, note) of a delivery the window refused: ``held`` where the channel holds
    replies and has a template, else ``skipped``."""
    holder = capability(ctx.channel)
    thread = thread_of(ctx.conversation)
    if holder is None:
        return "skipped", f"Reply not delivered to the customer: {reason}"
    template = holder.reengagement_template(thread)
    if template is None:
        return "skipped", (f"Reply not delivered to the customer: {reason}. "
                           f"{holder.missing_template_hint()}")
    return "held", hold(ctx, holder, delivery, reason, template)


def hold(ctx: Context, holder: HoldsReplies, delivery: Delivery, reason: str,
         template: str) -> str:
    """Mark ``delivery`` held, send the template if this closed window has none yet; the
    note. Raises ``TransientError`` (nothing changed: the caller retries)."""
    conv, now = ctx.conversation, clock.now()
    delivery.held_at = now
    why = reason.removeprefix("not sent: ")
    held = f"The agent's reply is held, not delivered yet: {why}."
    if conv.reengaged_at is not None:
        return (f"{held} The template {template} sent {_when(conv.reengaged_at)} already "
                "asks the customer to write; the reply goes out when they do.")
    try:
        holder.send_reengagement(thread_of(conv))
    except PermanentError as exc:
        return (f"{held} The template {template} could not be sent: {exc}. The reply goes "
                "out if the customer writes.")
    conv.reengaged_at = now
    return (f"{held} Sent the approved template {template} asking the customer to write; "
            "the reply goes out when they do.")


def after_window_failure(ctx: Context, delivery: Delivery | None,
                         message: InboundMessage) -> str | None:
    """A sent reply the platform later failed because its window was closed: held like a
    refused one. The sentence to add to the failure's note, or ``None``."""
    holder = capability(ctx.channel)
    if holder is None or delivery is None or delivery.state != "sent":
        return None
    if not holder.window_failure(message):
        return None
    template = holder.reengagement_template(thread_of(ctx.conversation))
    if template is None:
        return holder.missing_template_hint()
    delivery.state = "held"
    return hold(ctx, holder, delivery, "the customer's window was closed", template)


def release(ctx: Context, message: InboundMessage) -> int:
    """The customer wrote: when that opens the window, held replies go back to pending (in
    their order) and the next closed window gets a template again. The count released."""
    holder = capability(ctx.channel)
    conv = ctx.conversation
    if holder is None or not holder.window_open(message.sent_at, clock.now()):
        return 0
    conv.reengaged_at = None
    result = ctx.session.execute(
        update(Delivery)
        .where(Delivery.conversation_id == conv.id, Delivery.state == "held")
        .values(state="pending", next_attempt_at=None, attempts=0)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def delivered_note(delivery: Delivery) -> str | None:
    """The note for a reply that went out after being held, else ``None``."""
    if delivery.held_at is None:
        return None
    return (f"The held reply (held since {_when(delivery.held_at)}) was delivered: the "
            "customer wrote again.")


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")
