"""The app's routes as its routers include them (with their prefix, tags and dependencies).

Newer FastAPI keeps an included router whole and walks it with `iter_route_contexts`;
older versions copy every route into the app's own list.
"""

from collections.abc import Iterator
from typing import Any

from fastapi import routing
from starlette.routing import BaseRoute


def included_routes(routes: list[BaseRoute]) -> Iterator[Any]:
    """Each route in ``routes`` (an app's or a router's), included routers walked through;
    what comes out has a route's attributes (``path_format``, ``methods``, ...)."""
    walk = getattr(routing, "iter_route_contexts", None)
    yield from walk(routes) if walk is not None else routes
