"""Housekeeping: uploads that were started and never completed are removed."""

import uuid

import structlog
from sqlalchemy import select

from ..core.db.types import utcnow
from ..worker.registry import TaskContext, task
from . import repository as file_repository
from .backends import build_storage_backend
from .config import get_storage_settings
from .models import FileStatus, StoredFile

logger = structlog.get_logger(__name__)

BATCH = 500


@task("storage.prune_pending_uploads")
async def prune_pending_uploads(ctx: TaskContext) -> None:
    """Expire stale pending uploads, one transaction each, up to a batch per run."""
    cutoff = utcnow() - get_storage_settings().pending_upload_ttl
    async with ctx.db.sessionmaker() as session:
        stale = await file_repository.stale_pending_ids(session, created_before=cutoff, limit=BATCH)
    for file_id in stale:
        await expire_upload(ctx, file_id=str(file_id))
    logger.info("storage.pending_pruned", count=len(stale))


@task("storage.expire_upload")
async def expire_upload(ctx: TaskContext, *, file_id: str) -> None:
    """Remove one abandoned upload: object, then row.

    Idempotent: the row is re-read under a lock and must still be pending and stale, so a
    redelivered job, a file completed meanwhile or a row already deleted changes nothing.
    """
    storage = get_storage_settings()
    cutoff = utcnow() - storage.pending_upload_ttl
    async with ctx.db.sessionmaker.begin() as session:
        stored = await session.scalar(
            select(StoredFile).where(StoredFile.id == uuid.UUID(file_id)).with_for_update()
        )
        if stored is None or stored.status is not FileStatus.PENDING or stored.created_at >= cutoff:
            logger.info("storage.expire_skipped", file_id=file_id, exists=stored is not None)
            return
        backend = build_storage_backend(storage, ctx.settings)
        await backend.delete(stored.key)
        await session.delete(stored)
    logger.info("storage.upload_expired", file_id=file_id)
