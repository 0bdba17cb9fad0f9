"""`track()`: events ride on the session and are recorded only once it commits.

A sign-up whose transaction rolls back was never a sign-up, so `track` works like
`worker.queue.enqueue`: the unit of work hands the session's events to the sender after
its commit and drops them with a rollback. Recording is a list append; nothing here
touches the network.
"""

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from .events import AnalyticsEvent

_PENDING = "pending_analytics_events"


class EventRecorder(Protocol):
    def record(self, events: Sequence[AnalyticsEvent]) -> None:
        """Take ``events`` for delivery; never blocks, never raises."""


def track(session: AsyncSession, event: AnalyticsEvent) -> None:
    """Record ``event`` once ``session`` commits; dropped on rollback."""
    session.info.setdefault(_PENDING, []).append(event)


def take_tracked(session: AsyncSession) -> list[AnalyticsEvent]:
    events: list[AnalyticsEvent] = session.info.pop(_PENDING, [])
    return events


def discard_tracked(session: AsyncSession) -> None:
    session.info.pop(_PENDING, None)
