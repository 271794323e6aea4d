"""A follow-up ticket (a message for a closed one) gets a private note on both tickets
naming the other, and the tag ``bridge_followup_<old id>``; ``find_ticket`` uses that tag
to write the notes a crash missed."""

from __future__ import annotations

from bridge.errors import NotFound
from bridge.freshdesk.client import FreshdeskClient
from bridge.freshdesk.comments import read_comments
from bridge.freshdesk.mapping import conversation_text, followup_note_on_new, followup_note_on_old
from bridge.freshdesk.notes import add_note


def link_followup(client: FreshdeskClient, new_id: str, old_id: str, *,
                  skip_if_by: int | None) -> None:
    """Private notes on both tickets naming the other; with ``skip_if_by`` (the bridge's
    agent id), skipped on a ticket where that agent already wrote it."""
    for ticket_id, text in ((new_id, followup_note_on_new(old_id)),
                            (old_id, followup_note_on_old(new_id))):
        try:
            if skip_if_by is not None and any(
                    c.private and c.user_id == skip_if_by and conversation_text(c) == text
                    for c in read_comments(client, ticket_id)):
                continue
            add_note(client, ticket_id, text, private=True)
        except NotFound:
            # The old ticket was deleted for good: nothing to link it to, and the
            # customer's message is already safe on the new ticket.
            continue
