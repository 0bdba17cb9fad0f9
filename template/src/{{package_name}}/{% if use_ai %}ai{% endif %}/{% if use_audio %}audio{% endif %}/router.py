"""`POST /ai/audio/transcriptions` (+ `GET .../{id}` for queued ones), `POST /ai/audio/speech`."""

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse

from ...auth.dependencies import CurrentUser
from ...core.db.types import utcnow
from ...core.db.unit_of_work import DbSession, release_connection
from ...core.errors import BadRequest, NotFound, raises
from ...storage import service as storage_service
from ...storage.schemas import FileRead
from ..usage import quotas
from ..usage.dependencies import LedgerDep
from ..usage.ledger import Ledger
from ..usage.quotas import Amounts
from ..usage.service import Reservation, Usage
from . import service as audio_service
from .config import AudioSettings
from .dependencies import AudioProviderDep, AudioSettingsDep, StorageOnDemand
from .models import TranscriptionJob
from .providers.base import AudioProvider, Transcript
from .schemas import SpeechIn, TranscriptionJobRead, TranscriptRead

router = APIRouter(tags=["ai"])


async def _reserve_whole(
    ledger: Ledger,
    user_id: uuid.UUID,
    estimate: Amounts,
    provider: AudioProvider,
    settings: AudioSettings,
) -> Reservation:
    """A reservation of all of ``estimate``: a recording cannot be cut to fit a quota,
    so a call that would spend more than is left is refused (429) before it starts."""
    reservation = await ledger.reserve(user_id, estimate)
    if (quota := quotas.shortfall(reservation.amounts, estimate)) is not None:
        unused = Usage(feature="audio", provider=provider.name, model=settings.transcription_model)
        await ledger.release(reservation, unused)
        raise quotas.not_enough_left(
            quota,
            left=reservation.amounts.get(quota),
            wanted=estimate.get(quota),
            now=utcnow(),
        )
    return reservation


def _job_read(job: TranscriptionJob) -> TranscriptionJobRead:
    return TranscriptionJobRead.model_validate(
        {
            "id": job.id,
            "status": job.status,
            "created_at": job.created_at,
            "result": job.result,
            "error": job.error,
        }
    )


@router.post(
    "/ai/audio/transcriptions",
    response_model=TranscriptRead,
    responses={202: {"model": TranscriptionJobRead, "description": "Queued; poll its id"}},
)
@raises(BadRequest, NotFound)
async def transcribe(
    user: CurrentUser,
    session: DbSession,
    ledger: LedgerDep,
    settings: AudioSettingsDep,
    provider: AudioProviderDep,
    storage: StorageOnDemand,
    file: Annotated[UploadFile | None, File()] = None,
    file_id: Annotated[uuid.UUID | None, Form()] = None,
    language: Annotated[str | None, Form(max_length=20)] = None,
    background: Annotated[bool, Form()] = False,
) -> Any:
    """Multipart: a ``file`` upload, or the ``file_id`` of one of your stored files.
    Large files (or ``background=true``) are queued: 202 with a job to poll at
    ``GET /ai/audio/transcriptions/{id}``."""
    if file is not None and file_id is None:
        data = await file.read(settings.max_upload_bytes + 1)
        filename = file.filename or "audio"
        content_type = file.content_type or "application/octet-stream"
    elif file_id is not None and file is None:
        stored = await storage_service.get_owned_ready_file(
            session, owner_id=user.id, file_id=file_id
        )
        audio_service.check_size(settings, stored.size)
        data = await storage_service.read_bytes(storage(), stored)
        filename, content_type = stored.filename, stored.content_type
    else:
        raise BadRequest("Send either a file or the file_id of a stored file.")
    seconds = audio_service.check_upload(settings, filename, data)
    estimate = audio_service.transcription_estimate(settings, provider, seconds)
    # The ledger reserves in a unit of work of its own, and the call may take a while:
    # give the connection back first (on SQLite, the app's only one).
    await release_connection(session)

    if background or len(data) > settings.queue_above_bytes:
        reservation = await _reserve_whole(ledger, user.id, estimate, provider, settings)
        job = await audio_service.queue_transcription(
            session,
            user_id=user.id,
            filename=filename,
            content_type=content_type,
            language=language,
            data=data,
            reservation=reservation,
        )
        return JSONResponse(_job_read(job).model_dump(mode="json"), status_code=202)

    reservation = await _reserve_whole(ledger, user.id, estimate, provider, settings)
    transcript: Transcript | None = None
    started = time.monotonic()
    try:
        transcript = await provider.transcribe(
            data,
            filename=filename,
            content_type=content_type,
            model=settings.transcription_model,
            language=language,
        )
    finally:
        usage = audio_service.transcription_usage(
            settings, provider, transcript, estimated_seconds=seconds
        )
        event = audio_service.processed_event(user.id, usage, started=started)
        await ledger.settle(reservation, usage, event=event)
    return TranscriptRead.model_validate(audio_service.transcript_data(transcript))


@router.get("/ai/audio/transcriptions/{job_id}")
@raises(NotFound)
async def read_transcription(
    job_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> TranscriptionJobRead:
    return _job_read(await audio_service.get_own_job(session, user.id, job_id))


@router.post(
    "/ai/audio/speech",
    response_class=Response,
    responses={
        # The provider's format: audio/mpeg, audio/wav, audio/ogg, audio/flac, ...
        200: {
            "content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The audio",
        },
        201: {"model": FileRead, "description": "With store: true, the stored file"},
    },
)
@raises(BadRequest)
async def speak(
    body: SpeechIn,
    user: CurrentUser,
    session: DbSession,
    ledger: LedgerDep,
    settings: AudioSettingsDep,
    provider: AudioProviderDep,
    storage: StorageOnDemand,
) -> Response:
    """The audio bytes, or with ``store: true`` a file in your storage (201)."""
    voice = audio_service.check_speech(settings, body.text, body.voice, body.format)
    backend = storage() if body.store else None  # a 503 now, before anything is spent
    await release_connection(session)
    cost = audio_service.speech_cost(settings, provider, len(body.text))
    reservation = await _reserve_whole(
        ledger, user.id, Amounts(cost_micros=cost), provider, settings
    )
    usage = Usage(
        feature=audio_service.SPEECH,
        provider=provider.name,
        model=settings.speech_model,
        status="failed",
        free=provider.free,
    )
    started = time.monotonic()
    try:
        speech = await provider.synthesize(
            body.text, model=settings.speech_model, voice=voice, audio_format=body.format
        )
        usage = Usage(
            feature=audio_service.SPEECH,
            provider=provider.name,
            model=settings.speech_model,
            characters=len(body.text),
            cost_micros=cost,
            free=provider.free,
        )
    finally:
        event = audio_service.processed_event(user.id, usage, started=started)
        await ledger.settle(reservation, usage, event=event)
    if backend is not None:
        stored = await storage_service.save_bytes(
            session,
            backend,
            owner_id=user.id,
            filename=f"speech.{body.format}",
            content_type=speech.content_type,
            data=speech.audio,
        )
        return JSONResponse(
            FileRead.model_validate(stored).model_dump(mode="json"),
            status_code=201,
            headers={"X-Usage-Cost-Micros": str(cost)},
        )
    return Response(
        speech.audio, media_type=speech.content_type, headers={"X-Usage-Cost-Micros": str(cost)}
    )
