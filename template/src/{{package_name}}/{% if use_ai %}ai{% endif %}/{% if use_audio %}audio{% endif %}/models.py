"""Queued transcriptions: the upload waits here for the worker, the result for its owner."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ...core.db.base import Base, IdMixin, TimestampMixin


class TranscriptionJob(IdMixin, TimestampMixin, Base):
    __tablename__ = "transcription_job"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # queued | done | failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(20))
    # The upload, dropped once transcribed so the table does not keep audio around.
    audio: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # The quota held for this job until the worker settles it.
    reservation_id: Mapped[uuid.UUID]
    reserved_period_start: Mapped[datetime]
    reserved_seconds: Mapped[int]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
