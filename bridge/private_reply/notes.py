"""The internal notes of the public-to-private flow, in an agent's words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridge.context import Context
from bridge.models import Delivery
from bridge.rendering import CHANNEL_LABELS

if TYPE_CHECKING:
    from bridge.private_reply.flow import PrivateReplies

OPENER = "bridge-private-opener-"  # Delivery.comment_id of an opener, + conversation and ticket


def moved(ctx: Context, d: Delivery, channel: PrivateReplies, recipient: str,
          before: str | None) -> str:
    label = CHANNEL_LABELS.get(channel.private_channel, channel.private_channel)
    where = f"the conversation continues in {label} ({channel.private_recipient} {recipient})"
    if d.comment_id.startswith(OPENER):
        text = (f"Wrote privately to the comment (the ticket had the tag "
                f"{ctx.settings.BRIDGE_PRIVATE_REPLY_TAG} from its start): \"{d.body}\"; "
                f"{where} once the customer answers.")
    else:
        text = f"Replied privately to the comment; {where}."
    text += " A public reply under the comment says we wrote privately."
    if before is not None:
        text += f" The customer's {label} thread was on ticket {before} until now."
    return text


def refused(ctx: Context, d: Delivery, reason: str) -> str:
    what = "The private opener" if d.comment_id.startswith(OPENER) else "The agent's reply"
    why = reason.removeprefix("not sent: ")
    return (f"{what} was not sent privately: {why}. It was not posted publicly either, "
            f"because the ticket has the tag {ctx.settings.BRIDGE_PRIVATE_REPLY_TAG}; remove "
            "the tag to answer under the comment.")


def unlinked(channel: PrivateReplies, answered: bool) -> str:
    label = CHANNEL_LABELS.get(channel.private_channel, channel.private_channel)
    how = ("Meta did not name its recipient" if answered else
           "Meta says the comment already had its private reply: most likely this one, "
           "sent by an earlier attempt whose answer was lost")
    return (f"Replied privately to the comment, but {how}, so the customer's "
            f"{channel.private_recipient} is unknown: when they answer in {label}, that "
            "becomes a conversation of its own.")
