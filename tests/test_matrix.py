"""Render every combination and run each rendered project's own gates.

The static checks (no leftover Jinja, no empty file, no trace of a switched-off
integration) run on the rendered tree; the deep checks install the project's own
declared dependencies with uv and run what its CI runs: ruff format, ruff,
mypy --strict, Alembic (upgrade, drift check, downgrade) and its pytest suite —
on PostgreSQL whenever it is reachable, always in CI.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.combinations import ALL, Combination
from tests.matrix_phases import PROBE_PLUGIN, PROPERTY, PhaseClock, probe_env
from tests.rendering import (
    CACHE_DIR,
    empty_files,
    forbidden_mentions,
    leftover_jinja,
    render,
    run,
    uv,
    with_database,
)

pytestmark = pytest.mark.matrix


# Unique to this run: two runs on one PostgreSQL server never drop each other's databases.
_RUN = secrets.token_hex(3)


def _database_name(combination: Combination, purpose: str) -> str:
    # The rendered suite appends its worker id and a token of its own (63 bytes in all).
    return f"mx{_RUN}_{purpose[0]}_{re.sub(r'[^a-z0-9]+', '_', combination.id)}"


@pytest.mark.parametrize("combination", ALL, ids=[c.id for c in ALL])
def test_combination_renders_cleanly_and_passes_its_own_gates(
    combination: Combination,
    template_dir: Path,
    tmp_path: Path,
    postgres_url: str | None,
    redis_url: str | None,
    record_property: Callable[[str, object], None],
) -> None:
    clock = PhaseClock()
    try:
        _check_combination(combination, template_dir, tmp_path, postgres_url, redis_url, clock)
    finally:
        record_property(PROPERTY, clock.phases)


def _check_combination(
    combination: Combination,
    template_dir: Path,
    tmp_path: Path,
    postgres_url: str | None,
    redis_url: str | None,
    clock: PhaseClock,
) -> None:
    with clock.phase("render"):
        project = render(template_dir, tmp_path / "project", combination.answers)

    with clock.phase("static checks"):
        assert leftover_jinja(project) == []
        assert empty_files(project) == []
        assert forbidden_mentions(project, combination.forbidden_tokens()) == []

    # One mypy cache per xdist worker: mypy's cache is not safe for concurrent writers
    # that hold different contents for the same module names.
    mypy_cache = CACHE_DIR / "mypy" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    gate_env = {"MYPY_CACHE_DIR": str(mypy_cache), "UV_PYTHON_DOWNLOADS": "never"}
    with clock.phase("install"):
        # Resolves (writes uv.lock) and installs.
        run([*uv(), "sync", "--quiet"], project, gate_env)
    with clock.phase("static checks"):
        assert forbidden_mentions(project, combination.forbidden_tokens()) == [], "in uv.lock"

    def gate(*command: str, env: dict[str, str] | None = None) -> str:
        return run([*uv(), "run", "--frozen", *command], project, {**gate_env, **(env or {})})

    with clock.phase("ruff format"):
        gate("ruff", "format", "--check", ".")
    with clock.phase("ruff check"):
        gate("ruff", "check", ".")
    with clock.phase("mypy"):
        gate("mypy")

    with clock.phase("migrations"):
        if postgres_url:
            migration_url = with_database(postgres_url, _database_name(combination, "alembic"))
            gate("python", "-c", _ADMIN_DATABASE, migration_url, "recreate")
            test_env = {
                "TEST_DATABASE_URL": with_database(
                    postgres_url, _database_name(combination, "test")
                )
            }
        else:
            migration_url = f"sqlite+aiosqlite:///{tmp_path / 'alembic.db'}"
            test_env = {}
        # upgrade heads, check, downgrade base: one process, so the app is imported once.
        gate("python", "-c", _MIGRATE_CHECK_DOWNGRADE, env={"DATABASE_URL": migration_url})
        if postgres_url:
            gate("python", "-c", _ADMIN_DATABASE, migration_url, "drop")

    if redis_url and combination.queue == "celery":
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


# Run inside the rendered project's environment; `alembic check` raises on drift.
_MIGRATE_CHECK_DOWNGRADE = """
from alembic import command
from alembic.config import Config

config = Config("alembic.ini")
command.upgrade(config, "heads")
command.check(config)
command.downgrade(config, "base")
"""

# Run inside the rendered project's environment, which has asyncpg: `<url> recreate|drop`.
_ADMIN_DATABASE = """
import asyncio, sys
import asyncpg
from sqlalchemy.engine import make_url

async def main(url, action):
    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        if action == "recreate":
            await connection.execute(f'CREATE DATABASE "{target.database}"')
    finally:
        await connection.close()

asyncio.run(main(*sys.argv[1:]))
"""
