"""Serving an ASGI app on 127.0.0.1 inside the test's event loop, over real HTTP."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import uvicorn
from starlette.types import ASGIApp

# How long stopping waits for requests still running before it cancels them.
_STOP_SECONDS = 0.25


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Run ``app`` with uvicorn on a free loopback port; yields its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="warning",
        http="h11",
        ws="none",
        # As the app is deployed: it applies FORWARDED_ALLOW_IPS itself, uvicorn never.
        proxy_headers=False,
    )
    config.load()
    server = uvicorn.Server(config)
    # The server's own `serve()` polls for a stop request every 0.1 s and then waits
    # another 0.1 s for connections to close: a fifth of a second per test. Started and
    # stopped here instead, it stops at once.
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    await server.on_tick(0)  # the Date and Server headers, as `serve()` sets them first
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        for listener in server.servers:
            listener.close()
        for connection in list(server.server_state.connections):
            connection.shutdown()
        # Requests still running (a stream whose client just left) end within a few turns
        # of the loop; one held open must not hold the test up for long.
        if running := set(server.server_state.tasks):
            _, held = await asyncio.wait(running, timeout=_STOP_SECONDS)
            for task in held:
                task.cancel()
        for listener in server.servers:
            await listener.wait_closed()


async def on_one_connection(base_url: str, *requests: str) -> list[tuple[int, bytes]]:
    """Send ``requests`` ("GET /path", one after the other) over a single keep-alive
    connection; raises if the server closes it before answering them all."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    answers = []
    try:
        for request in requests:
            method, path = request.split(" ", 1)
            writer.write(f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            answers.append((status, await reader.readexactly(length)))
    finally:
        writer.close()
    return answers
