"""`/files`: upload tickets, completion, listing, download links, deletion.

`/files/content/{key}` serves the local backend's signed URLs; the signature is the
authorisation there, so those two routes need no user session.
"""

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from ..auth.dependencies import CurrentUser
from ..core.db.types import utcnow
from ..core.db.unit_of_work import DbSession
from ..core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    raises,
)
from ..core.pagination import Page, PageParams
from . import repository as file_repository
from . import service as file_service
from .backends.local import InvalidKey, InvalidSignature, LocalStorageBackend
from .dependencies import StorageBackendDep, StorageQuotaDep, StorageSettingsDep
from .schemas import FileCreate, FileDownload, FileRead, FileUpload, UploadInstructions
from .service import StorageQuotaExceeded

router = APIRouter(tags=["files"])


@router.post("/files", status_code=201)
@raises(UnsupportedMediaType, StorageQuotaExceeded)
async def create_file(
    body: FileCreate,
    user: CurrentUser,
    session: DbSession,
    backend: StorageBackendDep,
    storage: StorageSettingsDep,
    quota: StorageQuotaDep,
) -> FileUpload:
    stored, ticket = await file_service.start_upload(
        session,
        backend,
        storage,
        owner_id=user.id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        quota=quota,
    )
    upload = UploadInstructions(
        method=ticket.method,
        url=ticket.url,
        fields=ticket.fields or None,
        headers=ticket.headers or None,
    )
    return FileUpload(id=stored.id, file=FileRead.model_validate(stored), upload=upload)


@router.get("/files")
async def list_files(user: CurrentUser, page: PageParams, session: DbSession) -> Page[FileRead]:
    files, total = await file_repository.list_page(
        session, owner_id=user.id, offset=page.offset, limit=page.size
    )
    return Page[FileRead].build([FileRead.model_validate(f) for f in files], total, page)


@router.put("/files/content/{key:path}", status_code=204, include_in_schema=False)
async def upload_local_content(
    key: str,
    request: Request,
    session: DbSession,
    backend: StorageBackendDep,
    expires: Annotated[str, Query()],
    content_type: Annotated[str, Query()],
    size: Annotated[str, Query()],
    signature: Annotated[str, Query()],
) -> Response:
    local = _local(backend)
    params = {"expires": expires, "content_type": content_type, "size": size}
    path = _verified_path(local, "PUT", key, params, signature)
    if not await file_repository.pending_key_exists(session, key):
        # Completed, deleted or expired: the URL may still be unexpired, but it is closed.
        raise Conflict("This upload is closed.")
    sent_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent_type != content_type:
        raise BadRequest(
            "The Content-Type header must match the one the upload was signed for.",
            details={"expected": content_type, "received": sent_type or None},
        )
    try:
        await local.write_stream(path, request.stream(), limit=int(size))
    except OverflowError:
        raise PayloadTooLarge(f"This upload may be at most {size} bytes.") from None
    return Response(status_code=204)


@router.get("/files/content/{key:path}", include_in_schema=False)
async def download_local_content(
    key: str,
    backend: StorageBackendDep,
    expires: Annotated[str, Query()],
    filename: Annotated[str, Query()],
    signature: Annotated[str, Query()],
) -> FileResponse:
    local = _local(backend)
    path = _verified_path(local, "GET", key, {"expires": expires, "filename": filename}, signature)
    if not path.is_file():
        raise NotFound("The file does not exist.")
    return FileResponse(path, filename=filename, media_type="application/octet-stream")


@router.post("/files/{file_id}/complete")
@raises(NotFound, Conflict, StorageQuotaExceeded)
async def complete_file(
    file_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    backend: StorageBackendDep,
    quota: StorageQuotaDep,
) -> FileRead:
    stored = await file_service.get_owned_file(session, owner_id=user.id, file_id=file_id)
    stored = await file_service.complete_upload(session, backend, stored, quota)
    return FileRead.model_validate(stored)


@router.get("/files/{file_id}")
@raises(NotFound)
async def read_file(
    file_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    backend: StorageBackendDep,
    storage: StorageSettingsDep,
) -> FileDownload:
    stored = await file_service.get_owned_file(session, owner_id=user.id, file_id=file_id)
    result = FileDownload.model_validate(stored)
    if stored.is_ready:
        ttl: timedelta = storage.download_url_ttl
        result.download_url = await file_service.download_url(backend, stored, expires_in=ttl)
        result.download_expires_at = utcnow() + ttl
    return result


@router.delete("/files/{file_id}", status_code=204)
@raises(NotFound)
async def delete_file(file_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Response:
    stored = await file_service.get_owned_file(session, owner_id=user.id, file_id=file_id)
    await file_service.delete_file(session, stored)
    return Response(status_code=204)


def _local(backend: object) -> LocalStorageBackend:
    if not isinstance(backend, LocalStorageBackend):
        raise NotFound()
    return backend


def _verified_path(
    local: LocalStorageBackend, method: str, key: str, params: dict[str, str], signature: str
) -> Path:
    try:
        local.verify(method, key, params, signature)
        return local.path_for(key)
    except InvalidSignature as exc:
        raise Forbidden(f"The signed URL is invalid: {exc}.") from None
    except InvalidKey:
        raise NotFound("The file does not exist.") from None
