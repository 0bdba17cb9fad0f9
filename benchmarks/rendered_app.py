"""Shared by the benchmarks that run inside a rendered project (the working directory).

They are run by path with the project's own interpreter, so this sibling module is
importable as `rendered_app`.
"""

from __future__ import annotations

import asyncio
import importlib
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic import command
from alembic.config import Config


def project_module(name: str) -> ModuleType:
    """Import ``<package>.<name>`` of the rendered project in the working directory."""
    build = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["hatch"]["build"]
    package = build["targets"]["wheel"]["packages"][0].split("/")[-1]
    return importlib.import_module(f"{package}.{name}")


async def migrated_settings(directory: str) -> Any:
    """Settings for a fresh, migrated SQLite database in ``directory``, quiet and cheap."""
    url = f"sqlite+aiosqlite:///{directory}/bench.db"
    alembic = Config("alembic.ini")
    alembic.attributes["database_url"] = url
    alembic.attributes["configure_logger"] = False
    await asyncio.to_thread(command.upgrade, alembic, "heads")
    return project_module("core.config").Settings(
        _env_file=None,
        database_url=url,
        log_level="WARNING",
        periodic_jobs_enabled=False,
        password_hash_time_cost=1,
        password_hash_memory_cost=8,
        password_hash_parallelism=1,
    )
