"""Public to private: a comment thread continued in the customer's DMs, on the same ticket.

The ticket of a comment conversation gets the tag ``BRIDGE_PRIVATE_REPLY_TAG`` (an agent, a
routing rule's ``take_private``, a helpdesk trigger). The next reply to the customer then
goes as the comment's ONE private reply (Meta allows one per comment, within 7 days of it),
a public reply under the comment says we wrote privately (``BRIDGE_PRIVATE_REPLY_NOTICE``),
and the DM thread the private reply opened (the Send API names the customer's PSID or
IGSID) becomes a conversation on the same ticket: later helpdesk events and agent replies go
there (``ingest.store_helpdesk_event``), the customer's DMs become comments on the ticket. A
channel offers this by implementing ``PrivateReplies``; ``capability`` is the one check.

- Which comment: the latest one of the thread's customer (the author of its first comment)
  that was not removed: certainly theirs (others may answer in the thread), and the longest
  7-day window.
- ``conversations.private_state``: set when the bridge opens the ticket (it knows the tags
  it wrote: no extra read), ``public`` or ``wanted`` (the tag is on: a rule's take-private,
  which also sends ``BRIDGE_PRIVATE_REPLY_OPENER`` as the private reply at once); a later
  read of the ticket moves ``public`` to ``wanted`` when an agent adds the tag; ``sent``
  (``moved_to_id`` is the DM conversation). NULL (a conversation linked before this
  existed) makes the conversation read its ticket once to learn its tags.
- Refusals (the comment already had its private reply, older than 7 days, removed, too
  long): an internal note says why. The text is NOT posted publicly instead: the tag asks for
  privacy, and removing it lets the next reply go public.
- Exactly once: the private reply is a delivery, claimed like every other (``sending`` is
  committed before the call). Meta refuses a second private reply to a comment, so a retry
  after a crash or a timeout cannot send twice; what it can lose is Meta's answer (the
  customer's id): a note then says so, and the customer's DM, when it comes, opens a
  conversation of its own. The public notice is a delivery of its own, at least once like
  every reply.
"""

from bridge.private_reply.flow import (
    NOTICE,
    PrivateReplies,
    capability,
    customer_comment,
    deliver,
    hand_over,
    needs_look,
    on_created,
    on_ticket,
    takes,
)
from bridge.private_reply.notes import OPENER

__all__ = ["NOTICE", "OPENER", "PrivateReplies", "capability", "customer_comment", "deliver",
           "hand_over", "needs_look", "on_created", "on_ticket", "takes"]
