"""Queries on stored files."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..users.models import User
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


async def lock_owner(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """Hold the owner's row until the transaction ends: their quota checks take turns."""
    await session.execute(select(User.id).where(User.id == owner_id).with_for_update())


async def usage(
    session: AsyncSession, *, owner_id: uuid.UUID, status: FileStatus | None = None
) -> tuple[int, int]:
    """(bytes, files) the owner holds: every file, or those with ``status``."""
    query = select(func.coalesce(func.sum(StoredFile.size), 0), func.count()).where(
        StoredFile.owner_id == owner_id
    )
    if status is not None:
        query = query.where(StoredFile.status == status)
    total_bytes, total_files = (await session.execute(query)).one()
    return int(total_bytes), int(total_files)


async def pending_key_exists(session: AsyncSession, key: str) -> bool:
    found = await session.scalar(
        select(StoredFile.id).where(StoredFile.key == key, StoredFile.status == FileStatus.PENDING)
    )
    return found is not None


async def existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    result = await session.scalars(select(StoredFile.key).where(StoredFile.key.in_(keys)))
    return set(result)
