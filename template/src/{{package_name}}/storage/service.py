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

from ..core.db.types import utcnow
from ..core.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from . import repository as file_repository
from .backends.base import StorageBackend, UploadTicket
from .config import StorageSettings
from .models import FileStatus, StoredFile

logger = structlog.get_logger(__name__)

_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def new_key(owner_id: uuid.UUID) -> str:
    """Keys are ours alone: the user's file name never reaches the storage path."""
    return f"{owner_id.hex}/{uuid.uuid4().hex}"


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
) -> tuple[StoredFile, UploadTicket]:
    """Record a pending file and hand out a ticket for exactly these bytes."""
    check_upload(storage, content_type=content_type, size=size)
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
    session: AsyncSession, backend: StorageBackend, stored: StoredFile
) -> StoredFile:
    """Mark the file ready once the object really exists with the declared size and type."""
    if stored.is_ready:
        return stored
    found = await backend.stat(stored.key)
    if found is None:
        raise Conflict("Nothing has been uploaded for this file yet.", details={"uploaded": 0})
    problems: dict[str, dict[str, object]] = {}
    if found.size != stored.size:
        problems["size"] = {"declared": stored.size, "uploaded": found.size}
    if found.content_type is not None and found.content_type.lower() != stored.content_type:
        problems["content_type"] = {"declared": stored.content_type, "uploaded": found.content_type}
    if problems:
        # The wrong bytes go; the file stays pending so the client can upload again.
        await backend.delete(stored.key)
        raise Conflict("The uploaded object does not match the declared file.", details=problems)
    stored.status = FileStatus.READY
    stored.completed_at = utcnow()
    await session.flush()
    logger.info("storage.file_ready", file_id=str(stored.id), size=stored.size)
    return stored


async def download_url(
    backend: StorageBackend, stored: StoredFile, *, expires_in: timedelta
) -> str:
    return await backend.download_url(stored.key, filename=stored.filename, expires_in=expires_in)


async def delete_file(session: AsyncSession, backend: StorageBackend, stored: StoredFile) -> None:
    """The object first, then the row: a failure leaves a row pointing at nothing, not an
    orphaned object nobody can find."""
    await backend.delete(stored.key)
    await session.delete(stored)
    await session.flush()
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
        key=new_key(owner_id),
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
