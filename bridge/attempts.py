"""One attempt at one work item (inbox row, delivery, note), with the retry policy.

The item is marked ``sending`` and committed before the vendor call, so a crash
mid-call leaves evidence: the next attempt knows it must look before it writes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy.orm import Session

from bridge import clock
from bridge.errors import PermanentError, TransientError

log = structlog.get_logger(__name__)


class WorkItem(Protocol):
    id: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class Step:
    """What one step achieved: progress, or the time it wants to be run again."""

    progressed: bool = False
    wait_until: datetime | None = None


IDLE = Step()


def backoff(attempts: int) -> float:
    """Exponential backoff with full jitter: ~10 s, 20 s, 40 s ... capped at 30 min."""
    base = min(5.0 * 2**attempts, 1800.0)
    return float(base * random.uniform(0.5, 1.0))


def attempt(
    s: Session,
    item: WorkItem,
    action: Callable[[bool], str],
    max_attempts: int,
    on_failed: Callable[[str], None] | None = None,
) -> Step:
    """Run ``action(recovering)``; it returns the item's final state.

    ``recovering`` is true when an earlier attempt died after it had started the
    vendor call. Transient errors schedule a retry (at the vendor's Retry-After
    when given, and then they do not count as an attempt); permanent errors and
    exhausted attempts end in ``failed``, visible to ``bridge failed list``.
    """
    recovering = item.state == "sending"
    item.state = "sending"
    item.attempts += 1
    s.commit()
    try:
        item.state = action(recovering)
        item.last_error = None
        item.next_attempt_at = None
        s.commit()
        return Step(progressed=True)
    except TransientError as exc:
        s.rollback()
        return _retry_later(s, item, exc, recovering, max_attempts, on_failed)
    except PermanentError as exc:
        s.rollback()
        _fail(s, item, str(exc), on_failed)
        return Step(progressed=True)


def _retry_later(
    s: Session,
    item: WorkItem,
    exc: TransientError,
    recovering: bool,
    max_attempts: int,
    on_failed: Callable[[str], None] | None,
) -> Step:
    if exc.retry_after is not None:
        # A rate limit: the vendor did nothing and told us when to come back. An item
        # that was recovering stays "sending": an earlier call may still have gone through.
        item.attempts -= 1
        item.state = "sending" if recovering else "pending"
        delay = max(float(exc.retry_after), 0.5)
    else:
        delay = backoff(item.attempts)
    if item.attempts >= max_attempts:
        _fail(s, item, f"gave up after {item.attempts} attempts: {exc}", on_failed)
        return Step(progressed=True)
    item.last_error = str(exc)
    item.next_attempt_at = clock.now() + timedelta(seconds=delay)
    s.commit()
    log.info("retry_scheduled", item=type(item).__name__, id=item.id, delay=round(delay, 2),
             error=str(exc))
    return Step(wait_until=item.next_attempt_at)


def _fail(s: Session, item: WorkItem, reason: str, on_failed: Callable[[str], None] | None) -> None:
    item.state = "failed"
    item.last_error = reason
    item.next_attempt_at = None
    if on_failed is not None:
        on_failed(reason)
    s.commit()
    log.warning("item_failed", item=type(item).__name__, id=item.id, reason=reason)
