"""CSAT: the question's quick-reply payloads, and the customer's answer on the ticket.

A payload names the ticket the question was about (``bridge:csat:{ticket}:{good|bad}``):
an answer tapped after the conversation moved to a follow-up ticket still rates the right
one. Only tickets this conversation was asked about are accepted. The answer is a tag
(the other answer's tag is removed: the latest tap wins), a custom field when one is
configured, and an internal note; never a public comment.
"""

from __future__ import annotations

import structlog
from sqlalchemy import exists, select

from bridge.automation.settings import AutomationSettings, automation_settings
from bridge.context import Context
from bridge.domain import InboundMessage, TicketActions
from bridge.errors import ConfigError, PermanentError, TicketClosed
from bridge.models import Automation

log = structlog.get_logger(__name__)
PREFIX = "bridge:csat:"
ANSWERS = ("good", "bad")


def buttons(conf: AutomationSettings, ticket: str, channel: str,
            language: str | None) -> tuple[tuple[str, str], ...]:
    """(title, payload) quick replies of the question."""
    return tuple((conf.text("csat", answer, channel, language), f"{PREFIX}{ticket}:{answer}")
                 for answer in ANSWERS)


def parse(payload: str | None) -> tuple[str, str] | None:
    """(ticket, answer) of one of our payloads, else ``None``."""
    if not payload or not payload.startswith(PREFIX):
        return None
    ticket, _, answer = payload[len(PREFIX):].rpartition(":")
    return (ticket, answer) if ticket and answer in ANSWERS else None


def record_answer(ctx: Context, message: InboundMessage) -> str | None:
    """Write a CSAT answer to its ticket; the ticket id, or ``None`` when ``message`` is
    not an answer to a question this conversation was asked (then it is a message)."""
    found = parse(message.quick_reply)
    if found is None:
        return None
    ticket, answer = found
    asked = ctx.session.scalar(select(exists().where(
        Automation.conversation_id == ctx.conversation.id, Automation.kind == "csat",
        Automation.ticket_id == ticket)))
    if not asked:
        return None
    try:
        conf = automation_settings()
    except ConfigError as exc:
        raise PermanentError(f"CSAT answer not recorded: {exc}") from exc
    tag, other = ((conf.csat_good_tag, conf.csat_bad_tag) if answer == "good"
                  else (conf.csat_bad_tag, conf.csat_good_tag))
    fields = ((conf.csat_field, answer),) if conf.csat_field else ()
    note = (f"Customer satisfaction answer: {answer} (the customer tapped "
            f"“{message.text or answer}” on {ctx.conversation.channel}).")
    try:
        ctx.helpdesk.apply_actions(ticket, TicketActions(
            add_tags=(tag,), remove_tags=(other,), custom_fields=fields, note=note))
    except TicketClosed as exc:  # closed tickets take no updates; nothing else to do
        log.warning("csat_answer_on_closed_ticket", ticket_id=ticket, answer=answer,
                    error=str(exc))
    return ticket
