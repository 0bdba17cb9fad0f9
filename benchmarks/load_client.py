"""Closed-loop HTTP/1.1 load from its own process, when wrk is not installed.

`python load_client.py URL SECONDS CONNECTIONS [--header "Name: value"]...` keeps
CONNECTIONS keep-alive connections busy for SECONDS and prints JSON: requests per
second, p50/p99 latency in ms, and how many answers were not 2xx. Standard library
only; one Python process tops out at a few thousand requests per second, so a fast
endpoint measured this way reads slower than it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from urllib.parse import urlsplit


async def _connection(
    host: str, port: int, request: bytes, until: float, latencies: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    failures = 0
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            failures += not status_line.split(b" ", 2)[1].startswith(b"2")
    finally:
        writer.close()
    return failures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("seconds", type=float)
    parser.add_argument("connections", type=int)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    url = urlsplit(args.url)
    lines = [f"GET {url.path or '/'} HTTP/1.1", f"Host: {url.netloc}", *args.header]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    started = time.perf_counter()
    failures = await asyncio.gather(
        *(
            _connection(
                url.hostname or "127.0.0.1",
                url.port or 80,
                request,
                started + args.seconds,
                latencies,
            )
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    print(
        json.dumps(
            {
                "requests_per_second": len(latencies) / elapsed,
                "p50_ms": cuts[49] * 1000,
                "p99_ms": cuts[98] * 1000,
                "failures": sum(failures),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
