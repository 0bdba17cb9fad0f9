"""Mailing the links asked for by email address, and housekeeping."""

from datetime import timedelta

import structlog

from ..core.db.types import utcnow
from ..services import Services
from ..worker.registry import task
from . import mailed_links, repository

logger = structlog.get_logger(__name__)

# Ended sessions stay this long so "where am I signed in" history survives a little.
KEEP_ENDED_SESSIONS = timedelta(days=30)


@task(mailed_links.RESET_MAIL_TASK)
async def mail_password_reset(services: Services, *, email: str) -> None:
    async with services.unit_of_work() as session:
        await mailed_links.mail_password_reset(
            session, services.settings, services.auth_settings, email
        )


@task(mailed_links.MAGIC_LINK_MAIL_TASK)
async def mail_magic_link(services: Services, *, email: str) -> None:
    async with services.unit_of_work() as session:
        await mailed_links.mail_magic_link(
            session, services.settings, services.auth_settings, email
        )


@task("auth.prune_sessions")
async def prune_sessions(services: Services) -> None:
    async with services.unit_of_work() as session:
        count = await repository.delete_sessions_ended_before(
            session, utcnow() - KEEP_ENDED_SESSIONS
        )
    logger.info("sessions.pruned", count=count)


@task("auth.prune_oauth_states")
async def prune_oauth_states(services: Services) -> None:
    """Sign-ins abandoned between the redirect and the callback."""
    async with services.unit_of_work() as session:
        count = await repository.delete_oauth_states_expired_before(session, utcnow())
    logger.info("oauth_states.pruned", count=count)
