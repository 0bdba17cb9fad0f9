"""Reading the ledger for reports."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...users.models import User
from .models import UsageRecord


async def records_since(
    session: AsyncSession, user_id: uuid.UUID, since: datetime
) -> Sequence[UsageRecord]:
    result = await session.scalars(
        select(UsageRecord)
        .where(UsageRecord.user_id == user_id, UsageRecord.created_at >= since)
        .order_by(UsageRecord.created_at)
    )
    return result.all()


async def totals_by_user(session: AsyncSession, since: datetime) -> Sequence[Any]:
    """One row per user with usage since ``since``: user id, email, calls and sums."""
    result = await session.execute(
        select(
            UsageRecord.user_id,
            User.email,
            func.count(UsageRecord.id),
            func.sum(UsageRecord.input_tokens + UsageRecord.output_tokens),
            func.sum(UsageRecord.audio_seconds),
            func.sum(UsageRecord.characters),
            func.sum(UsageRecord.cost_micros),
        )
        .join(User, User.id == UsageRecord.user_id)
        .where(UsageRecord.created_at >= since)
        .group_by(UsageRecord.user_id, User.email)
        .order_by(func.sum(UsageRecord.cost_micros).desc(), User.email)
    )
    return result.all()
