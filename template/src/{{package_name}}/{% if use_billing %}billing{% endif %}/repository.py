"""Queries for subscriptions and the webhook ledger."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.db.upsert import insert_on_conflict
from .models import BillingEvent, Subscription


async def record_event(
    session: AsyncSession, *, provider: str, event_id: str, event_type: str, payload: Any
) -> uuid.UUID | None:
    """Insert the event unless (provider, event_id) is already there; its id when new."""
    statement = (
        insert_on_conflict(session, BillingEvent)
        .values(
            id=uuid.uuid4(),
            provider=provider,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(BillingEvent.id)
    )
    result = await session.execute(statement)
    return result.scalar_one_or_none()


async def get_event(session: AsyncSession, *, provider: str, event_id: str) -> BillingEvent | None:
    return await session.scalar(
        select(BillingEvent).where(
            BillingEvent.provider == provider, BillingEvent.event_id == event_id
        )
    )


async def lock_event(session: AsyncSession, id: uuid.UUID) -> BillingEvent | None:
    """Load the event for processing; concurrent workers wait for each other."""
    return await session.scalar(select(BillingEvent).where(BillingEvent.id == id).with_for_update())


async def unhandled_event_ids(session: AsyncSession) -> Sequence[uuid.UUID]:
    result = await session.scalars(
        select(BillingEvent.id)
        .where(BillingEvent.handled_at.is_(None))
        .order_by(BillingEvent.received_at)
    )
    return result.all()


async def event_ids_by_provider_id(
    session: AsyncSession, event_ids: Sequence[str]
) -> Sequence[uuid.UUID]:
    result = await session.scalars(
        select(BillingEvent.id)
        .where(BillingEvent.event_id.in_(event_ids))
        .order_by(BillingEvent.received_at)
    )
    return result.all()


async def prune_handled_events(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(BillingEvent).where(BillingEvent.handled_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def get_subscription(
    session: AsyncSession, *, provider: str, external_id: str
) -> Subscription | None:
    return await session.scalar(
        select(Subscription)
        .where(Subscription.provider == provider, Subscription.external_id == external_id)
        .with_for_update()
    )


async def user_subscriptions(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Subscription]:
    """The user's subscriptions, most recently changed first."""
    result = await session.scalars(
        select(Subscription)
        .where(Subscription.user_id == user_id)
        .order_by(Subscription.provider_updated_at.desc())
    )
    return result.all()


async def user_for_customer(
    session: AsyncSession, *, provider: str, customer_id: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(Subscription.user_id)
        .where(Subscription.provider == provider, Subscription.customer_id == customer_id)
        .limit(1)
    )
