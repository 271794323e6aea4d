"""Graph calls of the Instagram and comment channels: the Send API (DMs and private
replies), comment replies and the user profile, with the page access token.

Vendor quirks on top of Messenger's (see ``bridge.social.messenger.client``, whose error
mapping handles everything not listed here: rate limits, retries, the token):

- A removed (or hidden, or never visible) comment answers code 100 with subcode 33,
  "Object with ID ... does not exist, cannot be loaded due to missing permissions, or
  does not support this operation": replying again cannot help.
- One private reply per comment: a second one is code 10900 "Activity already replied
  to"; 10903 "This user can't reply to this activity" is Meta saying no for good.
- Outside the messaging window: code 10 with subcode 2018278 (Messenger) or 2534022
  (Instagram's variant of the same refusal).
- No idempotency key anywhere: a timeout after Meta accepted a reply and the retry post
  it twice. We still retry (loss is worse than a double).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from bridge.errors import PermanentError, WindowClosed
from bridge.social.graph import PageApi, json_object
from bridge.social.messenger.client import raise_for_graph_error

MISSING_OBJECT = (100, 33)
ALREADY_REPLIED = 10900
CANNOT_REPLY = 10903
WINDOW_CODE, WINDOW_SUBCODES = 10, frozenset({2018278, 2534022})
PERSON_UNAVAILABLE = 551


class CommentRemoved(PermanentError):
    """The comment is gone (removed, hidden or unreadable): it takes no replies."""


class PrivateReplyUsed(PermanentError):
    """The comment already had its one private reply."""


class MetaClient(PageApi):
    """``{base}/{version}/...`` with the page access token as ``access_token``; errors are
    worded for ``platform`` (``Instagram``, ``Facebook``)."""

    platform = "Meta"

    def send_message(self, owner: str, body: Mapping[str, Any]) -> tuple[str, str]:
        """POST ``/{owner}/messages`` (``owner`` a page id or ``me``): (recipient id,
        message id). With ``recipient.comment_id`` it is a private reply."""
        comment = "comment_id" in (body.get("recipient") or {})
        answer = self._call("POST", f"{owner}/messages", comment, json=dict(body))
        recipient, message_id = answer.get("recipient_id"), answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise PermanentError(f"Graph answered without a message_id: {answer}")
        return str(recipient or ""), message_id

    def reply_to_comment(self, comment_id: str, edge: str, text: str) -> str:
        """POST ``/{comment_id}/{edge}`` with ``message``: the new comment's id
        (Facebook's edge is ``comments``, Instagram's ``replies``)."""
        answer = self._call("POST", f"{comment_id}/{edge}", True, json={"message": text})
        new_id = answer.get("id")
        if not isinstance(new_id, str | int) or not str(new_id):
            raise PermanentError(f"Graph answered without the reply's id: {answer}")
        return str(new_id)

    def user_profile(self, user_id: str, fields: str) -> dict[str, Any]:
        """GET ``/{user_id}?fields=...``."""
        return self._call("GET", user_id, False, params={"fields": fields})

    def _call(self, method: str, path: str, comment: bool, **kwargs: Any) -> dict[str, Any]:
        return self._page_call(
            method, path, lambda response: raise_for_meta_error(response, self.platform, comment),
            **kwargs)


def raise_for_meta_error(response: requests.Response, platform: str, comment: bool) -> None:
    """Map a failed answer: the comment and Instagram cases here, the rest as Messenger's."""
    if response.ok:
        return
    error = json_object(response).get("error")
    error = error if isinstance(error, dict) and response.status_code < 500 else {}
    code, subcode = error.get("code"), error.get("error_subcode")
    if response.status_code == 429 or not error:
        raise_for_graph_error(response)  # rate limit, server error, unreadable: always raises
    text = f"Graph API {response.status_code}: {error.get('message')} (code {code}" + (
        f", subcode {subcode})" if subcode else ")")
    if comment and (code, subcode) == MISSING_OBJECT:
        raise CommentRemoved(f"not sent: the comment was removed or can no longer be seen, "
                             f"so it takes no reply; {text}")
    if code == ALREADY_REPLIED:
        raise PrivateReplyUsed("not sent: this comment already had its private reply "
                               f"({platform} allows one per comment); {text}")
    if code == CANNOT_REPLY:
        raise PermanentError(f"not sent: {platform} does not allow a private reply to this "
                             f"comment; {text}")
    if code == WINDOW_CODE and subcode in WINDOW_SUBCODES:
        raise WindowClosed(f"not sent: {platform} refused the reply as outside the window; "
                           f"{text}")
    if code == PERSON_UNAVAILABLE:
        raise PermanentError(f"not sent: the customer is not available on {platform}; {text}")
    raise_for_graph_error(response)
