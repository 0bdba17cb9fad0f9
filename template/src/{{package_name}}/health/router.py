"""`/health` (the process answers) and `/health/ready` (what the app needs is there:
the database with its schema at head, and the throttle's Redis when it has one)."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from ..core.errors import ServiceUnavailable, raises
from ..services import Services, ServicesDep

router = APIRouter(prefix="/health", tags=["health"])


class NotReady(ServiceUnavailable):
    code = "not_ready"
    default_message = "The app cannot serve requests yet; `details` has each check."


class Liveness(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    # Each check and its result: database, migrations, rate_limit_storage, broker.
    checks: dict[str, str]


@router.get("")
async def live() -> Liveness:
    return Liveness(status="ok")


@router.get("/ready")
@raises(NotReady)
async def ready(services: ServicesDep) -> Readiness:
    checks: dict[str, str] = {}
    problem = await _database_problem(services, checks)
    if services.throttle.shared:
        healthy = await services.throttle.healthy()
        checks["rate_limit_storage"] = "ok" if healthy else "unreachable"
        if not healthy and problem is None:
            problem = "The login throttle's storage is unreachable."
    broker = await services.dispatcher.healthy()
    if broker is not None:
        # Reported, not fatal: while the broker is down, jobs run in the API process.
        checks["broker"] = "ok" if broker else "unreachable (jobs run in-process meanwhile)"
    if problem is not None:
        raise NotReady(problem, details=checks)
    return Readiness(status="ok", checks=checks)


async def _database_problem(services: Services, checks: dict[str, str]) -> str | None:
    """Fill in the database and migration checks; what is wrong with them, if anything."""
    # Alembic is loaded by the first readiness probe, not by every process that imports
    # the app (workers, scripts and tests mostly never ask).
    from . import migrations

    try:
        async with services.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            applied = await connection.run_sync(migrations.applied_revisions)
    except Exception as exc:  # any driver error means "not ready", never a 500
        checks["database"] = f"unreachable: {type(exc).__name__}"
        return "The database is unreachable."
    try:
        scripts = migrations.migration_scripts(services.settings.alembic_config)
    except Exception as exc:  # a missing or broken alembic.ini is "not ready", never a 500
        checks["migrations"] = f"unknown: {type(exc).__name__}"
        return "The migration scripts cannot be read."
    try:
        pending = migrations.pending(scripts, applied)
    except migrations.UnknownRevision:
        checks["migrations"] = "unknown revision: run `alembic upgrade heads`"
        return "Migrations are not applied."
    if pending:
        checks["migrations"] = f"pending: {', '.join(sorted(pending))}"
        return "Migrations are not applied."
    checks["migrations"] = "ok"
    return None
