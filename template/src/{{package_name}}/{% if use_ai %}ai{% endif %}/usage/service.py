"""Reserve quota before a model call, settle it after, and report what was spent.

Two calls must not both spend the last of a quota, so a reservation takes a lock
on the user's counter row for the period before it reads what is used and held:
the upsert that creates or updates the row is a write, which on PostgreSQL locks
the row (like ``SELECT ... FOR UPDATE``) and on SQLite takes the database's
write lock, so the same code serialises reservations on both. The lock is held
only for the reservation's own short transaction, never during the model call.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...core.db.types import utcnow
from ...core.db.upsert import insert_on_conflict
from . import quotas
from .models import UsageCounter, UsageRecord, UsageReservation
from .quotas import Amounts, Limits

MICROS_PER_MILLION_UNITS = 1_000_000


def cost_micros(quantity: int, micros_per_million: int) -> int:
    """Cost of ``quantity`` units at a price per million units, rounded up."""
    return -(-quantity * micros_per_million // MICROS_PER_MILLION_UNITS)


@dataclass(frozen=True)
class Reservation:
    id: uuid.UUID
    user_id: uuid.UUID
    period_start: datetime
    amounts: Amounts


@dataclass(frozen=True)
class Usage:
    """What one call actually spent, as the ledger records it."""

    feature: str
    provider: str
    model: str
    status: str = "ok"
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: int = 0
    characters: int = 0
    cost_micros: int = 0
    request_id: str | None = None
    # A local, no-network provider: recorded, but spends nothing against the quotas.
    free: bool = False

    @property
    def amounts(self) -> Amounts:
        if self.free:
            return Amounts()
        return Amounts(
            tokens=self.input_tokens + self.output_tokens,
            audio_seconds=self.audio_seconds,
            cost_micros=self.cost_micros,
        )


async def _add_to_counter(
    session: AsyncSession, user_id: uuid.UUID, start: datetime, spent: Amounts
) -> Amounts:
    """Add ``spent`` to the user's counter for the period (the period's first call creates
    the row) and return what it holds now, in one statement.

    The upsert is a write: on PostgreSQL it locks the row (like ``SELECT ... FOR
    UPDATE``) until the transaction ends, and on SQLite the transaction already holds
    the database's write lock. The addition happens in the database, so two settlements
    never lose each other's spend.
    """
    counter = UsageCounter.__table__.c
    insert_row = insert_on_conflict(session, UsageCounter).values(
        user_id=user_id,
        period_start=start,
        tokens=spent.tokens,
        audio_seconds=spent.audio_seconds,
        cost_micros=spent.cost_micros,
        updated_at=utcnow(),
    )
    added = insert_row.excluded
    statement = insert_row.on_conflict_do_update(
        index_elements=[counter.user_id, counter.period_start],
        set_={
            "tokens": counter.tokens + added.tokens,
            "audio_seconds": counter.audio_seconds + added.audio_seconds,
            "cost_micros": counter.cost_micros + added.cost_micros,
            "updated_at": added.updated_at,
        },
    ).returning(counter.tokens, counter.audio_seconds, counter.cost_micros)
    tokens, audio_seconds, cost_micros = (await session.execute(statement)).one()
    return Amounts(int(tokens), int(audio_seconds), int(cost_micros))


async def _held(
    session: AsyncSession, user_id: uuid.UUID, start: datetime, now: datetime
) -> Amounts:
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(UsageReservation.tokens), 0),
                func.coalesce(func.sum(UsageReservation.audio_seconds), 0),
                func.coalesce(func.sum(UsageReservation.cost_micros), 0),
            ).where(
                UsageReservation.user_id == user_id,
                UsageReservation.period_start == start,
                UsageReservation.expires_at > now,
            )
        )
    ).one()
    return Amounts(int(row[0]), int(row[1]), int(row[2]))


async def reserve(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    limits: Limits,
    estimate: Amounts,
    ttl: timedelta,
    now: datetime | None = None,
) -> Reservation:
    """Hold ``estimate`` (capped at what is left) against the user's monthly quotas.

    Raises 402/429 when a quota is not included or used up. Commit promptly: the
    counter row stays locked until the transaction ends.
    """
    now = now or utcnow()
    start = quotas.period_start(now)
    used = await _add_to_counter(session, user_id, start, Amounts())
    held = await _held(session, user_id, start, now)
    remaining = quotas.check(limits, used, held, estimate, now=now)
    granted = quotas.grant(estimate, remaining)
    # A plain INSERT: nothing reads the row back in this session, so the ORM's
    # unit-of-work flush would only add time while the counter row is locked.
    reservation_id = uuid.uuid4()
    await session.execute(
        insert(UsageReservation).values(
            id=reservation_id,
            user_id=user_id,
            period_start=start,
            tokens=granted.tokens,
            audio_seconds=granted.audio_seconds,
            cost_micros=granted.cost_micros,
            expires_at=now + ttl,
        )
    )
    return Reservation(reservation_id, user_id, start, granted)


async def settle(
    session: AsyncSession, reservation: Reservation, usage: Usage, *, now: datetime | None = None
) -> UsageRecord:
    """Release ``reservation``, add what the call really spent, and write its ledger row."""
    now = now or utcnow()
    await _add_to_counter(session, reservation.user_id, reservation.period_start, usage.amounts)
    await session.execute(delete(UsageReservation).where(UsageReservation.id == reservation.id))
    record = UsageRecord(
        user_id=reservation.user_id,
        feature=usage.feature,
        provider=usage.provider,
        model=usage.model,
        status=usage.status,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        audio_seconds=usage.audio_seconds,
        characters=usage.characters,
        cost_micros=usage.cost_micros,
        request_id=usage.request_id,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    return record


async def used_this_period(
    session: AsyncSession, user_id: uuid.UUID, *, now: datetime | None = None
) -> Amounts:
    now = now or utcnow()
    counter = await session.get(UsageCounter, (user_id, quotas.period_start(now)))
    if counter is None:
        return Amounts()
    return Amounts(counter.tokens, counter.audio_seconds, counter.cost_micros)
