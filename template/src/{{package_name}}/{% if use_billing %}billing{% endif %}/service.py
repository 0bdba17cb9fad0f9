"""Checkout, portal, subscription state and entitlements; webhook events applied."""

import uuid
from collections.abc import Sequence
from types import MappingProxyType

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import SubscriptionCanceled, SubscriptionChanged, SubscriptionStarted
from ..core.errors import BadRequest, Conflict, NotFound
from ..users.models import User
from ..worker.queue import enqueue
from . import repository
from .config import BillingSettings
from .models import (
    ENTITLED_STATUSES,
    FINAL_STATUSES,
    BillingEvent,
    Subscription,
    SubscriptionStatus,
)
from .providers.base import BillingProvider, CheckoutRequest, SubscriptionChange, VerifiedEvent
from .schemas import Entitlements

logger = structlog.get_logger(__name__)


def current_subscription(subscriptions: Sequence[Subscription]) -> Subscription | None:
    """The entitled subscription if there is one, else the most recently changed."""
    entitled = [s for s in subscriptions if s.is_entitled]
    candidates = entitled or list(subscriptions)
    return candidates[0] if candidates else None


async def get_current_subscription(
    session: AsyncSession, user_id: uuid.UUID
) -> Subscription | None:
    return current_subscription(await repository.user_subscriptions(session, user_id))


def entitlements_for(subscription: Subscription | None, settings: BillingSettings) -> Entitlements:
    plan = settings.plan(subscription.plan) if subscription and subscription.plan else None
    if subscription is None or plan is None or not subscription.is_entitled:
        return Entitlements(
            plan=None,
            status=subscription.status.value if subscription else None,
            limits=MappingProxyType(dict(settings.free_limits)),
            features=frozenset(settings.free_features),
        )
    return Entitlements(
        plan=plan.code,
        status=subscription.status.value,
        limits=MappingProxyType(dict(plan.limits)),
        features=frozenset(plan.features),
    )


async def get_entitlements(
    session: AsyncSession, settings: BillingSettings, user_id: uuid.UUID
) -> Entitlements:
    """What ``user_id`` may use now (plan limits and features, or the free ones)."""
    subscription = await get_current_subscription(session, user_id)
    return entitlements_for(subscription, settings)


async def start_checkout(
    session: AsyncSession,
    provider: BillingProvider,
    settings: BillingSettings,
    user: User,
    plan_code: str,
) -> str:
    plan = settings.plan(plan_code)
    if plan is None:
        raise NotFound(f"There is no plan {plan_code!r}.")
    if not plan.price_id:
        raise BadRequest(f"The plan {plan_code!r} has no price id configured.")
    current = await get_current_subscription(session, user.id)
    if current is not None and current.is_entitled:
        raise Conflict("You already have a subscription; manage it in the billing portal.")
    request = CheckoutRequest(
        user_id=user.id,
        email=user.email,
        price_id=plan.price_id,
        success_url=settings.success_url,
        cancel_url=settings.cancel_url,
        customer_id=current.customer_id if current is not None else None,
    )
    return await provider.create_checkout(request)


async def open_portal(
    session: AsyncSession, provider: BillingProvider, settings: BillingSettings, user: User
) -> str:
    current = await get_current_subscription(session, user.id)
    if current is None:
        raise NotFound("You have no subscription yet.")
    try:
        return await provider.create_portal(
            customer_id=current.customer_id,
            subscription_id=current.external_id,
            return_url=settings.portal_return_url,
        )
    except LookupError as exc:
        raise NotFound("There is no billing portal for this subscription.") from exc


async def receive_event(
    session: AsyncSession, provider: BillingProvider, event: VerifiedEvent
) -> bool:
    """Record the event once and queue its processing; False for a duplicate."""
    new_id = await repository.record_event(
        session,
        provider=provider.name,
        event_id=event.event_id,
        event_type=event.event_type,
        payload=event.payload,
    )
    if new_id is not None:
        enqueue(session, "billing.process_event", event_id=str(new_id))
        return False
    existing = await repository.get_event(session, provider=provider.name, event_id=event.event_id)
    if existing is not None and existing.handled_at is None:
        # Redelivered before we managed to handle it: try again (the task is idempotent).
        enqueue(session, "billing.process_event", event_id=str(existing.id))
    return True


async def apply_event(
    session: AsyncSession,
    provider: BillingProvider,
    settings: BillingSettings,
    event: BillingEvent,
) -> None:
    change = provider.subscription_change(event.event_type, event.payload)
    log = logger.bind(provider=event.provider, event_id=event.event_id, type=event.event_type)
    if change is None:
        log.info("billing.event_ignored")
        return
    await apply_change(session, provider.name, settings, change)


async def apply_change(
    session: AsyncSession, provider: str, settings: BillingSettings, change: SubscriptionChange
) -> Subscription | None:
    """Store what ``change`` says, unless the stored state is newer."""
    log = logger.bind(provider=provider, subscription=change.external_id)
    subscription = await repository.get_subscription(
        session, provider=provider, external_id=change.external_id
    )
    if subscription is None:
        user_id = change.user_id
        if user_id is None and change.customer_id:
            user_id = await repository.user_for_customer(
                session, provider=provider, customer_id=change.customer_id
            )
        if user_id is None or change.status is None:
            log.warning("billing.subscription_unknown", has_user=user_id is not None)
            return None
        subscription = Subscription(
            user_id=user_id,
            provider=provider,
            external_id=change.external_id,
            status=change.status,
            provider_updated_at=change.occurred_at,
        )
        session.add(subscription)
        before = None
    elif _is_stale(subscription, change):
        log.info("billing.stale_event_skipped", stored=subscription.provider_updated_at)
        return subscription
    else:
        before = (subscription.status, subscription.plan)
    _merge(subscription, change, settings)
    await session.flush()
    log.info("billing.subscription_updated", status=subscription.status.value)
    _track_transition(session, subscription, before)
    return subscription


def _track_transition(
    session: AsyncSession,
    subscription: Subscription,
    before: tuple[SubscriptionStatus, str | None] | None,
) -> None:
    """The analytics event of what changed: it started to grant its plan, it ended for
    good, or its plan or status moved; nothing when the event changed neither."""
    status, plan, price_id = subscription.status.value, subscription.plan, subscription.price_id
    user_id, provider = subscription.user_id, subscription.provider
    if subscription.status in FINAL_STATUSES and (
        before is None or before[0] not in FINAL_STATUSES
    ):
        track(
            session,
            SubscriptionCanceled(
                user_id=user_id, provider=provider, plan=plan, price_id=price_id, status=status
            ),
        )
    elif subscription.is_entitled and (before is None or before[0] not in ENTITLED_STATUSES):
        track(
            session,
            SubscriptionStarted(
                user_id=user_id, provider=provider, plan=plan, price_id=price_id, status=status
            ),
        )
    elif before is not None and before != (subscription.status, plan):
        track(
            session,
            SubscriptionChanged(
                user_id=user_id,
                provider=provider,
                plan=plan,
                previous_plan=before[1],
                price_id=price_id,
                status=status,
                previous_status=before[0].value,
            ),
        )


# Where a subscription stands in its life. Events stamped in the same second arrive in
# any order; of two such states, the later stage wins (a `created` event saying
# "incomplete" that arrives after an `updated` one saying "active" changes nothing).
_STAGE = {
    SubscriptionStatus.INCOMPLETE: 0,
    SubscriptionStatus.TRIALING: 1,
    SubscriptionStatus.ACTIVE: 2,
    SubscriptionStatus.PAST_DUE: 2,
    SubscriptionStatus.UNPAID: 2,
    SubscriptionStatus.PAUSED: 2,
    SubscriptionStatus.CANCELED: 3,
    SubscriptionStatus.EXPIRED: 3,
}


def _is_stale(subscription: Subscription, change: SubscriptionChange) -> bool:
    # Both providers end a subscription for good: a later invoice event (a final
    # invoice paid after cancellation, say) never brings it back.
    if subscription.status in FINAL_STATUSES and change.status not in FINAL_STATUSES:
        return True
    if change.occurred_at != subscription.provider_updated_at:
        return change.occurred_at < subscription.provider_updated_at
    if change.status is None:
        return False  # same instant, no state of its own: its details still apply
    return _STAGE[change.status] < _STAGE[subscription.status]


def _merge(
    subscription: Subscription, change: SubscriptionChange, settings: BillingSettings
) -> None:
    subscription.provider_updated_at = change.occurred_at
    if change.status is not None:
        subscription.status = change.status
    if change.customer_id is not None:
        subscription.customer_id = change.customer_id
    if change.price_id is not None:
        subscription.price_id = change.price_id
        plan = settings.plan_for_price(change.price_id)
        subscription.plan = plan.code if plan else None
    if change.current_period_end is not None:
        subscription.current_period_end = change.current_period_end
    if change.trial_end is not None:
        subscription.trial_end = change.trial_end
    if change.cancel_at_period_end is not None:
        subscription.cancel_at_period_end = change.cancel_at_period_end
