"""``/webhooks/meta``: Messenger (and later Instagram, WhatsApp, feed), routed by ``object``."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from flask import Blueprint, Response, request

from bridge import accounts, ingest, receipts, registry
from bridge.config import get_settings
from bridge.domain import InboundMessage
from bridge.errors import HandshakeError, PayloadError, SignatureError
from bridge.metrics import EVENTS_IGNORED, MESSAGES_STORED, child
from bridge.social import meta
from bridge.web.common import answer, raw_body
from bridge.web.dispatch import inbox

bp = Blueprint("meta", __name__)
log = structlog.get_logger(__name__)


@bp.get("/webhooks/meta")
def handshake() -> Response | tuple[Response, int]:
    args = request.args
    try:
        challenge = meta.handshake(args.get("hub.mode"), args.get("hub.verify_token"),
                                   args.get("hub.challenge"), get_settings().META_VERIFY_TOKEN)
    except HandshakeError as exc:
        return answer("meta", "forbidden", 403, reason=str(exc))
    return Response(challenge, mimetype="text/plain")


@bp.post("/webhooks/meta")
def receive() -> tuple[Response, int]:
    body = raw_body()
    try:
        meta.verify_signature(body, request.headers.get("X-Hub-Signature-256", ""),
                              get_settings().META_APP_SECRET)
        payload = meta.decode(body)
    except SignatureError as exc:
        return answer("meta", "unauthorized", 401, reason=str(exc))
    except PayloadError as exc:
        return answer("meta", "bad_request", 400, reason=str(exc))
    channels = registry.meta_channels(str(payload.get("object")))
    if not channels:
        EVENTS_IGNORED.labels("meta", f"object:{payload.get('object')}").inc()
        log.info("meta_object_ignored", object=payload.get("object"))
        return answer("meta", "ignored", 200, reason="object not handled")
    messages: list[InboundMessage] = []
    ignored: list[str] = []
    seen: list[receipts.Receipt] = []
    for channel in channels:
        try:
            parsed = channel.parse(payload)
            seen.extend(receipts.collect(channel, payload, parsed))
        except PayloadError as exc:
            return answer("meta", "bad_request", 400, reason=str(exc))
        ours, unknown = for_our_accounts(parsed.messages)
        messages.extend(ours)
        ignored.extend([*parsed.ignored, *unknown])
        if ours:
            child(MESSAGES_STORED, channel.kind).inc(len(ours))
    for reason in ignored:
        child(EVENTS_IGNORED, "meta", reason).inc()
    stored = ingest.store_messages(messages)
    receipts.record(seen)  # on the replies they name; never a conversation or a ticket
    inbox.add(stored)
    return answer("meta", "accepted", 200, messages=len(messages), ignored=len(ignored))


def for_our_accounts(messages: Sequence[InboundMessage]) -> tuple[list[InboundMessage],
                                                                   list[str]]:
    """(the messages addressed to one of our accounts, ``account:unknown`` once for each
    other). A platform with no account configured, or only the environment's without an
    id, takes every account's messages, as the one-account setup always did: those are
    exactly the messages ``accounts.find`` can answer."""
    ours: list[InboundMessage] = []
    unknown: list[str] = []
    for message in messages:
        kind, account = message.thread.channel, message.thread.account_id
        platform = accounts.PLATFORM_OF.get(kind, kind)
        if not accounts.accounts(platform) or accounts.find(kind, account) is not None:
            ours.append(message)
        else:
            log.info("webhook_account_unknown", channel=kind, account_id=account)
            unknown.append("account:unknown")
    return ours, unknown
