"""A fake Sentry ingestion endpoint on loopback: ``POST /api/<project>/envelope/``.

The SDK compresses envelopes with gzip, or brotli when the ``brotli`` module is
installed; an envelope is a header line, then an item header and its payload per item.
"""

import gzip
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class FakeSentry:
    # The raw (decompressed) bodies, and every item as (item header, payload).
    bodies: list[bytes] = field(default_factory=list)
    items: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    auth_headers: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/api/{project:int}/envelope/", self._envelope, methods=["POST"])]
        )

    def events(self) -> list[dict[str, Any]]:
        return [payload for header, payload in self.items if header.get("type") == "event"]

    async def _envelope(self, request: Request) -> Response:
        body = await request.body()
        encoding = request.headers.get("content-encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            # The SDK compresses with brotli only when the module is installed.
            body = importlib.import_module("brotli").decompress(body)
        self.bodies.append(body)
        self.auth_headers.append(request.headers.get("x-sentry-auth", ""))
        self.items.extend(_items(body))
        return Response(status_code=200)


def _items(body: bytes) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    _, _, rest = body.partition(b"\n")  # the envelope's own header
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        header = json.loads(line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        try:
            items.append((header, json.loads(payload)))
        except ValueError:
            items.append((header, {}))
    return items
