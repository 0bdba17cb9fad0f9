"""Named tasks and the context they run with, whichever runner executes them."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.config import Settings

if TYPE_CHECKING:  # the session module imports the worker queue
    from ..core.db.session import Database


@dataclass(frozen=True)
class TaskContext:
    """What a task body may use: it opens its own sessions, it never shares a request's."""

    settings: Settings
    db: "Database"


TaskFn = Callable[..., Awaitable[None]]

_TASKS: dict[str, TaskFn] = {}


def task(name: str) -> Callable[[TaskFn], TaskFn]:
    """Register ``fn`` under ``name``; it is called as ``await fn(ctx, **kwargs)``.

    Tasks must be idempotent: a retried or redelivered job runs the body again.
    """

    def register(fn: TaskFn) -> TaskFn:
        if name in _TASKS and _TASKS[name] is not fn:
            raise RuntimeError(f"task {name!r} is registered twice")
        _TASKS[name] = fn
        return fn

    return register


def get_task(name: str) -> TaskFn:
    from . import task_list  # noqa: F401  (importing it registers every feature's tasks)

    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"unknown task {name!r}") from None


def registered_tasks() -> frozenset[str]:
    from . import task_list  # noqa: F401

    return frozenset(_TASKS)
