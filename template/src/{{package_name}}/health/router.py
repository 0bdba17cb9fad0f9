"""`/health` (the process answers) and `/health/ready` (database up, schema at head)."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ..core.db.session import Database
from ..core.dependencies import SettingsDep
from ..core.errors import error_response

router = APIRouter(prefix="/health", tags=["health"])


@lru_cache
def _migration_scripts(alembic_config: Path) -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(alembic_config)))


def _pending(scripts: ScriptDirectory, applied: frozenset[str]) -> set[str]:
    # A revision counts as applied when a recorded one builds on it (down revision or
    # dependency): `alembic_version` holds only the heads of what was applied.
    everything = {s.revision for s in scripts.iterate_revisions("heads", "base")}
    if not applied:
        return everything
    done = {s.revision for s in scripts.iterate_revisions(tuple(applied), "base")}
    return everything - done


def _applied_revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


@router.get("")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", response_model=None)
async def ready(request: Request, settings: SettingsDep) -> dict[str, Any] | JSONResponse:
    database: Database = request.app.state.db
    checks: dict[str, str] = {}
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            applied = await connection.run_sync(_applied_revisions)
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"unreachable: {type(exc).__name__}"
        return error_response(503, "not_ready", "The database is unreachable.", checks)
    try:
        scripts = _migration_scripts(settings.alembic_config)
    except Exception as exc:  # a missing or broken alembic.ini is "not ready", never a 500
        checks["migrations"] = f"unknown: {type(exc).__name__}"
        return error_response(503, "not_ready", "The migration scripts cannot be read.", checks)
    try:
        pending = _pending(scripts, applied)
    except (CommandError, RevisionError):  # the database records a revision no script here has
        checks["migrations"] = "unknown revision: run `alembic upgrade heads`"
        return error_response(503, "not_ready", "Migrations are not applied.", checks)
    if pending:
        checks["migrations"] = f"pending: {', '.join(sorted(pending))}"
        return error_response(503, "not_ready", "Migrations are not applied.", checks)
    checks["migrations"] = "ok"
    return {"status": "ok", "checks": checks}
