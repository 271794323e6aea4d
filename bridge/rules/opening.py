"""The rules when the worker opens a ticket (``bridge.inbound``): decide, shape the ticket,
or suppress the message.

- ``decide_for`` builds the message's facts (storing the detected language on the inbox
  row) and asks the saved rulebook. A TOML file that fails to load is a ``TransientError``:
  the message waits (and ends ``failed``, replayable, if nobody fixes the file) rather than
  becoming a ticket the rules never saw. Field values the helpdesk's fields no longer take
  are left out: logged, and counted in ``bridge_ticket_fields_skipped_total``. They are not
  written as an internal note: that would be one more helpdesk call per ticket, against the
  call budget (2 for a new conversation, 1 after); the admin page and ``bridge doctor``
  show the broken mapping instead.
- ``shaped`` gives the ``NewTicket`` the decision's tags, priority, group, assignee, type,
  brand and field values.
- ``suppress`` (spam): no helpdesk call at all; the row ends ``suppressed``, a final state
  (neither failed nor retried), counted in ``bridge_messages_suppressed_total{channel}``.
  The conversation keeps no ticket, so its next message is evaluated again.
"""

from __future__ import annotations

from dataclasses import replace

import structlog

from bridge import clock, metrics
from bridge.context import Context
from bridge.domain import InboundMessage, NewTicket
from bridge.errors import ConfigError, TransientError
from bridge.models import InboxMessage
from bridge.rules import apply, facts
from bridge.rules.decide import dry_run
from bridge.rules.model import Decision

log = structlog.get_logger(__name__)
SUPPRESSED = "suppressed"


def decide_for(ctx: Context, row: InboxMessage, msg: InboundMessage) -> Decision:
    """What the saved rulebook makes of the message whose ticket is about to be opened."""
    s = ctx.session
    row.language = facts.message_language(row.language, msg)
    try:
        book = apply.rulebook(s)
        found = facts.message_facts(s, msg, language=row.language,
                                    conversation_created=ctx.conversation.created_at)
    except ConfigError as exc:
        raise TransientError(f"the rules cannot be read: {exc}") from exc
    decision = dry_run(book.rules, book.mappings, found)[0]
    if not decision.fields:
        return decision
    checked = apply.checked(decision, apply.cached_fields(s, ctx.helpdesk)())
    _report_skipped(ctx, row, decision, checked)
    return checked


def _report_skipped(ctx: Context, row: InboxMessage, wanted: Decision,
                    decision: Decision) -> None:
    if not decision.skipped_fields:
        return
    for key in apply.skipped_keys(wanted.fields, decision):
        metrics.TICKET_FIELDS_SKIPPED.labels(helpdesk=ctx.helpdesk.name, field=key).inc()
    log.warning("ticket_fields_skipped", inbox_id=row.id, conversation_id=ctx.conversation.id,
                reasons=list(decision.skipped_fields))


def shaped(ticket: NewTicket, decision: Decision, channel: str, private_tag: str) -> NewTicket:
    """``ticket`` with everything the decision sets."""
    return replace(
        ticket, tags=apply.ticket_tags(decision, channel, private_tag),
        priority=decision.priority, group_id=decision.group_id,
        assignee_id=decision.assignee_id, ticket_type=decision.ticket_type,
        brand_id=decision.brand_id, custom_fields=decision.fields)


def suppress(ctx: Context, row: InboxMessage, decision: Decision) -> str:
    """Close the row without a ticket; the state to return."""
    row.done_at = clock.now()
    metrics.MESSAGES_SUPPRESSED.labels(channel=row.channel).inc()
    log.info("message_suppressed", inbox_id=row.id, conversation_id=ctx.conversation.id,
             channel=row.channel, rules=list(decision.fired))
    return SUPPRESSED
