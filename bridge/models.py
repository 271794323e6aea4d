"""Tables. Rows are keyed by the platforms' own ids so that retries change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bridge import clock


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every database (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return clock.aware(value).astimezone(UTC)


TS = UTCDateTime()


class Base(DeclarativeBase):
    pass


class Identity(Base):
    """One social sender on one account; its helpdesk user id once known."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "account_id", "external_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    external_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(255))
    helpdesk: Mapped[str | None] = mapped_column(String(16))
    helpdesk_user_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)


class Conversation(Base):
    """A social thread and the ticket it lives on; also the unit of ordering (lease)."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "account_id", "thread_id"),
        Index("ix_conversations_ticket", "helpdesk", "ticket_id"),
        Index("ix_conversations_work_due", "work_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128))
    helpdesk: Mapped[str | None] = mapped_column(String(16))
    ticket_id: Mapped[str | None] = mapped_column(String(64))
    ticket_status: Mapped[str | None] = mapped_column(String(16))
    # The status the bridge itself last set (auto-solve): reading it back is not an agent's
    # change, so it is never mirrored to the customer.
    bridge_status: Mapped[str | None] = mapped_column(String(16))
    # The customer's language (from the latest message that had one), for automated texts.
    language: Mapped[str | None] = mapped_column(String(16))
    last_comment_id: Mapped[str | None] = mapped_column(String(64))
    last_customer_at: Mapped[datetime | None] = mapped_column(TS)
    linked_at: Mapped[datetime | None] = mapped_column(TS)
    outbound_due: Mapped[bool] = mapped_column(Boolean, default=False)
    work_due_at: Mapped[datetime | None] = mapped_column(TS)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    # When the bridge last sent the channel's re-engagement template for held replies
    # (``bridge.held``); cleared when the customer writes again.
    reengaged_at: Mapped[datetime | None] = mapped_column(TS)
    # Public to private (``bridge.private_reply``), on comment conversations only: NULL (the
    # ticket not looked at yet), public, wanted (the tag is on: the next reply goes private),
    # sent; ``moved_to_id`` is then the DM conversation that continues on the same ticket.
    private_state: Mapped[str | None] = mapped_column(String(16))
    moved_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", name="fk_conversations_moved_to_id"))


class InboxMessage(Base):
    """A customer's message, stored before the webhook is answered.

    The request path only inserts the row (one statement); a worker then routes it
    to its conversation (``conversation_id`` set), where ordering and leases live.

    States: pending → sending (a helpdesk call may be under way) → done | failed.
    A row found in ``sending`` after a crash is recovered by looking it up first.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "account_id", "message_id"),
        # Partial indexes: the webhook INSERT maintains as little as possible.
        Index("ix_inbox_open", "conversation_id", "sent_at", "id",
              postgresql_where=text("state IN ('pending', 'sending')"),
              sqlite_where=text("state IN ('pending', 'sending')")),
        Index("ix_inbox_failed", "id", postgresql_where=text("state = 'failed'"),
              sqlite_where=text("state = 'failed'")),
        Index("ix_inbox_unrouted", "id", postgresql_where=text("conversation_id IS NULL"),
              sqlite_where=text("conversation_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    payload: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(TS)
    received_at: Mapped[datetime] = mapped_column(TS, default=clock.now,
                                                  server_default=func.current_timestamp())
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[str | None] = mapped_column(String(64))
    comment_id: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(TS)
    # The message's language when known (``bridge.automation.language``); not written by
    # the webhook INSERT.
    language: Mapped[str | None] = mapped_column(String(16))


class Delivery(Base):
    """An agent's public comment to send to the social thread, once.

    States: pending → sending → sent | skipped (window closed) | held (window closed, the
    channel holds it until the customer writes: ``bridge.held``) | failed. ``delivered_at``
    and ``read_at`` come from the platform's receipts (``bridge.receipts``).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("helpdesk", "comment_id"),
        Index("ix_deliveries_conversation_state", "conversation_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    helpdesk: Mapped[str] = mapped_column(String(16))
    comment_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    ticket_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    human: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_ids: Mapped[str | None] = mapped_column(Text)
    # JSON list of the agent's attachment URLs (helpdesk content URLs), when the reply had any.
    attachments: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    held_at: Mapped[datetime | None] = mapped_column(TS)
    delivered_at: Mapped[datetime | None] = mapped_column(TS)
    read_at: Mapped[datetime | None] = mapped_column(TS)


class SentMessage(Base):
    """One platform message id of a sent delivery (a long reply is several): how a receipt
    or a failed-delivery status finds the reply it is about."""

    __tablename__ = "sent_messages"
    __table_args__ = (UniqueConstraint("channel", "account_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(255))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"))


class TicketNote(Base):
    """An internal note the bridge owes a ticket (why a reply was not delivered...)."""

    __tablename__ = "ticket_notes"
    __table_args__ = (Index("ix_ticket_notes_conversation_state", "conversation_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    ticket_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)


class HelpdeskEvent(Base):
    """A helpdesk webhook ("look at ticket N"), stored once per delivery key."""

    __tablename__ = "helpdesk_events"
    __table_args__ = (UniqueConstraint("helpdesk", "event_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    helpdesk: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(128))
    ticket_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    received_at: Mapped[datetime] = mapped_column(TS, default=clock.now)


class Setting(Base):
    """Values the bridge learns at run time, e.g. the Zendesk webhook signing secret."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(TS, default=clock.now, onupdate=clock.now)


class SlaRecord(Base):
    """The SLA state of one conversation (JSON, see ``bridge.sla.state_json``) and the
    instant its next step is due: the only column the sweep reads."""

    __tablename__ = "sla_states"
    __table_args__ = (
        Index("ix_sla_states_next_due", "next_due_at",
              postgresql_where=text("next_due_at IS NOT NULL"),
              sqlite_where=text("next_due_at IS NOT NULL")),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"),
                                                 primary_key=True)
    policy: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(Text)
    next_due_at: Mapped[datetime | None] = mapped_column(TS)
    claimed_until: Mapped[datetime | None] = mapped_column(TS)
    updated_at: Mapped[datetime] = mapped_column(TS, default=clock.now)


class SlaAction(Base):
    """One escalation step to carry out on a ticket, once (unique step key).

    States: pending → sending → done | failed; a helpdesk failure retries the step.
    """

    __tablename__ = "sla_actions"
    __table_args__ = (
        UniqueConstraint("conversation_id", "step_key"),
        Index("ix_sla_actions_open", "conversation_id", "id",
              postgresql_where=text("state IN ('pending', 'sending')"),
              sqlite_where=text("state IN ('pending', 'sending')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    ticket_id: Mapped[str] = mapped_column(String(64))
    step_key: Mapped[str] = mapped_column(String(160))
    # JSON: add_tags, priority, group_id, note; or notify_url and text
    actions: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)


class Automation(Base):
    """One automated job of a conversation (acknowledgement, check-in, CSAT question,
    pending reminder, auto-solve, status message, keep-alive), scheduled once per unique
    ``key`` in the transaction of the event that caused it.

    States: pending → sending → done | skipped (the messaging window forbade it: an
    internal note says so) | cancelled (the customer wrote, the status moved on) | failed.
    The beat sweep claims due rows (``claimed_until``) and marks their conversations due;
    the conversation run loop acts under the lease.
    """

    __tablename__ = "automations"
    __table_args__ = (
        UniqueConstraint("conversation_id", "key"),
        Index("ix_automations_due", "due_at",
              postgresql_where=text("state = 'pending'"), sqlite_where=text("state = 'pending'")),
        Index("ix_automations_open", "conversation_id", "due_at",
              postgresql_where=text("state IN ('pending', 'sending')"),
              sqlite_where=text("state IN ('pending', 'sending')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    ticket_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(160))
    due_at: Mapped[datetime] = mapped_column(TS)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[datetime | None] = mapped_column(TS)
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(TS, default=clock.now)
    done_at: Mapped[datetime | None] = mapped_column(TS)
