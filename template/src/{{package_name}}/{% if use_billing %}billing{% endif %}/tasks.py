"""Processing recorded webhook events, replaying them, pruning the handled ones."""

import uuid
from collections.abc import Sequence

import structlog

from ..core.db.types import utcnow
from ..services import Services
from ..worker.registry import task
from . import repository, service

logger = structlog.get_logger(__name__)


@task("billing.process_event")
async def process_event(services: Services, *, event_id: str) -> None:
    await handle_event(services, uuid.UUID(event_id))


async def handle_event(services: Services, id: uuid.UUID, *, force: bool = False) -> bool:
    """Apply one recorded event and stamp it handled; True if it ran now.

    A handled event is skipped unless ``force`` (a replay; safe, since older state
    never overwrites newer). On failure the attempt and the error are recorded and
    the error re-raised, so the runner retries.
    """
    try:
        async with services.unit_of_work() as session:
            event = await repository.lock_event(session, id)
            if event is None or (event.handled_at is not None and not force):
                return False
            await service.apply_event(session, services.billing, services.billing_settings, event)
            event.attempts += 1
            event.handled_at = utcnow()
            event.last_error = None
    except Exception as exc:
        async with services.unit_of_work() as session:
            failed = await repository.lock_event(session, id)
            if failed is not None:
                failed.attempts += 1
                failed.last_error = repr(exc)[:2000]
        raise
    logger.info("billing.event_handled", event_id=event.event_id, type=event.event_type)
    return True


async def replay_events(services: Services, event_ids: Sequence[str] = ()) -> dict[str, int]:
    """Process the named provider events again (even if handled), or every unhandled one."""
    async with services.unit_of_work() as session:
        if event_ids:
            ids = await repository.event_ids_by_provider_id(session, event_ids)
        else:
            ids = await repository.unhandled_event_ids(session)
    outcome = {"handled": 0, "skipped": 0, "failed": 0}
    for id in ids:
        try:
            ran = await handle_event(services, id, force=bool(event_ids))
        except Exception:
            logger.exception("billing.replay_failed", id=str(id))
            outcome["failed"] += 1
        else:
            outcome["handled" if ran else "skipped"] += 1
    return outcome


@task("billing.prune_events")
async def prune_events(services: Services) -> None:
    cutoff = utcnow() - services.billing_settings.keep_handled_events
    async with services.unit_of_work() as session:
        count = await repository.prune_handled_events(session, cutoff)
    logger.info("billing.events_pruned", count=count)
