"""`Ledger`: quota reservations and settlements in their own short units of work."""

import uuid
from dataclasses import replace
from datetime import timedelta

import structlog

from ...analytics import track
from ...analytics.events import AnalyticsEvent
from ...services import Services
from . import service
from .quotas import Amounts
from .service import Reservation, Usage


class Ledger:
    """Quota bookkeeping for model calls.

    A reservation must be visible to concurrent requests before the (slow) model
    call starts, and a settlement must happen even when the request's own
    transaction rolls back or the stream is cut; so each runs in a unit of work
    of its own instead of riding on the request's session.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    async def reserve(self, user_id: uuid.UUID, estimate: Amounts) -> Reservation:
        """Hold ``estimate``, capped at what is left (`Reservation.amounts`); 402/429
        when a quota the call needs is not included or used up."""
        ttl = timedelta(seconds=self.services.usage_settings.reservation_ttl_seconds)
        async with self.services.unit_of_work() as session:
            limits = await self.services.ai_limits(session, user_id)
            return await service.reserve(
                session, user_id=user_id, limits=limits, estimate=estimate, ttl=ttl
            )

    async def settle(
        self, reservation: Reservation, usage: Usage, *, event: AnalyticsEvent | None = None
    ) -> None:
        """Record what the call spent (and its analytics ``event``, in the same commit)."""
        if usage.request_id is None:
            usage = _with_request_id(usage)
        async with self.services.unit_of_work() as session:
            await service.settle(session, reservation, usage)
            if event is not None:
                track(session, event)

    async def release(self, reservation: Reservation, usage: Usage) -> None:
        """Give a reservation back unused (the call never happened)."""
        await self.settle(reservation, replace(usage, status="refused"))


def _with_request_id(usage: Usage) -> Usage:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return replace(usage, request_id=request_id if isinstance(request_id, str) else None)
