"""Queries on stored files."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import FileStatus, StoredFile


async def get_owned(
    session: AsyncSession, *, owner_id: uuid.UUID, file_id: uuid.UUID
) -> StoredFile | None:
    result = await session.execute(
        select(StoredFile).where(StoredFile.id == file_id, StoredFile.owner_id == owner_id)
    )
    return result.scalar_one_or_none()


async def list_page(
    session: AsyncSession, *, owner_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[StoredFile], int]:
    owned = StoredFile.owner_id == owner_id
    total = await session.scalar(select(func.count()).select_from(StoredFile).where(owned))
    result = await session.execute(
        select(StoredFile)
        .where(owned)
        .order_by(StoredFile.created_at.desc(), StoredFile.id)
        .offset(offset)
        .limit(limit)
    )
    return list(result.scalars()), total or 0


async def stale_pending_ids(
    session: AsyncSession, *, created_before: datetime, limit: int
) -> list[uuid.UUID]:
    result = await session.execute(
        select(StoredFile.id)
        .where(StoredFile.status == FileStatus.PENDING, StoredFile.created_at < created_before)
        .order_by(StoredFile.created_at)
        .limit(limit)
    )
    return list(result.scalars())
