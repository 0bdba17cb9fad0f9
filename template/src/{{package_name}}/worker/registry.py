"""Named tasks, whichever runner executes them.

A task body is ``async def fn(services: Services, **kwargs)``: it reads its providers
from the process's `Services` and opens its own unit of work
(``async with services.unit_of_work() as session``), never sharing a request's.
"""

from collections.abc import Awaitable, Callable

TaskFn = Callable[..., Awaitable[None]]

_TASKS: dict[str, TaskFn] = {}


def task(name: str) -> Callable[[TaskFn], TaskFn]:
    """Register ``fn`` under ``name``; it is called as ``await fn(services, **kwargs)``.

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
