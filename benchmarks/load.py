"""A real server under load from another process: requests per second and p99 latency.

`serve` starts uvicorn (one worker, no access log of its own) for an ASGI app inside a
rendered project's environment, on a free port, and waits until it answers.
`measure_together` warms up each URL it compares, then runs rounds of closed-loop load at
a fixed number of connections, the URLs' rounds in turn, and reports the medians. The load
comes from wrk when it is installed (Debian: `apt-get install wrk`); otherwise from
`load_client.py`, a Python client in its own process that saturates well below wrk and is
printed as such.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CONNECTIONS = 32
ROUNDS = 3
WARM_UP_SECONDS = 2
LOAD_CLIENT = Path(__file__).with_name("load_client.py")


@dataclass(frozen=True)
class Load:
    """Medians over the rounds."""

    requests_per_second: float
    p99_ms: float
    rounds: tuple[tuple[float, float], ...]  # (req/s, p99 ms) of each round
    generator: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(
    project: Path,
    app: str,
    *,
    factory: bool = False,
    env: Mapping[str, str] | None = None,
    app_dir: Path | None = None,
) -> Iterator[str]:
    """Run ``uvicorn <app>`` with the project's interpreter; yield its base URL."""
    port = free_port()
    command = [
        str(project / ".venv" / "bin" / "python"),
        "-m",
        "uvicorn",
        app,
        *(["--factory"] if factory else []),
        *(["--app-dir", str(app_dir)] if app_dir else []),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    # The app's own logs go to a file: a pipe nobody reads would block the server.
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            command, cwd=project, env={**_clean_env(), **(env or {})}, stdout=log, stderr=log
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, f"{base_url}/health", log)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}


def _wait_until_up(
    server: subprocess.Popen[bytes], url: str, log: IO[str], within: float = 60
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {within:.0f} s")


def measure_together(
    targets: Sequence[tuple[str, Mapping[str, str]]],
    *,
    seconds: float = 10,
    rounds: int = ROUNDS,
    connections: int = CONNECTIONS,
) -> list[Load]:
    """Warm up each URL, then ``rounds`` rounds of ``seconds`` each, taken in turn (a, b,
    a, b, ...); medians of req/s and p99 for each URL. A shared machine's speed drifts
    over minutes (here by half within ten): with every round of one URL between rounds of
    the others, the drift reaches both sides of a ratio alike."""
    run = _wrk if shutil.which("wrk") else _python_client
    for url, headers in targets:
        run(url, headers, WARM_UP_SECONDS, connections)
    results: list[list[tuple[float, float]]] = [[] for _ in targets]
    for _ in range(rounds):
        for taken, (url, headers) in zip(results, targets, strict=True):
            taken.append(run(url, headers, seconds, connections))
    return [
        Load(
            requests_per_second=statistics.median(r for r, _ in taken),
            p99_ms=statistics.median(p for _, p in taken),
            rounds=tuple(taken),
            generator="wrk" if run is _wrk else "python load_client.py (saturates early)",
        )
        for taken in results
    ]


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(
    url: str, headers: Mapping[str, str], seconds: float, connections: int
) -> tuple[float, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"not every answer was a success under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    assert p99 is not None, output
    return rate, float(p99.group(1)) * _UNIT_MS[p99.group(2)]


def _python_client(
    url: str, headers: Mapping[str, str], seconds: float, connections: int
) -> tuple[float, float]:
    command = [sys.executable, str(LOAD_CLIENT), url, str(seconds), str(connections)]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    if result["failures"]:
        raise RuntimeError(f"not every answer was a success under load: {result}")
    return result["requests_per_second"], result["p99_ms"]
