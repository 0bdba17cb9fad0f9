"""The payment provider interface and its neutral types."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ...core.providers import Provider
from ..models import SubscriptionStatus

# The ledger's columns: longer values are not events we could ever have been sent.
MAX_EVENT_ID = 255
MAX_EVENT_TYPE = 100


class InvalidWebhook(Exception):
    """The body is not a genuine, well-formed event from the provider."""


@dataclass(frozen=True)
class CheckoutRequest:
    user_id: uuid.UUID
    email: str
    price_id: str
    success_url: str
    cancel_url: str
    # The provider's customer from an earlier subscription, reused when known.
    customer_id: str | None = None


@dataclass(frozen=True)
class VerifiedEvent:
    """A webhook whose signature checked out. ``event_id`` is unique per provider."""

    event_id: str
    event_type: str
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        # Signed is not the same as well-formed: check before anything is stored.
        for field, value, limit in (
            ("id", self.event_id, MAX_EVENT_ID),
            ("type", self.event_type, MAX_EVENT_TYPE),
        ):
            if not isinstance(value, str) or not value or len(value) > limit:
                raise InvalidWebhook(f"the event {field} is missing or not a string of 1-{limit}")
        if not isinstance(self.payload, dict):
            raise InvalidWebhook("the event is not a JSON object")


@dataclass(frozen=True)
class SubscriptionChange:
    """What an event says about one subscription; ``None`` fields are left as stored."""

    external_id: str
    occurred_at: datetime
    user_id: uuid.UUID | None = None
    customer_id: str | None = None
    status: SubscriptionStatus | None = None
    price_id: str | None = None
    current_period_end: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool | None = None


class BillingProvider(Provider, Protocol):
    def webhook_secret_setting(self) -> str | None:
        """The webhook secret's variable name when it is empty (the endpoint is then off)."""

    async def create_checkout(self, request: CheckoutRequest) -> str:
        """Start a hosted checkout for a subscription and return its URL.

        Vendor failures raise `ProviderUnavailable` or `ProviderRejected`.
        """

    async def create_portal(
        self, *, customer_id: str | None, subscription_id: str, return_url: str
    ) -> str:
        """Return a URL where the customer manages payment methods and cancels."""

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> VerifiedEvent:
        """Check the signature over the raw ``body``; raise `InvalidWebhook` if it fails."""

    def subscription_change(
        self, event_type: str, payload: Mapping[str, Any]
    ) -> SubscriptionChange | None:
        """Translate a stored event; ``None`` for events that change no subscription."""
