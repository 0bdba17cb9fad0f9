"""Housekeeping: abandoned uploads, deleted files' objects, and stray uploaded objects."""

import uuid

import structlog
from sqlalchemy import select

from ..core.db.types import utcnow
from ..core.providers import require_configured
from ..services import Services
from ..worker.registry import task
from . import repository as file_repository
from .models import FileStatus, StoredFile
from .service import UPLOADS

logger = structlog.get_logger(__name__)

BATCH = 500


@task("storage.prune_pending_uploads")
async def prune_pending_uploads(services: Services) -> None:
    """Expire stale pending uploads, one transaction each, up to a batch per run; then
    remove objects left under the upload prefix that no pending file owns."""
    cutoff = utcnow() - services.storage_settings.pending_upload_ttl
    async with services.unit_of_work() as session:
        stale = await file_repository.stale_pending_ids(session, created_before=cutoff, limit=BATCH)
    for file_id in stale:
        await expire_upload(services, file_id=str(file_id))
    logger.info("storage.pending_pruned", count=len(stale))
    await sweep_stray_uploads(services)


@task("storage.expire_upload")
async def expire_upload(services: Services, *, file_id: str) -> None:
    """Remove one abandoned upload: object, then row.

    Idempotent: the row is re-read under a lock and must still be pending and stale, so a
    redelivered job, a file completed meanwhile or a row already deleted changes nothing.
    """
    cutoff = utcnow() - services.storage_settings.pending_upload_ttl
    backend = require_configured(services.storage, "File storage")
    async with services.unit_of_work() as session:
        stored = await session.scalar(
            select(StoredFile).where(StoredFile.id == uuid.UUID(file_id)).with_for_update()
        )
        if stored is None or stored.status is not FileStatus.PENDING or stored.created_at >= cutoff:
            logger.info("storage.expire_skipped", file_id=file_id, exists=stored is not None)
            return
        await backend.delete(stored.key)
        await session.delete(stored)
    logger.info("storage.upload_expired", file_id=file_id)


@task("storage.delete_object")
async def delete_object(services: Services, *, key: str) -> None:
    """Remove a deleted file's object (idempotent: a missing object is not an error)."""
    await require_configured(services.storage, "File storage").delete(key)
    logger.info("storage.object_deleted", key=key)


async def sweep_stray_uploads(services: Services) -> int:
    """Delete objects under the upload prefix whose upload URL has expired and which no
    pending file owns: an upload URL used again after its file was completed or deleted.
    """
    backend = require_configured(services.storage, "File storage")
    cutoff = utcnow() - services.storage_settings.upload_url_ttl
    old_keys = [
        listed.key async for listed in backend.list_objects(UPLOADS) if listed.modified_at < cutoff
    ]
    removed = 0
    for start in range(0, len(old_keys), BATCH):
        batch = old_keys[start : start + BATCH]
        async with services.unit_of_work() as session:
            owned = await file_repository.existing_keys(session, batch)
        for key in batch:
            if key not in owned:
                await backend.delete(key)
                removed += 1
    logger.info("storage.stray_uploads_swept", count=removed)
    return removed
