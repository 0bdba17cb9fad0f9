"""`Ledger`: reservations and settlements in their own short transactions."""

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import Depends, Request

from ...core.db.session import Database
from . import service
from .config import UsageSettings, get_usage_settings
from .limits import LimitSource, get_limit_source
from .quotas import Amounts
from .service import Reservation, Usage


class Ledger:
    """Quota bookkeeping for model calls.

    A reservation must be visible to concurrent requests before the (slow) model
    call starts, and a settlement must happen even when the request's own
    transaction rolls back or the stream is cut; so each runs in a transaction
    of its own instead of riding on the request's session.
    """

    def __init__(self, db: Database, settings: UsageSettings, limits: LimitSource) -> None:
        self.db = db
        self.settings = settings
        self.limits = limits

    async def reserve(self, user_id: uuid.UUID, estimate: Amounts) -> Reservation:
        async with self.db.sessionmaker.begin() as session:
            limits = await self.limits(session, user_id)
            return await service.reserve(
                session,
                user_id=user_id,
                limits=limits,
                estimate=estimate,
                ttl=timedelta(seconds=self.settings.reservation_ttl_seconds),
            )

    async def settle(self, reservation: Reservation, usage: Usage) -> None:
        if usage.request_id is None:
            usage = _with_request_id(usage)
        async with self.db.sessionmaker.begin() as session:
            await service.settle(session, reservation, usage)


def _with_request_id(usage: Usage) -> Usage:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return replace(usage, request_id=request_id if isinstance(request_id, str) else None)


def get_ledger(
    request: Request,
    settings: Annotated[UsageSettings, Depends(get_usage_settings)],
    limits: Annotated[LimitSource, Depends(get_limit_source)],
) -> Ledger:
    return Ledger(request.app.state.db, settings, limits)


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
