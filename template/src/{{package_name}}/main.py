"""The application factory: `uvicorn <package>.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .api import api_router
from .core.config import Settings, get_settings
from .core.db.session import Database
from .core.errors import install_error_handlers
from .core.logging import configure_logging
from .core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from .health.router import router as health_router
from .worker.inprocess import InProcessDispatcher
from .worker.registry import TaskContext
from .worker.schedule import PERIODIC_JOBS

logger = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app. ``database`` lets tests hand in an engine bound to their transaction."""
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database.from_settings(settings)
        dispatcher = InProcessDispatcher(TaskContext(settings=settings, db=db))
        app.state.db = db
        app.state.dispatcher = dispatcher
        if settings.periodic_jobs_enabled:
            dispatcher.start_periodic(PERIODIC_JOBS)
        logger.info(
            "app.started",
            environment=settings.environment.value,
            database=db.engine.url.render_as_string(hide_password=True),
        )
        try:
            yield
        finally:
            await dispatcher.stop()
            if database is None:
                await db.dispose()

    app = FastAPI(
        title=settings.app_name,
        version=_package_version(),
        lifespan=lifespan,
        openapi_url="/openapi.json" if settings.serve_docs else None,
        docs_url="/docs" if settings.serve_docs else None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health_router)
    app.include_router(api_router)
    return app


def _package_version() -> str:
    try:
        return version(__package__ or __name__)
    except PackageNotFoundError:
        return "0.0.0"
