"""The request path stays on the event loop: FastAPI runs a plain `def` dependency or
endpoint in a worker thread, a hop that costs more than most of them do."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts


def _runs_on_the_loop(call: Callable[..., Any]) -> bool:
    target = inspect.unwrap(call)
    if not (inspect.isfunction(target) or inspect.ismethod(target)):
        target = type(target).__call__  # a callable instance: HTTPBearer and the like
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for dependency in dependant.dependencies:
        yield from _calls(dependency)


def test_no_dependency_or_endpoint_hops_to_a_thread(app: FastAPI) -> None:
    checked: set[str] = set()
    threaded: set[str] = set()
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue  # the docs pages, served by Starlette
        for call in _calls(dependant):
            name = f"{call.__module__}.{getattr(call, '__qualname__', type(call).__name__)}"
            checked.add(name)
            if not _runs_on_the_loop(call):
                threaded.add(name)

    assert threaded == set()
    assert any(name.endswith("get_current_session") for name in checked)
