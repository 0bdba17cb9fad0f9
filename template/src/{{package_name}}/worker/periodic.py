"""A periodic job: which task runs, how often, with which arguments."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class PeriodicJob:
    task: str
    every: timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)
