"""The ledger (`usage_record`, append-only), monthly counters and open reservations."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ...core.db.base import Base, IdMixin
from ...core.db.types import utcnow


class UsageRecord(IdMixin, Base):
    """One model call. Rows are never changed or deleted: corrections are new rows."""

    __tablename__ = "usage_record"
    __table_args__ = (Index("ix_usage_record_user_id_created_at", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    feature: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    # ok | cut (the caller went away mid-stream) | failed
    status: Mapped[str] = mapped_column(String(20))
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    audio_seconds: Mapped[int] = mapped_column(default=0)
    characters: Mapped[int] = mapped_column(default=0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    request_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@event.listens_for(UsageRecord, "before_update")
@event.listens_for(UsageRecord, "before_delete")
def _refuse_changes(*_args: object) -> None:
    raise RuntimeError("usage_record is append-only")


class UsageCounter(Base):
    """What a user spent in one period; its row is the lock that serialises reservations."""

    __tablename__ = "usage_counter"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    audio_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsageReservation(IdMixin, Base):
    """Quota held by a call in flight, released when the call is settled."""

    __tablename__ = "usage_reservation"
    __table_args__ = (
        Index("ix_usage_reservation_user_id_period_start", "user_id", "period_start"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    period_start: Mapped[datetime]
    tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    audio_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
