"""One unit of work for requests, tasks, commands and start-up alike.

A session whose transaction commits when the block succeeds and rolls back when it
raises; the jobs enqueued on it (`worker.queue.enqueue`) are handed to the dispatcher,
and the analytics events tracked on it (`analytics.track`) to the sender, only after
the commit succeeded, and dropped with a rollback. Services never commit:
they add and flush, and whoever opened the unit of work decides.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ...analytics.tracking import EventRecorder, discard_tracked, take_tracked
from ...worker.queue import Dispatcher, discard_pending, dispatch_committed, has_pending_jobs
from ..errors import ServiceOutage, raises
from .session import Database

logger = structlog.get_logger(__name__)


@asynccontextmanager
async def unit_of_work(
    db: Database, dispatcher: Dispatcher, analytics: EventRecorder | None = None
) -> AsyncIterator[AsyncSession]:
    async with db.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            discard_pending(session)
            discard_tracked(session)
            try:
                await session.rollback()
            except Exception as exc:  # a dead connection: closing the session discards it
                logger.warning("db.rollback_failed", error=repr(exc))
            raise
    if analytics is not None:
        analytics.record(take_tracked(session))
    await dispatch_committed(session, dispatcher)


async def release_connection(session: AsyncSession) -> None:
    """Give the connection back to the pool before slow work (a password hash, a call to
    a vendor); the next statement takes one again, in a new transaction.

    What the session did so far is committed now (in practice a session's
    `last_seen_at`); jobs must not be waiting yet, since only the final commit sends them.
    """
    if has_pending_jobs(session):
        raise RuntimeError("release_connection() after enqueue(): the jobs would leave late")
    await session.commit()


@raises(ServiceOutage)
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed before the response is sent (a 2xx means
    saved; a failed commit is an error response), rolled back on any error."""
    services = request.app.state.services
    async with unit_of_work(services.db, services.dispatcher, services.analytics) as session:
        yield session


# scope="function": the commit runs when the route returns, before the response is sent
# (FastAPI's default for yield dependencies would commit after sending it).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
