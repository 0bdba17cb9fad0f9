"""Plans, checkout, portal, the caller's subscription, and the provider's webhooks."""

import structlog
from fastapi import APIRouter, Request

from ..auth.dependencies import CurrentUser
from ..core.db.unit_of_work import DbSession
from ..core.errors import BadRequest, Conflict, NotFound, raises
from . import service
from .dependencies import BillingSettingsDep, ConfiguredProvider, WebhookProvider
from .providers.base import InvalidWebhook
from .schemas import (
    CheckoutIn,
    EntitlementsOut,
    PlanOut,
    RedirectOut,
    SubscriptionOut,
    SubscriptionStateOut,
    WebhookAck,
)

logger = structlog.get_logger(__name__)

router = APIRouter(prefix="/billing", tags=["billing"])


@router.get("/plans", summary="Plans for sale (public)")
async def list_plans(settings: BillingSettingsDep) -> list[PlanOut]:
    return [
        PlanOut(code=p.code, name=p.name, features=sorted(p.features), limits=p.limits)
        for p in settings.plans
    ]


@router.post("/checkout")
@raises(NotFound, BadRequest, Conflict)
async def checkout(
    body: CheckoutIn,
    user: CurrentUser,
    session: DbSession,
    provider: ConfiguredProvider,
    settings: BillingSettingsDep,
) -> RedirectOut:
    url = await service.start_checkout(session, provider, settings, user, body.plan)
    return RedirectOut(url=url)


@router.post("/portal")
@raises(NotFound)
async def portal(
    user: CurrentUser,
    session: DbSession,
    provider: ConfiguredProvider,
    settings: BillingSettingsDep,
) -> RedirectOut:
    return RedirectOut(url=await service.open_portal(session, provider, settings, user))


@router.get("/subscription")
async def my_subscription(
    user: CurrentUser, session: DbSession, settings: BillingSettingsDep
) -> SubscriptionStateOut:
    subscription = await service.get_current_subscription(session, user.id)
    entitlements = service.entitlements_for(subscription, settings)
    return SubscriptionStateOut(
        subscription=SubscriptionOut.model_validate(subscription, from_attributes=True)
        if subscription
        else None,
        entitlements=EntitlementsOut(
            plan=entitlements.plan,
            status=entitlements.status,
            limits=dict(entitlements.limits),
            features=sorted(entitlements.features),
        ),
    )


@router.post("/webhooks/{provider}", summary="Provider webhooks (public, signature-checked)")
@raises(BadRequest)
async def webhook(request: Request, provider: WebhookProvider, session: DbSession) -> WebhookAck:
    body = await request.body()
    try:
        event = provider.verify_webhook(body, request.headers)
    except InvalidWebhook as exc:
        logger.warning("billing.webhook_rejected", provider=provider.name, reason=str(exc))
        raise BadRequest(f"Invalid webhook: {exc}") from exc
    duplicate = await service.receive_event(session, provider, event)
    return WebhookAck(duplicate=duplicate)
