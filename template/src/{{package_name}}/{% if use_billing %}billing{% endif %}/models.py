"""Provider-neutral subscriptions and the ledger of webhook events received."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db.base import Base, IdMixin, TimestampMixin
from ..core.db.types import utcnow


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"
    EXPIRED = "expired"


# Past due keeps access while the provider retries the payment.
ENTITLED_STATUSES = frozenset(
    {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE}
)
# Terminal in every provider: nothing moves a subscription out of these.
FINAL_STATUSES = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED})


class Subscription(IdMixin, TimestampMixin, Base):
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[SubscriptionStatus] = mapped_column(
        Enum(
            SubscriptionStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [s.value for s in e],
        )
    )
    # The plan code from settings; None when the price matches no configured plan.
    plan: Mapped[str | None] = mapped_column(String(50))
    price_id: Mapped[str | None] = mapped_column(String(255))
    current_period_end: Mapped[datetime | None]
    trial_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    # When the provider produced the state stored here: older events never overwrite it.
    provider_updated_at: Mapped[datetime]

    @property
    def is_entitled(self) -> bool:
        return self.status in ENTITLED_STATUSES


class BillingEvent(IdMixin, Base):
    """A webhook delivery, recorded before any side effect; unique per provider event."""

    __tablename__ = "billing_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
