"""Housekeeping for sessions."""

from datetime import timedelta

import structlog
from sqlalchemy import delete, or_

from ..core.db.types import utcnow
from ..services import Services
from ..worker.registry import task
from .models import UserSession

logger = structlog.get_logger(__name__)

# Ended sessions stay this long so "where am I signed in" history survives a little.
KEEP_ENDED_SESSIONS = timedelta(days=30)


@task("auth.prune_sessions")
async def prune_sessions(services: Services) -> None:
    cutoff = utcnow() - KEEP_ENDED_SESSIONS
    async with services.unit_of_work() as session:
        result = await session.execute(
            delete(UserSession).where(
                or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff)
            )
        )
    logger.info("sessions.pruned", count=getattr(result, "rowcount", None))
