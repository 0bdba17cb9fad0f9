"""Checking uploads and speech requests against the limits, and pricing what was done."""

import io
import math
import time
import uuid
import wave
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ...analytics.events import AiAudioProcessed
from ...core.errors import BadRequest, NotFound, PayloadTooLarge
from ...worker.queue import enqueue
from ..usage.quotas import Amounts
from ..usage.service import Reservation, Usage, cost_micros
from .config import AudioSettings
from .models import TranscriptionJob
from .providers.base import AudioProvider, Transcript

TRANSCRIPTION = "transcription"
SPEECH = "speech"
# Compressed formats are sized at 128 kbit/s to estimate their duration before the
# call; the provider's own duration is what the ledger records afterwards.
ASSUMED_BYTES_PER_SECOND = 16_000


def check_upload(settings: AudioSettings, filename: str, data: bytes) -> int:
    """The upload's duration in seconds (exact for WAV, estimated otherwise); 4xx when
    it is empty, too large, too long or in a format we do not accept."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension not in settings.accepted_formats:
        raise BadRequest(
            f"Files of type {extension or '(none)'!r} are not accepted.",
            details={"accepted_formats": settings.accepted_formats},
        )
    if not data:
        raise BadRequest("The file is empty.")
    check_size(settings, len(data))
    seconds = _wav_seconds(data) if extension == "wav" else None
    if seconds is None:
        seconds = math.ceil(len(data) / ASSUMED_BYTES_PER_SECOND)
    if seconds > settings.max_seconds:
        raise PayloadTooLarge(
            f"The recording is about {seconds} seconds long; the limit is {settings.max_seconds}.",
            details={"max_seconds": settings.max_seconds},
        )
    return max(seconds, 1)


def check_size(settings: AudioSettings, size: int) -> None:
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is larger than {settings.max_upload_bytes} bytes.",
            details={"max_upload_bytes": settings.max_upload_bytes},
        )


def _wav_seconds(data: bytes) -> int | None:
    try:
        with wave.open(io.BytesIO(data)) as recording:
            frames: int = recording.getnframes()
            rate: int = recording.getframerate()
    except (wave.Error, EOFError):
        return None
    return math.ceil(frames / rate) if rate else None


def transcription_cost(settings: AudioSettings, model: str, seconds: float) -> int:
    per_minute = settings.transcription_prices.get(model, 0)
    return -(-math.ceil(seconds * 1000) * per_minute // 60_000)


def transcription_estimate(
    settings: AudioSettings, provider: AudioProvider, seconds: int
) -> Amounts:
    if provider.free:
        return Amounts()
    return Amounts(
        audio_seconds=seconds,
        cost_micros=transcription_cost(settings, settings.transcription_model, seconds),
    )


def transcription_usage(
    settings: AudioSettings,
    provider: AudioProvider,
    transcript: Transcript | None,
    *,
    estimated_seconds: int,
    request_id: str | None = None,
) -> Usage:
    """What a transcription spent: the provider's duration, else our estimate."""
    if transcript is None:
        return Usage(
            feature=TRANSCRIPTION,
            provider=provider.name,
            model=settings.transcription_model,
            status="failed",
            request_id=request_id,
            free=provider.free,
        )
    seconds = transcript.duration_seconds
    if seconds is None:
        seconds = estimated_seconds
    return Usage(
        feature=TRANSCRIPTION,
        provider=provider.name,
        model=settings.transcription_model,
        audio_seconds=math.ceil(seconds),
        cost_micros=0
        if provider.free
        else transcription_cost(settings, settings.transcription_model, seconds),
        free=provider.free,
        request_id=request_id,
    )


def processed_event(user_id: uuid.UUID, usage: Usage, *, started: float) -> AiAudioProcessed:
    """The `ai_audio_processed` event of a call that began at ``started`` (monotonic)."""
    return AiAudioProcessed(
        user_id=user_id,
        operation=usage.feature,
        provider=usage.provider,
        model=usage.model,
        status=usage.status,
        audio_seconds=usage.audio_seconds,
        characters=usage.characters,
        cost_micros=usage.cost_micros,
        latency_ms=round((time.monotonic() - started) * 1000, 2),
    )


def transcript_data(transcript: Transcript) -> dict[str, Any]:
    return asdict(transcript)


def check_speech(settings: AudioSettings, text: str, voice: str | None, audio_format: str) -> str:
    """The voice to use; 4xx when the request breaks a limit."""
    if len(text) > settings.max_speech_chars:
        raise PayloadTooLarge(
            f"The text holds {len(text)} characters; the limit is {settings.max_speech_chars}.",
            details={"max_speech_chars": settings.max_speech_chars},
        )
    chosen = voice or settings.voice
    if chosen not in settings.voices:
        raise BadRequest(f"Unknown voice {chosen!r}.", details={"voices": settings.voices})
    if audio_format not in settings.speech_formats:
        raise BadRequest(
            f"Unknown format {audio_format!r}.", details={"formats": settings.speech_formats}
        )
    return chosen


def speech_cost(settings: AudioSettings, provider: AudioProvider, characters: int) -> int:
    if provider.free:
        return 0
    return cost_micros(characters, settings.speech_prices.get(settings.speech_model, 0))


async def queue_transcription(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    filename: str,
    content_type: str,
    language: str | None,
    data: bytes,
    reservation: Reservation,
) -> TranscriptionJob:
    job = TranscriptionJob(
        user_id=user_id,
        status="queued",
        filename=filename,
        content_type=content_type,
        language=language,
        audio=data,
        reservation_id=reservation.id,
        reserved_period_start=reservation.period_start,
        reserved_seconds=reservation.amounts.audio_seconds,
    )
    session.add(job)
    await session.flush()
    enqueue(session, "ai.audio.transcribe", job_id=str(job.id))
    return job


async def get_own_job(
    session: AsyncSession, user_id: uuid.UUID, job_id: uuid.UUID
) -> TranscriptionJob:
    job = await session.get(TranscriptionJob, job_id)
    if job is None or job.user_id != user_id:
        raise NotFound("No such transcription.")
    return job
