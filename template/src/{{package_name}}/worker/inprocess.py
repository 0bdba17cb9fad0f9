"""Runs committed jobs, and the periodic ones, on the API's own event loop."""

import asyncio
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

import structlog

from ..observability.sentry import capture_exception
from ..observability.tracing import job_span
from .queue import Job
from .registry import get_task
from .schedule import PeriodicJob

if TYPE_CHECKING:  # the services module imports the queue
    from ..services import Services

logger = structlog.get_logger(__name__)


class InProcessDispatcher:
    """The embedded runner: no broker, jobs run after the response on this loop.

    A job that raises is retried with exponential backoff and jitter; after the
    last attempt it is logged as failed. Jobs still running at shutdown are
    awaited by :meth:`drain`.
    """

    def __init__(
        self, services: "Services", *, max_attempts: int = 5, base_delay: float = 0.5
    ) -> None:
        self.services = services
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._running: set[asyncio.Task[None]] = set()
        self._periodic: list[asyncio.Task[None]] = []

    async def dispatch(self, jobs: list[Job]) -> None:
        for job in jobs:
            running = asyncio.create_task(self._run(job), name=f"job:{job.name}")
            self._running.add(running)
            running.add_done_callback(self._running.discard)

    async def healthy(self) -> bool | None:
        return None

    def start_periodic(self, jobs: Iterable[PeriodicJob]) -> None:
        """Run each job every ``job.every``, first after one interval, until :meth:`stop`."""
        for job in jobs:
            loop = asyncio.create_task(self._every(job), name=f"periodic:{job.task}")
            self._periodic.append(loop)

    async def stop(self) -> None:
        """Stop the periodic loops, then wait for the jobs already dispatched."""
        for loop in self._periodic:
            loop.cancel()
        await asyncio.gather(*self._periodic, return_exceptions=True)
        self._periodic.clear()
        await self.drain()

    async def _every(self, job: PeriodicJob) -> None:
        while True:
            await asyncio.sleep(job.every.total_seconds())
            await self.dispatch([Job(job.task, dict(job.kwargs))])

    async def drain(self) -> None:
        """Wait for every job dispatched so far (and any they enqueue)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _run(self, job: Job) -> None:
        # The request that enqueued the job is named on every line the job logs.
        structlog.contextvars.bind_contextvars(request_id=job.request_id, task=job.name)
        fn = get_task(job.name)
        log = logger.bind()
        for attempt in range(1, self.max_attempts + 1):
            try:
                with job_span(job.name, job.trace_context, attempt=attempt):
                    await fn(self.services, **job.kwargs)
            except Exception as exc:
                if attempt == self.max_attempts:
                    log.exception("task.failed", attempt=attempt, exc_info=exc)
                    capture_exception(exc)
                    return
                delay = self.base_delay * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)  # noqa: S311
                log.warning(
                    "task.retrying", attempt=attempt, delay=round(delay, 3), error=repr(exc)
                )
                await asyncio.sleep(delay)
            else:
                log.info("task.succeeded", attempt=attempt)
                return
