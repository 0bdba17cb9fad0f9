"""Uploads, completion, downloads and deletion of stored files.

Other features use :func:`get_owned_ready_file`, :func:`read_bytes` and
:func:`save_bytes`; they never talk to a backend's vendor directly.
"""

import re
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import FileUploaded
from ..core.db.types import utcnow
from ..core.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from ..worker.queue import enqueue
from . import repository as file_repository
from .backends.base import StorageBackend, UploadTicket
from .config import StorageSettings
from .models import FileStatus, StoredFile
from .quota import StorageQuota

logger = structlog.get_logger(__name__)

_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


# Clients upload under UPLOADS; completion moves the object under FILES. An upload URL
# used again after that (it stays valid until it expires) writes where nothing reads,
# and the housekeeping job sweeps it away.
UPLOADS = "uploads/"
FILES = "files/"


class StorageQuotaExceeded(PayloadTooLarge):
    code = "storage_quota_exceeded"
    default_message = "This would exceed your storage quota."


def new_key(owner_id: uuid.UUID, *, prefix: str = UPLOADS) -> str:
    """Keys are ours alone: the user's file name never reaches the storage path."""
    return f"{prefix}{owner_id.hex}/{uuid.uuid4().hex}"


def final_key(upload_key: str) -> str:
    return FILES + upload_key.removeprefix(UPLOADS)


def clean_filename(filename: str) -> str:
    """The last path component, without control characters (it is shown back, never used)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = _UNSAFE_NAME_CHARACTERS.sub("", name).strip()
    return name[:255] or "file"


def check_upload(storage: StorageSettings, *, content_type: str, size: int) -> None:
    allowed = storage.allowed_content_types
    if content_type.lower() not in {t.lower() for t in allowed}:
        raise UnsupportedMediaType(
            f"Files of type {content_type!r} are not accepted.", details={"allowed": allowed}
        )
    if size > storage.max_upload_bytes:
        raise PayloadTooLarge(
            f"Files may be at most {storage.max_upload_bytes} bytes.",
            details={"max_bytes": storage.max_upload_bytes},
        )


async def start_upload(
    session: AsyncSession,
    backend: StorageBackend,
    storage: StorageSettings,
    *,
    owner_id: uuid.UUID,
    filename: str,
    content_type: str,
    size: int,
    quota: StorageQuota,
) -> tuple[StoredFile, UploadTicket]:
    """Record a pending file and hand out a ticket for exactly these bytes."""
    check_upload(storage, content_type=content_type, size=size)
    # Serialises this user's tickets, so two at once cannot both take the last bytes.
    await file_repository.lock_owner(session, owner_id)
    used_bytes, used_files = await file_repository.usage(session, owner_id=owner_id)
    check_quota(quota, used_bytes + size, used_files + 1)
    stored = StoredFile(
        owner_id=owner_id,
        key=new_key(owner_id),
        filename=clean_filename(filename),
        content_type=content_type.lower(),
        size=size,
        status=FileStatus.PENDING,
    )
    session.add(stored)
    await session.flush()
    ticket = await backend.create_upload(
        stored.key,
        content_type=stored.content_type,
        size=size,
        expires_in=storage.upload_url_ttl,
    )
    return stored, ticket


def check_quota(quota: StorageQuota, total_bytes: int, total_files: int) -> None:
    details = {"quota_bytes": quota.max_bytes, "quota_files": quota.max_files}
    if total_bytes > quota.max_bytes:
        raise StorageQuotaExceeded(
            f"Your files may take at most {quota.max_bytes} bytes; delete some first.",
            details=details,
        )
    if total_files > quota.max_files:
        raise StorageQuotaExceeded(
            f"You may keep at most {quota.max_files} files; delete some first.", details=details
        )


async def get_owned_file(
    session: AsyncSession, *, owner_id: uuid.UUID, file_id: uuid.UUID
) -> StoredFile:
    """The caller's file; someone else's is as absent as a missing one (404, not 403)."""
    stored = await file_repository.get_owned(session, owner_id=owner_id, file_id=file_id)
    if stored is None:
        raise NotFound("The file does not exist.")
    return stored


async def get_owned_ready_file(
    session: AsyncSession, *, owner_id: uuid.UUID, file_id: uuid.UUID
) -> StoredFile:
    """The caller's file, only once its upload is complete (pending files are 404 too)."""
    stored = await get_owned_file(session, owner_id=owner_id, file_id=file_id)
    if not stored.is_ready:
        raise NotFound("The file does not exist or its upload is not complete.")
    return stored


async def complete_upload(
    session: AsyncSession, backend: StorageBackend, stored: StoredFile, quota: StorageQuota
) -> StoredFile:
    """Mark the file ready once the object really exists with the declared size and type
    and still fits the owner's quota; the object moves where its upload URL cannot reach."""
    if stored.is_ready:
        return stored
    target = final_key(stored.key)
    found = await backend.stat(stored.key)
    moved = False
    if found is None:
        # A completion whose commit failed after the move: the object already sits there.
        found, moved = await backend.stat(target), True
    if found is None:
        raise Conflict("Nothing has been uploaded for this file yet.", details={"uploaded": 0})
    problems: dict[str, dict[str, object]] = {}
    if found.size != stored.size:
        problems["size"] = {"declared": stored.size, "uploaded": found.size}
    if found.content_type is not None and found.content_type.lower() != stored.content_type:
        problems["content_type"] = {"declared": stored.content_type, "uploaded": found.content_type}
    if problems:
        # The wrong bytes go; the file stays pending so the client can upload again.
        await backend.delete(target if moved else stored.key)
        raise Conflict("The uploaded object does not match the declared file.", details=problems)
    await file_repository.lock_owner(session, stored.owner_id)
    ready_bytes, ready_files = await file_repository.usage(
        session, owner_id=stored.owner_id, status=FileStatus.READY
    )
    check_quota(quota, ready_bytes + stored.size, ready_files + 1)
    if not moved:
        await backend.move(stored.key, target)
    stored.key = target
    stored.status = FileStatus.READY
    stored.completed_at = utcnow()
    await session.flush()
    logger.info("storage.file_ready", file_id=str(stored.id), size=stored.size)
    track(
        session,
        FileUploaded(
            user_id=stored.owner_id,
            file_id=stored.id,
            size_bytes=stored.size,
            content_type=stored.content_type,
        ),
    )
    return stored


async def download_url(
    backend: StorageBackend, stored: StoredFile, *, expires_in: timedelta
) -> str:
    return await backend.download_url(stored.key, filename=stored.filename, expires_in=expires_in)


async def delete_file(session: AsyncSession, stored: StoredFile) -> None:
    """The row now; the object once that is committed (a rolled-back delete keeps both)."""
    await session.delete(stored)
    await session.flush()
    enqueue(session, "storage.delete_object", key=stored.key)
    logger.info("storage.file_deleted", file_id=str(stored.id))


async def read_bytes(backend: StorageBackend, stored_file: StoredFile) -> bytes:
    return await backend.read(stored_file.key)


async def save_bytes(
    session: AsyncSession,
    backend: StorageBackend,
    *,
    owner_id: uuid.UUID,
    filename: str,
    content_type: str,
    data: bytes,
) -> StoredFile:
    """Store bytes the server produced (no upload limits apply) as a ready file."""
    stored = StoredFile(
        owner_id=owner_id,
        key=new_key(owner_id, prefix=FILES),
        filename=clean_filename(filename),
        content_type=content_type.lower(),
        size=len(data),
        status=FileStatus.READY,
        completed_at=utcnow(),
    )
    await backend.write(stored.key, data, content_type=stored.content_type)
    session.add(stored)
    await session.flush()
    return stored
