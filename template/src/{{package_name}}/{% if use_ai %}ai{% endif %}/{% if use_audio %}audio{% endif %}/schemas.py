"""Transcripts, transcription jobs and speech requests."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class SegmentRead(BaseModel):
    start: float
    end: float
    text: str


class TranscriptRead(BaseModel):
    text: str
    language: str | None
    duration_seconds: float | None
    segments: list[SegmentRead]


class TranscriptionJobRead(BaseModel):
    id: uuid.UUID
    status: Literal["queued", "done", "failed"]
    created_at: datetime
    result: TranscriptRead | None
    error: str | None


class SpeechIn(BaseModel):
    text: str = Field(min_length=1)
    voice: str | None = None
    format: str = "mp3"
    # Keep the audio as one of your stored files instead of answering with it.
    store: bool = False
