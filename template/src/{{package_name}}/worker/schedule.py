"""Periodic jobs, declared once for whichever runner executes them (a seam: one line per job)."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class PeriodicJob:
    task: str
    every: timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("auth.prune_sessions", every=timedelta(hours=1)),
    PeriodicJob("storage.prune_pending_uploads", every=timedelta(hours=1)),
)
