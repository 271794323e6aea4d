"""The dry run: recent real messages (or a pasted one) through the saved rulebook and a
draft, side by side, with why each draft rule matched or not. Nothing is written.

The draft is the body's ``rules`` and ``mappings``; either one left ``null`` is the saved
one. Stored messages are read as the worker reads them (their stored language, else the
detector's; the sender's facts; business hours when they were sent); a pasted message is
sent now, by nobody (never a returning customer). Field values are checked against the
helpdesk's cached fields exactly as when a ticket is opened (``skipped_fields`` says which
would be left out, and why).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge import clock
from bridge.admin.errors import Invalid, NotFound
from bridge.domain import InboundMessage
from bridge.models import Conversation, InboxMessage
from bridge.rules import apply, facts
from bridge.rules.engine import Trace
from bridge.rules.model import ChannelName, Decision, Facts, Mapping, Rule

MAX_IDS = 50
MAX_TEXT = 20_000
MAX_DB_ID = 2**31 - 1
MessageId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]


class View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PastedMessage(View):
    channel: ChannelName
    account_id: str = Field(default="", max_length=128)
    text: str = Field(max_length=MAX_TEXT)


class DryRunRequest(View):
    rules: list[Rule] | None = Field(default=None, description="the draft rules, in order; "
                                                               "null: the saved ones")
    mappings: list[Mapping] | None = Field(default=None, description="null: the saved ones")
    message_ids: list[MessageId] | None = Field(default=None, max_length=MAX_IDS,
                                          description="ids from GET /api/v1/messages")
    message: PastedMessage | None = Field(default=None, description="a message to try")


class MessageSummary(View):
    id: int | None = Field(description="null for a pasted message")
    channel: str
    account_id: str
    text: str
    received_at: datetime | None


class MessageList(View):
    messages: list[MessageSummary] = Field(description="newest first")


class DecisionView(View):
    fired: list[str]
    tags: list[str]
    priority: str | None
    severity: str | None
    group_id: str | None
    assignee_id: str | None
    ticket_type: str | None
    brand_id: str | None
    fields: dict[str, Any]
    take_private: bool
    suppress: bool
    skipped_fields: list[str]


class TraceStep(View):
    rule: str
    matched: bool
    reason: str


class DryRunResult(View):
    message: MessageSummary
    current: DecisionView
    draft: DecisionView
    trace: list[TraceStep]


class DryRunAnswer(View):
    results: list[DryRunResult]


def recent(s: Session, limit: int) -> MessageList:
    """The last ``limit`` messages stored (ids grow with every insert: the primary key
    orders them without a scan)."""
    rows = s.scalars(select(InboxMessage).order_by(InboxMessage.id.desc()).limit(limit))
    return MessageList(messages=[_summary(row) for row in rows])


def run(s: Session, request: DryRunRequest) -> DryRunAnswer:
    saved = apply.rulebook(s)
    draft = apply.Rulebook(
        saved.rules if request.rules is None else tuple(request.rules),
        saved.mappings if request.mappings is None else tuple(request.mappings))
    fields = _once(apply.cached_fields(s))
    results = []
    for summary, found in _picked(s, request):
        current = apply.decide(s, found, book=saved, fields=fields)
        decision, traces = apply.explain(s, found, book=draft, fields=fields)
        results.append(DryRunResult(message=summary, current=decision_view(current),
                                    draft=decision_view(decision),
                                    trace=[trace_step(t) for t in traces]))
    return DryRunAnswer(results=results)


def _once(load: apply.FieldsSource) -> apply.FieldsSource:
    """The fields read at most once for the whole dry run."""
    memo: list[Any] = []

    def cached() -> Any:
        if not memo:
            memo.append(load())
        return memo[0]

    return cached


def _picked(s: Session, request: DryRunRequest) -> list[tuple[MessageSummary, Facts]]:
    picked = []
    for n, ident in enumerate(request.message_ids or []):
        row = s.get(InboxMessage, ident)
        if row is None:
            raise NotFound(f"no message {ident}", [(f"message_ids[{n}]", "no such message")])
        picked.append((_summary(row), _row_facts(s, row)))
    if request.message is not None:
        m = request.message
        picked.append((MessageSummary(id=None, channel=m.channel, account_id=m.account_id,
                                      text=m.text, received_at=None),
                       facts.pasted_facts(m.channel, m.account_id, m.text)))
    return picked


def _row_facts(s: Session, row: InboxMessage) -> Facts:
    try:
        msg = InboundMessage.from_json(row.payload)
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid("a message cannot be read",
                      [("message_ids", f"message {row.id}: {exc}")]) from None
    conv = s.get(Conversation, row.conversation_id) if row.conversation_id else None
    return facts.message_facts(s, msg, language=facts.message_language(row.language, msg),
                               conversation_created=conv.created_at if conv else None)


def _summary(row: InboxMessage) -> MessageSummary:
    try:
        text = json.loads(row.payload).get("text") or ""
    except (ValueError, AttributeError):
        text = ""
    return MessageSummary(id=row.id, channel=row.channel, account_id=row.account_id,
                          text=str(text), received_at=clock.aware(row.received_at))


def decision_view(decision: Decision) -> DecisionView:
    return DecisionView(
        fired=list(decision.fired), tags=list(decision.tags), priority=decision.priority,
        severity=decision.severity, group_id=decision.group_id,
        assignee_id=decision.assignee_id, ticket_type=decision.ticket_type,
        brand_id=decision.brand_id, fields=dict(decision.fields),
        take_private=decision.take_private, suppress=decision.suppress,
        skipped_fields=list(decision.skipped_fields))


def trace_step(trace: Trace) -> TraceStep:
    reasons = {"matched": "stopped here (stop = true)" if trace.stopped else "",
               "disabled": "disabled",
               "not_reached": "not tried: an earlier matching rule stopped the evaluation",
               "failed": "; ".join(f"{f.condition}: {f.reason}" for f in trace.failures)}
    return TraceStep(rule=trace.rule, matched=trace.matched, reason=reasons[trace.outcome])
