"""Queued transcriptions: run the provider, store the result, settle the quota."""

import time
import uuid

import structlog
from sqlalchemy.orm import undefer

from ...analytics import track
from ...core.providers import ProviderRejected, ProviderUnavailable, require_configured
from ...services import Services
from ...worker.registry import task
from ..usage import service as usage_service
from ..usage.quotas import Amounts
from ..usage.service import Reservation
from . import service as audio_service
from .models import TranscriptionJob
from .providers.base import Transcript

logger = structlog.get_logger(__name__)


@task("ai.audio.transcribe")
async def transcribe_job(services: Services, *, job_id: str) -> None:
    """Idempotent: a job that is no longer queued is left alone."""
    key = uuid.UUID(job_id)
    async with services.unit_of_work() as session:
        job = await session.get(TranscriptionJob, key, options=[undefer(TranscriptionJob.audio)])
        if job is None or job.status != "queued" or job.audio is None:
            return
        audio, filename, content_type = job.audio, job.filename, job.content_type
        language, estimated = job.language, job.reserved_seconds

    settings = services.audio_settings
    provider = require_configured(services.audio, "The audio provider")
    transcript: Transcript | None = None
    error = None
    started = time.monotonic()
    try:
        transcript = await provider.transcribe(
            audio,
            filename=filename,
            content_type=content_type,
            model=settings.transcription_model,
            language=language,
        )
    except (ProviderUnavailable, ProviderRejected) as exc:
        error = exc.message

    async with services.unit_of_work() as session:
        job = await session.get(TranscriptionJob, key, with_for_update=True)
        if job is None or job.status != "queued":
            return
        job.status = "done" if transcript is not None else "failed"
        job.result = audio_service.transcript_data(transcript) if transcript else None
        job.error = error
        job.audio = None
        reservation = Reservation(
            job.reservation_id, job.user_id, job.reserved_period_start, Amounts()
        )
        usage = audio_service.transcription_usage(
            settings,
            provider,
            transcript,
            estimated_seconds=estimated,
            request_id=f"job:{job_id}",
        )
        await usage_service.settle(session, reservation, usage)
        track(session, audio_service.processed_event(job.user_id, usage, started=started))
    logger.info("ai.audio.transcribed", job_id=job_id, status=job.status)
