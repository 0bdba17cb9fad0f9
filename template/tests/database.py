"""Creating and migrating test databases."""

import secrets
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_migrations(database_url: str, revision: str = "heads") -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


def unique_database_url(base_url: str, worker_id: str) -> str:
    """``base_url`` with a database name unique to this run and worker (within 63 bytes)."""
    parsed = make_url(base_url)
    name = f"{(parsed.database or 'test')[:44]}_{worker_id[:8]}_{secrets.token_hex(4)}"
    return parsed.set(database=name).render_as_string(hide_password=False)


async def recreate_postgres_database(url: str) -> None:
    await _run_as_admin(
        url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"'
    )


async def drop_postgres_database(url: str) -> None:
    await _run_as_admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _run_as_admin(url: str, *statements: str) -> None:
    """Run ``statements`` (with ``{name}``, the database of ``url``) from the `postgres` one."""
    target = make_url(url)
    admin_dsn = target.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    connection = await asyncpg.connect(admin_dsn)
    try:
        for statement in statements:
            await connection.execute(statement.format(name=target.database))
    finally:
        await connection.close()
