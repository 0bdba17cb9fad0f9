"""`enqueue()`: jobs ride on the session and leave only after its transaction commits."""

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..observability.tracing import trace_context
from .registry import registered_tasks

_PENDING = "pending_jobs"


@dataclass(frozen=True)
class Job:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    # The request (or the job) that enqueued it, so the job's log lines name it.
    request_id: str | None = None
    # Its trace (W3C ``traceparent``), so the job's span continues it; {} when not tracing.
    trace_context: dict[str, str] = field(default_factory=dict)


class Dispatcher(Protocol):
    async def dispatch(self, jobs: list[Job]) -> None:
        """Hand committed jobs to whatever runs them."""

    async def healthy(self) -> bool | None:
        """Whether the broker answers; None when there is no broker."""

    async def drain(self) -> None:
        """Wait for the jobs this process runs itself (and any they enqueue)."""


def enqueue(session: AsyncSession, name: str, **kwargs: Any) -> Job:
    """Queue ``name(**kwargs)`` to run once ``session`` commits; dropped on rollback.

    Arguments must be JSON-serialisable: checked here, where the bug is, rather
    than in a worker later.
    """
    if name not in registered_tasks():
        raise LookupError(f"unknown task {name!r}")
    json.dumps(kwargs)
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    job = Job(name, kwargs, request_id if isinstance(request_id, str) else None, trace_context())
    session.info.setdefault(_PENDING, []).append(job)
    return job


def has_pending_jobs(session: AsyncSession) -> bool:
    return bool(session.info.get(_PENDING))


def discard_pending(session: AsyncSession) -> None:
    session.info.pop(_PENDING, None)


async def dispatch_committed(session: AsyncSession, dispatcher: Dispatcher) -> None:
    jobs: list[Job] = session.info.pop(_PENDING, [])
    if jobs:
        await dispatcher.dispatch(jobs)
