"""Render every combination and run each rendered project's own gates.

The static checks (no leftover Jinja, no empty file, no trace of a switched-off
integration) run on the rendered tree; the deep checks install the project's own
declared dependencies with uv and run what its CI runs: ruff format, ruff,
mypy --strict, Alembic (upgrade, drift check, downgrade) and its pytest suite —
on PostgreSQL whenever it is reachable, always in CI.

Where the time goes is printed at the end of the session (tests/matrix_phases.py);
docs/contributing.md explains the choices below that keep it short.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.combinations import ALL, Combination
from tests.deployment import assert_deployable
from tests.matrix_phases import PROBE_PLUGIN, PROPERTY, PhaseClock, probe_env
from tests.rendering import (
    CACHE_DIR,
    empty_files,
    forbidden_mentions,
    leftover_jinja,
    render,
    run,
    succeeds,
    uv,
    with_database,
)

pytestmark = pytest.mark.matrix


# Unique to this run: two runs on one PostgreSQL server never drop each other's databases.
_RUN = secrets.token_hex(3)
# One per payment provider, every other integration on: together they declare every
# dependency any combination declares.
_EVERYTHING_ON = [
    c for c in ALL if (c.storage_backend, c.queue, len(c.ai_integrations)) == ("s3", "celery", 2)
]


def _database_name(combination: Combination, purpose: str) -> str:
    # The rendered suite appends its worker id and a token of its own (63 bytes in all).
    return f"mx{_RUN}_{purpose[0]}_{re.sub(r'[^a-z0-9]+', '_', combination.id)}"


def _worker_cache(kind: str) -> Path:
    return CACHE_DIR / kind / os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def gate_env(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment every combination's uv, ruff, mypy, alembic and pytest run in.

    Resolving asks the index about every package (about 80 round trips, 6 s of waiting
    per combination). Instead the projects that declare every dependency are locked
    online once per session, which refreshes uv's cache of the index, and each
    combination then resolves from that cache (see `_lock`): the answers the index gave
    a minute ago.
    """
    work = tmp_path_factory.mktemp("index")
    locks = [
        subprocess.Popen(
            [*uv(), "lock", "--quiet"],
            cwd=render(template_dir, work / combination.id, combination.answers),
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        )
        for combination in _EVERYTHING_ON
    ]
    assert [lock.wait() for lock in locks] == [0] * len(locks), "locking failed online"
    return {
        "UV_PYTHON_DOWNLOADS": "never",
        # One mypy cache per xdist worker: mypy's cache is not safe for concurrent writers
        # that hold different contents for the same module names.
        "MYPY_CACHE_DIR": str(_worker_cache("mypy")),
        # One environment per xdist worker, reused by its next combination: `uv sync`
        # makes it exactly what the lock says (adding and removing packages), and the
        # bytecode earlier combinations compiled into it stays valid.
        "UV_PROJECT_ENVIRONMENT": str(_worker_cache("venvs")),
        # Written bytecode is read by every later process: without it each process
        # compiled every module it imported from source (half a pytest start-up).
        "PYTHONDONTWRITEBYTECODE": "",
    }


# The journey (test_journey.py): it runs a combination's CI workflow, every gate below.
JOURNEY_TEST = "test_a_new_project_goes_from_copy_to_a_running_stack"


@pytest.fixture(scope="session")
def gated_by_journey(
    request: pytest.FixtureRequest, postgres_url: str | None, redis_url: str | None
) -> frozenset[str]:
    """The combinations whose journey runs in this session: it runs their CI workflow on
    PostgreSQL and Redis (ruff, mypy, the migrations, the suite: every gate of the deep
    check here, the way the team's CI runs them), so here they get the checks of the
    rendered tree only. Select a combination without its journey (`-k`), or run without
    the services the journey needs, and its deep check runs here."""
    if not (postgres_url and redis_url):
        return frozenset()
    return frozenset(
        combination.id
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == JOURNEY_TEST
        if isinstance(combination := item.callspec.params.get("combination"), Combination)
    )


def _lock(project: Path, env: Mapping[str, str]) -> None:
    """Resolve from the index pages this session refreshed; online for any they lack."""
    if not succeeds([*uv(), "lock", "--quiet", "--offline"], project, env):
        run([*uv(), "lock", "--quiet"], project, env)


@pytest.mark.parametrize("combination", ALL, ids=[c.id for c in ALL])
def test_combination_renders_cleanly_and_passes_its_own_gates(
    combination: Combination,
    template_dir: Path,
    tmp_path: Path,
    postgres_url: str | None,
    redis_url: str | None,
    gate_env: dict[str, str],
    gated_by_journey: frozenset[str],
    record_property: Callable[[str, object], None],
) -> None:
    clock = PhaseClock()
    try:
        if combination.id in gated_by_journey:
            _check_rendered_tree(combination, template_dir, tmp_path, clock)
        else:
            _check_combination(
                combination, template_dir, tmp_path, postgres_url, redis_url, gate_env, clock
            )
    finally:
        record_property(PROPERTY, clock.record())


def _check_rendered_tree(
    combination: Combination, template_dir: Path, tmp_path: Path, clock: PhaseClock
) -> None:
    """What the journey does not check (it checks that the copy is deployable)."""
    with clock.phase("render"):
        project = render(template_dir, tmp_path / "project", combination.answers)
    with clock.phase("static checks"):
        _assert_rendered_cleanly(project, combination)
    clock.gated_by_journey = True


def _assert_rendered_cleanly(project: Path, combination: Combination) -> None:
    """No leftover Jinja, no empty file, no trace of a switched-off integration."""
    assert leftover_jinja(project) == []
    assert empty_files(project) == []
    assert forbidden_mentions(project, combination.forbidden_tokens()) == []


def _check_combination(
    combination: Combination,
    template_dir: Path,
    tmp_path: Path,
    postgres_url: str | None,
    redis_url: str | None,
    gate_env: dict[str, str],
    clock: PhaseClock,
) -> None:
    # Without copier.yml's `uv lock` task: `_lock` below writes the same lock from a cache
    # refreshed once per session (the journey tests run the task itself).
    with clock.phase("render"):
        project = render(template_dir, tmp_path / "project", combination.answers)

    with clock.phase("install"):
        _lock(project, gate_env)  # writes uv.lock
        run([*uv(), "sync", "--quiet", "--frozen"], project, gate_env)
    with clock.phase("static checks"):
        _assert_rendered_cleanly(project, combination)
        assert_deployable(project, combination)

    def gate(*command: str, env: dict[str, str] | None = None) -> str:
        return run([*uv(), "run", "--frozen", *command], project, {**gate_env, **(env or {})})

    with clock.phase("ruff format"):
        gate("ruff", "format", "--check", ".")
    with clock.phase("ruff check"):
        gate("ruff", "check", ".")
    with clock.phase("mypy"):
        gate("mypy")

    if postgres_url:
        migration_url = with_database(postgres_url, _database_name(combination, "alembic"))
        test_env = {
            "TEST_DATABASE_URL": with_database(postgres_url, _database_name(combination, "test"))
        }
    else:
        migration_url = f"sqlite+aiosqlite:///{tmp_path / 'alembic.db'}"
        test_env = {}
    with clock.phase("migrations"):
        gate("python", "-c", _MIGRATE_CHECK_DOWNGRADE, env={"DATABASE_URL": migration_url})

    if redis_url:
        test_env["TEST_REDIS_URL"] = redis_url
    probe = tmp_path / "pytest-phases.json"
    with clock.pytest_run(probe):
        output = gate(
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            PROBE_PLUGIN,
            env={**test_env, **probe_env(probe)},
        )
    assert re.search(r"\d+ passed", output), output


# Run inside the rendered project's environment, which has asyncpg. On PostgreSQL the
# database is created first and dropped afterwards, whatever happens in between. upgrade
# heads, check (raises on drift), downgrade base: one process, so the app is imported once.
_MIGRATE_CHECK_DOWNGRADE = """
import asyncio, os
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

target = make_url(os.environ["DATABASE_URL"])
on_postgres = target.get_backend_name() == "postgresql"


async def on_server(*statements):
    import asyncpg

    server = target.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


drop = f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'
if on_postgres:
    asyncio.run(on_server(drop, f'CREATE DATABASE "{target.database}"'))
try:
    config = Config("alembic.ini")
    command.upgrade(config, "heads")
    command.check(config)
    command.downgrade(config, "base")
finally:
    if on_postgres:
        asyncio.run(on_server(drop))
"""
