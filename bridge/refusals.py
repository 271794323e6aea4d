"""Creating a ticket with what the helpdesk still takes: a rule or mapping chose a group,
agent, type, brand or field value the account has since removed, and the helpdesk
refuses the ticket for it (``RefusedFields``). Each adapter names the refused values in
its helpdesk's words; here they are left out, the ticket created, and a private note
written for the admin. The customer's message is never refused for a setting.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TypeVar

from bridge.errors import PermanentError, RefusedFields

T = TypeVar("T")
MOST = 5  # answers naming refused values before the ticket is given up on (a helpdesk may
# name one value per answer)


def create_leaving_out(create: Callable[[tuple[str, ...]], T],
                       leavable: Collection[str] | None = None
                       ) -> tuple[T, list[RefusedFields]]:
    """``create(left_out)`` until the helpdesk takes the ticket; what it refused on the
    way. Raises the refusal that names nothing new, or the one past ``MOST``. A refusal
    naming anything outside ``leavable`` (when given: what the ticket carries) raises at
    once as a plain ``PermanentError``: leaving values out could not help."""
    refusals: list[RefusedFields] = []
    while True:
        left_out = tuple(name for refusal in refusals for name in refusal.fields)
        try:
            return create(left_out), refusals
        except RefusedFields as exc:
            if leavable is not None and not set(exc.fields) <= set(leavable):
                raise PermanentError(str(exc)) from exc
            if len(refusals) >= MOST or set(exc.fields) <= set(left_out):
                raise
            refusals.append(exc)


def left_out_note(helpdesk: str, values: Sequence[tuple[str, object]],
                  refusals: Sequence[RefusedFields]) -> str:
    """The private note: each value left out, then the helpdesk's own words."""
    listed = ", ".join(f"{name} = {value!r}" for name, value in values)
    said = " | ".join(str(refusal) for refusal in refusals)
    return (f"Created without values {helpdesk} refused (check the bridge's rules and "
            f"mappings): {listed}. {helpdesk} said: {said}")
