"""The rendered app's figures, each against a baseline measured in the same run.

- throughput: uvicorn (one worker) under wrk from another process. `/health` of the
  core-only render vs a bare FastAPI app's `/health` on the same server settings;
  authenticated `/users/me` vs the same app's `/health`, on SQLite and on PostgreSQL.
- import: `import <package>.main` of the all-features render vs the floor
  (fastapi + sqlalchemy.ext.asyncio + pydantic_settings + structlog), bytecode compiled.
- streaming: time to the first delta through `/api/v1/ai/chat` vs straight from the
  fake provider (ai_stream_ttfb.py, inside the project).
- suite: the all-features render's own test suite, as `make test` runs it, vs its budget.

The endpoints, the credentials and the server's settings are the constants below: when
the app changes, change them here.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import statistics
import subprocess
import time
import tomllib
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from benchmarks.figures import Figure
from benchmarks.load import Load, measure_together, serve
from tests.rendering import run, service_reachable, uv, with_database

HEALTH = "/health"
ME = "/api/v1/users/me"
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
CREDENTIALS = {"email": "bench@example.com", "password": "benchmark-password"}
# The rendered defaults (development, INFO logs to the server's output) but for the log
# format: JSON lines, as production writes them (the development console renderer costs
# about twice as much per line, which no deployment pays). A throwaway database; the
# project's `.env` supplies the rest, as for `make dev`.
SERVER_ENV: dict[str, str] = {"LOG_JSON": "true"}
FLOOR_IMPORT = "import fastapi, sqlalchemy.ext.asyncio, pydantic_settings, structlog"
SUITE_BUDGET_SECONDS = 30.0
IMPORT_RUNS = 7
# The services the template's own tests use (see tests/conftest.py).
POSTGRES = os.environ.get(
    "MATRIX_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("MATRIX_REDIS_URL", "redis://127.0.0.1:6379/15")

BENCHMARKS = Path(__file__).parent
BARE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def live() -> dict[str, str]:
    return {"status": "ok"}
"""


def package(project: Path) -> str:
    build = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    return str(build["targets"]["wheel"]["packages"][0].split("/")[-1])


def install(project: Path) -> None:
    """The project's own dependencies, as `make install` would (uv, from its lock)."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    for command in (["lock", "--quiet"], ["sync", "--quiet", "--frozen"]):
        subprocess.run([*uv(), *command], cwd=project, env=env, check=True)


def _python(project: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    return run([str(project / ".venv" / "bin" / "python"), *args], project, env)


def _post(url: str, body: Mapping[str, str]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return dict(json.loads(response.read() or b"{}"))


def _bearer(base_url: str) -> dict[str, str]:
    _post(base_url + REGISTER, CREDENTIALS)
    token = _post(base_url + LOGIN, CREDENTIALS)["access_token"]
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def _serving(project: Path, database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The rendered app on a fresh ``database_url``: its base URL and a signed-in user's
    headers."""
    _python(project, str(BENCHMARKS / "rendered_db.py"), "create", database_url)
    try:
        with serve(
            project,
            f"{package(project)}.main:create_app",
            factory=True,
            env={**SERVER_ENV, "DATABASE_URL": database_url},
        ) as base_url:
            yield base_url, _bearer(base_url)
    finally:
        _python(project, str(BENCHMARKS / "rendered_db.py"), "drop", database_url)


def _p99(load: Load) -> str:
    return f"p99 {load.p99_ms:.1f} ms"


def throughput(project: Path, work: Path, seconds: float) -> list[Figure]:
    (work / "bare_app.py").write_text(BARE_APP)
    # Both servers up at once, and the rounds of each pair taken in turn (`measure_together`).
    with (
        serve(project, "bare_app:app", app_dir=work) as bare_url,
        _serving(project, f"sqlite+aiosqlite:///{work / 'bench.db'}") as (base_url, headers),
    ):
        bare, sqlite_health, sqlite_me = measure_together(
            [(bare_url + HEALTH, {}), (base_url + HEALTH, {}), (base_url + ME, headers)],
            seconds=seconds,
        )
    figures = [
        Figure(
            key="health_vs_bare",
            title="GET /health, req/s (uvicorn, 1 worker)",
            ours=sqlite_health.requests_per_second,
            baseline=bare.requests_per_second,
            unit="req/s",
            baseline_title="a bare FastAPI app's /health",
            target=0.9,
            higher_is_better=True,
            note=f"{_p99(sqlite_health)}, bare {_p99(bare)}; load from {bare.generator}",
        ),
        Figure(
            key="me_vs_health_sqlite",
            title="authenticated GET /users/me on SQLite, req/s",
            ours=sqlite_me.requests_per_second,
            baseline=sqlite_health.requests_per_second,
            unit="req/s",
            baseline_title="the same app's /health",
            target=0.25,
            higher_is_better=True,
            note=_p99(sqlite_me),
        ),
    ]
    if not service_reachable(POSTGRES):
        return [
            *figures,
            Figure(
                key="me_vs_health_postgres",
                title="authenticated GET /users/me on PostgreSQL, req/s",
                ours=None,
                baseline=None,
                unit="req/s",
                baseline_title="the same app's /health",
                target=0.25,
                higher_is_better=True,
                note=f"PostgreSQL is not reachable at {POSTGRES}",
            ),
        ]
    database = with_database(POSTGRES, f"bench_{secrets.token_hex(4)}")
    with _serving(project, database) as (base_url, headers):
        pg_health, pg_me = measure_together(
            [(base_url + HEALTH, {}), (base_url + ME, headers)], seconds=seconds
        )
    return [
        *figures,
        Figure(
            key="me_vs_health_postgres",
            title="authenticated GET /users/me on PostgreSQL, req/s",
            ours=pg_me.requests_per_second,
            baseline=pg_health.requests_per_second,
            unit="req/s",
            baseline_title="the same app's /health",
            target=0.25,
            higher_is_better=True,
            note=f"{_p99(pg_me)}; /health {_p99(pg_health)}",
        ),
    ]


def _import_seconds(project: Path, *statements: str) -> list[tuple[float, float]]:
    """Median wall and CPU seconds of a fresh interpreter running each statement. The runs
    are taken in turn (a, b, a, b, ...): a shared machine's speed drifts within a minute,
    and taken in turn the drift reaches both sides of the ratio alike."""
    # Compile and keep the bytecode once, as an installed app has it.
    for statement in statements:
        _python(project, "-c", statement, env={"PYTHONDONTWRITEBYTECODE": ""})
    walls: list[list[float]] = [[] for _ in statements]
    cpus: list[list[float]] = [[] for _ in statements]
    for _ in range(IMPORT_RUNS):
        for statement, wall, cpu in zip(statements, walls, cpus, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            _python(project, "-c", statement)
            wall.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return [
        (statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, cpus, strict=True)
    ]


def import_time(project: Path) -> list[Figure]:
    (floor_wall, floor_cpu), (ours_wall, ours_cpu) = _import_seconds(
        project, FLOOR_IMPORT, f"import {package(project)}.main"
    )
    return [
        Figure(
            key="import_vs_floor",
            title="import <package>.main, all features (CPU, median of 7)",
            ours=ours_cpu,
            baseline=floor_cpu,
            unit="s",
            baseline_title="fastapi + sqlalchemy.ext.asyncio + pydantic_settings + structlog",
            target=1.5,
            note=f"wall {ours_wall:.2f} s vs {floor_wall:.2f} s; bytecode compiled beforehand",
        )
    ]


def streaming(project: Path) -> list[Figure]:
    output = _python(project, str(BENCHMARKS / "ai_stream_ttfb.py"))
    result = json.loads(output.strip().splitlines()[-1])
    return [
        Figure(
            key="ai_first_delta_vs_direct",
            title="AI chat: time to the first streamed delta",
            ours=result["ours_ms"],
            baseline=result["direct_ms"],
            unit="ms",
            baseline_title="straight from the fake provider",
            target=1.5,
            note=result["note"],
        )
    ]


def suite(project: Path) -> list[Figure]:
    figure = Figure(
        key="rendered_suite",
        title="the all-features render's own test suite on PostgreSQL and Redis (wall)",
        ours=None,
        baseline=SUITE_BUDGET_SECONDS,
        unit="s",
        baseline_title="its budget",
        target=1.0,
    )
    missing = [
        name
        for name, url in (("PostgreSQL", POSTGRES), ("Redis", REDIS))
        if not service_reachable(url)
    ]
    if missing:
        return [replace(figure, note=f"{' and '.join(missing)} not reachable")]
    env = {
        "PYTHONDONTWRITEBYTECODE": "",
        "TEST_DATABASE_URL": with_database(POSTGRES, "bench_suite"),
        "TEST_REDIS_URL": REDIS,
    }
    _python(project, "-m", "pytest", "-q", "--collect-only", env=env)  # bytecode, once
    started = time.perf_counter()
    # As `make test` runs it: on every core (without its coverage gate).
    output = _python(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", env=env)
    wall = time.perf_counter() - started
    return [replace(figure, ours=wall, note=output.strip().splitlines()[-1])]
