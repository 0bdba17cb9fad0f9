"""The append-only table the `database` analytics provider writes to."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db.base import Base


class AnalyticsEventRecord(Base):
    """One product event; rows are only ever inserted. ``id`` is the event's own id."""

    __tablename__ = "analytics_event"
    __table_args__ = (Index("ix_analytics_event_name_occurred_at", "name", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    # No foreign key: the history stays readable after an account is deleted.
    user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
