"""Zendesk API calls per inbound message, counted from the Zendesk emulator's request log.

The real adapters (``ZendeskHelpdesk`` and ``MessengerChannel``, built by
``bridge.registry`` from settings) talk to the Zendesk and Graph emulators; the
pipeline runs in this process (no Celery) on a fresh SQLite database in a temporary
folder. Each scenario is one Messenger webhook (or one Zendesk webhook for the agent
reply), stored, routed and run to completion; its figure is the number of Zendesk API
requests it caused, which is what Zendesk rate-limits and bills.

The issue's targets: at most 1 call for a message on an existing conversation and at
most 2 for a new conversation, plus one upload call per attachment.

    python -m bench.zendesk_calls [--check]

Writes ``bench/results/zendesk_calls.json``; ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from bridge import config, db, ingest, pipeline, registry, routing
from emulators.graph import GraphEmulator
from emulators.zendesk import ZendeskEmulator

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "zendesk_calls.json"
PAGE, PAGE_TOKEN = "1234567890", "bench-page-token"
ZD_EMAIL, ZD_TOKEN = "bench@example.com", "bench-zendesk-token"
NEW_TARGET, EXISTING_TARGET = 2, 1
IMAGE = ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16)


@dataclass(frozen=True)
class Result:
    key: str
    description: str
    requests: list[str]
    uploads: int
    target: int | None  # None: the issue sets no target for this path
    basis: str

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.calls <= self.target

    def to_json(self) -> dict[str, Any]:
        return {"description": self.description, "calls": self.calls, "uploads": self.uploads,
                "target": self.target, "target_basis": self.basis,
                "meets_target": self.meets_target, "requests": self.requests}


class Bridge:
    """The bridge's worker side, in-process, pointed at the two emulators."""

    def __init__(self, zendesk: ZendeskEmulator, graph: GraphEmulator) -> None:
        self.zendesk = zendesk
        self.graph = graph
        self._seq = 0

    def customer_writes(self, psid: str, text: str,
                        attachments: list[dict[str, Any]] | None = None) -> int:
        """A Messenger webhook as Meta sends it: parsed, stored, routed; the conversation."""
        self._seq += 1
        stamp = int(time.time() * 1000) + self._seq
        message: dict[str, Any] = {"mid": f"m_bench_{uuid.uuid4().hex}", "text": text}
        if attachments:
            message["attachments"] = attachments
        payload = {"object": "page", "entry": [{"id": PAGE, "time": stamp, "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": PAGE}, "timestamp": stamp,
            "message": message}]}]}
        parsed = registry.channel("messenger").parse(payload)
        ids = ingest.store_messages(parsed.messages)
        with db.session() as s:
            (conv_id,) = routing.route(s, ids)
        return conv_id

    def zendesk_webhook(self, ticket_id: int) -> int:
        """``/webhooks/zendesk``: "look at ticket N"; the conversation to run."""
        with db.session() as s:
            conv = ingest.store_helpdesk_event(s, "zendesk", f"bench-{uuid.uuid4().hex}",
                                               str(ticket_id))
        if conv is None:
            raise RuntimeError(f"ticket {ticket_id} is not linked to a conversation")
        return conv

    def run(self, conv_id: int) -> None:
        for _ in range(50):
            delay = pipeline.run_conversation(conv_id)
            if delay is None:
                return
            if delay != 0.0:
                raise RuntimeError(f"conversation {conv_id} wants a retry in {delay:.1f} s: "
                                   "a bench run must not hit faults")
        raise RuntimeError(f"conversation {conv_id} never went idle")

    def ticket_of(self, conv_id: int) -> int:
        from bridge.models import Conversation

        with db.session() as s:
            conv = s.get(Conversation, conv_id)
            if conv is None or conv.ticket_id is None:
                raise RuntimeError(f"conversation {conv_id} has no ticket")
            return int(conv.ticket_id)

    def measured(self, action: Callable[[], object]) -> list[str]:
        """The Zendesk requests ``action`` caused, as ``METHOD /path status``."""
        since = len(self.zendesk.requests_log())
        action()
        return [f"{r['method']} {r['path']} {r['status']}"
                for r in self.zendesk.requests_log()[since:]]


BASES = {
    "new": (NEW_TARGET, "new conversation"),
    "existing": (EXISTING_TARGET, "existing conversation"),
    # The requester is known, but the closed state is only discovered when Zendesk
    # refuses the comment (422): counted as a new ticket, against a target of 2.
    "followup": (NEW_TARGET, "new ticket on an existing conversation"),
}


def scenarios(bridge: Bridge) -> list[Result]:
    zd, psid = bridge.zendesk, "9000000000000001"
    image_url = f"{bridge.graph.url}/_emulator/files/photo.png"
    image = [{"type": "image", "payload": {"url": image_url}}]
    out: list[Result] = []

    def message(key: str, description: str, text: str, kind: str = "existing",
                attachments: list[dict[str, Any]] | None = None, who: str = psid) -> int:
        holder: list[int] = []

        def act() -> None:
            conv = bridge.customer_writes(who, text, attachments)
            bridge.run(conv)
            holder.append(conv)

        requests = bridge.measured(act)
        uploads = len(attachments or [])
        base, basis = BASES[kind]
        if uploads:
            basis += f" + {uploads} upload"
        out.append(Result(key, description, requests, uploads, base + uploads, basis))
        return holder[0]

    def close(ticket: int) -> None:
        zd.set_status(ticket, "solved")
        zd.set_status(ticket, "closed")

    conv = message("new_conversation_text", "new conversation, text", "Hello, my order is late",
                   kind="new")
    ticket = bridge.ticket_of(conv)
    message("existing_conversation_text", "existing conversation, text", "Any news?")
    message("existing_conversation_image", "existing conversation, one image", "Photo:",
            attachments=image)
    message("new_conversation_image", "new conversation, one image", "Broken on arrival",
            kind="new", attachments=image, who="9000000000000002")
    zd.set_status(ticket, "solved")
    message("reopen_solved", "reopen of a solved ticket", "It is not solved")
    close(ticket)
    message("closed_followup", "closed ticket, text (follow-up)", "It broke again",
            kind="followup")
    followup = bridge.ticket_of(conv)
    if followup == ticket:
        raise RuntimeError("no follow-up ticket was opened")

    registry.reset()  # a fresh worker process: the API user id is not known yet
    for key, description in (
        ("agent_reply_first_read", "agent reply: read + send (new worker process)"),
        ("agent_reply_steady", "agent reply: read + send (warm worker)"),
    ):
        zd.agent_comment(followup, f"Reply for {key}")
        requests = bridge.measured(lambda: bridge.run(bridge.zendesk_webhook(followup)))
        out.append(Result(key, description, requests, 0, None, "no target in the issue"))
    sent = [m["text"] for m in bridge.graph.state.sent]
    if sent != ["Reply for agent_reply_first_read", "Reply for agent_reply_steady"]:
        raise RuntimeError(f"agent replies not delivered as expected: {sent}")

    close(followup)
    message("closed_followup_image", "closed ticket, one image (follow-up)", "Photo again",
            kind="followup", attachments=image)
    if bridge.ticket_of(conv) == followup:
        raise RuntimeError("no second follow-up ticket was opened")
    return out


def configure(work: Path, zendesk_url: str, graph_url: str) -> None:
    os.environ.update({
        "BRIDGE_VAR_DIR": str(work / "var"),
        "DATABASE_URL": f"sqlite:///{work}/bridge.sqlite3",
        "BRIDGE_HELPDESK": "zendesk",
        "ZENDESK_SUBDOMAIN": "bench",
        "ZENDESK_BASE_URL": zendesk_url,
        "ZENDESK_EMAIL": ZD_EMAIL,
        "ZENDESK_API_TOKEN": ZD_TOKEN,
        "META_PAGE_ID": PAGE,
        "META_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
        "META_GRAPH_BASE_URL": graph_url,
    })
    config.reset_settings()
    registry.reset()
    db.reset_engine()
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "bridge" / "migrations"))
    command.upgrade(cfg, "head")


def table(results: list[Result]) -> str:
    rows = [("scenario", "calls", "uploads", "target", "ok", "requests")]
    for r in results:
        ok = {None: "-", True: "yes", False: "NO"}[r.meets_target]
        rows.append((r.description, str(r.calls), str(r.uploads),
                     "-" if r.target is None else str(r.target), ok,
                     ", ".join(q.replace("/api/v2/", "") for q in r.requests)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:5], widths[1:],
                                                                          strict=True)]
        lines.append("  ".join([*cells, row[5]]))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args()
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulators' access log
    zendesk = ZendeskEmulator(email=ZD_EMAIL, token=ZD_TOKEN)
    graph = GraphEmulator(page_id=PAGE, access_token=PAGE_TOKEN)
    graph.state.files["photo.png"] = IMAGE
    zendesk.start()
    graph.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-zendesk-calls-") as tmp:
            configure(Path(tmp), zendesk.base_url, graph.url)
            try:
                results = scenarios(Bridge(zendesk, graph))
            finally:
                db.reset_engine()
    finally:
        graph.stop()
        zendesk.stop()
    missed = [r.key for r in results if r.meets_target is False]
    report = {
        "what": "Zendesk API requests per inbound message (emulator request log)",
        "helpdesk": "Zendesk emulator (emulators.zendesk), real ZendeskHelpdesk adapter",
        "channel": "Graph emulator (emulators.graph), real MessengerChannel adapter",
        "database": "sqlite (fresh, temporary)",
        "targets": {"new_conversation": NEW_TARGET, "existing_conversation": EXISTING_TARGET,
                    "per_attachment": 1},
        "results": {r.key: r.to_json() for r in results},
        "targets_missed": missed,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\nwritten to {args.output}")
    if missed:
        print(f"targets missed: {', '.join(missed)}")
        if args.check:
            sys.exit(1)


if __name__ == "__main__":
    main()
