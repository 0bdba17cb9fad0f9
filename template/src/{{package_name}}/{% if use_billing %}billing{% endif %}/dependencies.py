"""`ActiveSubscription` and `require_plan(...)` for any router; the configured provider."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from ..auth.dependencies import CurrentUser
from ..core.db.unit_of_work import DbSession
from ..core.errors import NotFound, PaymentRequired, raises
from ..core.providers import (
    NotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    require_configured,
)
from ..services import ServicesDep
from . import service
from .config import BillingSettings
from .models import Subscription
from .providers.base import BillingProvider


async def get_billing_settings(services: ServicesDep) -> BillingSettings:
    return services.billing_settings


BillingSettingsDep = Annotated[BillingSettings, Depends(get_billing_settings)]


@raises(NotConfigured, ProviderUnavailable, ProviderRejected)
async def configured_provider(services: ServicesDep) -> BillingProvider:
    """The provider, or 503 naming the settings to fill in; its calls fail as the provider
    contract says (503 unavailable, 502 rejected)."""
    return require_configured(services.billing, "Billing")


ConfiguredProvider = Annotated[BillingProvider, Depends(configured_provider)]


@raises(NotFound, NotConfigured)
async def webhook_provider(provider: str, services: ServicesDep) -> BillingProvider:
    """The provider named in the path; its endpoint is off while its secret is empty."""
    configured = services.billing
    if provider != configured.name:
        raise NotFound(f"No webhooks are accepted for {provider!r}.")
    if setting := configured.webhook_secret_setting():
        raise NotConfigured("The webhook endpoint", [setting])
    return configured


WebhookProvider = Annotated[BillingProvider, Depends(webhook_provider)]


@raises(PaymentRequired)
async def get_active_subscription(user: CurrentUser, session: DbSession) -> Subscription:
    subscription = await service.get_current_subscription(session, user.id)
    if subscription is None or not subscription.is_entitled:
        raise PaymentRequired("This requires an active subscription.")
    return subscription


ActiveSubscription = Annotated[Subscription, Depends(get_active_subscription)]


def require_plan(*plans: str) -> Callable[[Subscription], Awaitable[Subscription]]:
    """A dependency that answers 402 unless the caller's active plan is one of ``plans``:
    ``@router.get("/reports", dependencies=[Depends(require_plan("pro", "team"))])``."""

    @raises(PaymentRequired)
    async def check(subscription: ActiveSubscription) -> Subscription:
        if subscription.plan not in plans:
            raise PaymentRequired(
                f"This requires the {' or '.join(plans)} plan.",
                details={"required_plans": list(plans), "plan": subscription.plan},
            )
        return subscription

    return check
