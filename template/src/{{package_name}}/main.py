"""The application factory: `uvicorn <package>.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.sessions import SessionMiddleware

from .api import api_router
from .auth import service as auth_service
from .auth.config import AuthSettings, get_auth_settings
from .auth.dependencies import SESSION_COOKIE, configure_auth
from .core.config import Settings, get_settings
from .core.db.session import Database
from .core.errors import install_error_handlers
from .core.logging import configure_logging
from .core.middleware import (
    BodySizeLimitMiddleware,
    CsrfOriginMiddleware,
    RequestContextMiddleware,
)
from .email.config import get_email_settings
from .health.router import router as health_router
from .worker.inprocess import InProcessDispatcher
from .worker.registry import TaskContext
from .worker.schedule import PERIODIC_JOBS

logger = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app. ``database`` lets tests hand in an engine bound to their transaction."""
    settings = settings or get_settings()
    configure_logging(settings)
    # Read now, so a misconfigured provider stops the start instead of the first send.
    get_email_settings()
    auth_settings = get_auth_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = database or Database.from_settings(settings)
        dispatcher = InProcessDispatcher(TaskContext(settings=settings, db=db))
        app.state.db = db
        app.state.dispatcher = dispatcher
        await _ensure_first_admin(db, app.state.auth_settings)
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
    configure_auth(app, auth_settings)
    install_error_handlers(app)
    # Holds only the OAuth state and nonce between the redirect and the callback.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="oauth_state",
        max_age=600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(
        CsrfOriginMiddleware,
        allowed_origins=[settings.public_url, *settings.cors_origins],
        cookie_name=SESSION_COOKIE,
    )
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


async def _ensure_first_admin(db: Database, auth_settings: AuthSettings) -> None:
    if auth_settings.first_admin_email:
        async with db.sessionmaker.begin() as session:
            await auth_service.ensure_admin(session, auth_settings.first_admin_email)


def _package_version() -> str:
    try:
        return version(__package__ or __name__)
    except PackageNotFoundError:
        return "0.0.0"
