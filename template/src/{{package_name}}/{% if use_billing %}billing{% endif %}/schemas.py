"""Request and response bodies, and the entitlements other modules read."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from pydantic import BaseModel, Field

from .models import SubscriptionStatus


@dataclass(frozen=True)
class Entitlements:
    """What a user may use now: their plan's when the subscription is active or
    trialing (or past due, while the provider retries), else the free allowance.

    ``limits`` are allowances by key (e.g. ``storage_bytes``); the feature that reads a
    key decides what its absence means.
    """

    plan: str | None
    status: str | None
    limits: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    features: frozenset[str] = frozenset()


class PlanOut(BaseModel):
    code: str
    name: str
    features: list[str]
    limits: dict[str, int]


class CheckoutIn(BaseModel):
    plan: str = Field(min_length=1, max_length=50)


class RedirectOut(BaseModel):
    url: str


class SubscriptionOut(BaseModel):
    provider: str
    status: SubscriptionStatus
    plan: str | None
    current_period_end: datetime | None
    trial_end: datetime | None
    cancel_at_period_end: bool


class EntitlementsOut(BaseModel):
    plan: str | None
    status: str | None
    limits: dict[str, int]
    features: list[str]


class SubscriptionStateOut(BaseModel):
    subscription: SubscriptionOut | None
    entitlements: EntitlementsOut


class WebhookAck(BaseModel):
    received: bool = True
    duplicate: bool
