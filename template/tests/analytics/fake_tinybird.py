"""A fake Tinybird Events API on loopback, speaking its wire format.

``POST /v0/events?name=<datasource>`` with ``Authorization: Bearer <token>`` and an NDJSON
body; rows are checked against the rendered datasource files (what does not fit is
quarantined, as Tinybird does) and answered with 202 and
``{"successful_rows", "quarantined_rows"}``. A script makes it answer 429 (with
``Retry-After``) or 500, or hang, for the next requests.
"""

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.analytics.tinybird_schema import Column, datasources, row_problems

Answer = Literal[429, 500, "hang"]


@dataclass
class Attempt:
    """One request as received."""

    name: str
    rows: list[dict[str, Any]]
    content_type: str
    # time.monotonic() when it arrived, and what it was answered.
    at: float
    status: int = 0


@dataclass
class FakeTinybird:
    # Set once it is served.
    url: str = ""
    token: str = "p.test-append-token"
    retry_after: str = "1"
    # Answers for the next requests, in order; then 202.
    script: list[Answer] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    quarantined: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Set once a request is hanging; hanging requests end when `release` is set.
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    schemas: dict[str, list[Column]] = field(default_factory=datasources)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v0/events", self._events, methods=["POST"])])

    def rows(self, name: str) -> list[dict[str, Any]]:
        return self.accepted.get(name, [])

    async def _events(self, request: Request) -> JSONResponse:
        name = request.query_params.get("name", "")
        body = (await request.body()).decode()
        rows = [json.loads(line) for line in body.split("\n") if line]
        attempt = Attempt(name, rows, request.headers.get("content-type", ""), time.monotonic())
        self.attempts.append(attempt)
        response = await self._answer(request, name, rows)
        attempt.status = response.status_code
        return response

    async def _answer(
        self, request: Request, name: str, rows: list[dict[str, Any]]
    ) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "Invalid token"}, status_code=403)
        if not name:
            return JSONResponse({"error": "name parameter is required"}, status_code=400)
        answer = self.script.pop(0) if self.script else None
        if answer == "hang":
            self.hanging.set()
            await self.release.wait()
            return JSONResponse({"error": "too late"}, status_code=503)
        if answer == 429:
            return JSONResponse(
                {"error": "Too many requests"},
                status_code=429,
                headers={"Retry-After": self.retry_after},
            )
        if answer == 500:
            return JSONResponse({"error": "Internal server error"}, status_code=500)
        if name not in self.schemas:
            return JSONResponse({"error": f"Data Source {name} not found"}, status_code=404)
        fits = [row for row in rows if not row_problems(self.schemas[name], row)]
        misfits = [row for row in rows if row_problems(self.schemas[name], row)]
        self.accepted.setdefault(name, []).extend(fits)
        if misfits:
            self.quarantined.setdefault(name, []).extend(misfits)
        return JSONResponse(
            {"successful_rows": len(fits), "quarantined_rows": len(misfits)}, status_code=202
        )
