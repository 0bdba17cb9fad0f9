"""Who is calling: `CurrentUser`, `AdminUser` and the session behind them."""

from typing import Annotated, Any

import structlog
from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPBearer

from ..core.db.unit_of_work import DbSession
from ..core.errors import Forbidden, TooManyRequests, Unauthorized, raises
from ..core.openapi import authenticates
from ..services import Services, ServicesDep, get_services
from ..users.models import User
from . import sessions
from .config import AuthSettings
from .models import UserSession
from .oauth import OAuthProviders, build_oauth
from .oauth_state import OAuthStateStore
from .throttling import AuthThrottle, ThrottleUnavailable

SESSION_COOKIE = "session"

# auto_error=False: we answer with our own envelope, and either scheme may be absent.
_bearer = HTTPBearer(auto_error=False, description="Session token from /auth/login")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Session cookie")


async def session_token(request: Request) -> str | None:
    """The Bearer header wins over the cookie."""
    bearer = await _bearer(request)
    return bearer.credentials if bearer is not None else await _cookie(request)


# Every authenticated request runs this, so it reads the token and the services itself:
# as dependencies of their own (the two schemes, the token, the services) they cost about
# a tenth of the request's CPU in FastAPI's solving alone. `authenticates` documents the
# schemes as if it depended on them.
@raises(Unauthorized)
@authenticates(_bearer, _cookie)
async def get_current_session(request: Request, session: DbSession) -> UserSession:
    token = await session_token(request)
    if not token:
        raise Unauthorized()
    services = await get_services(request)
    user_session = await sessions.resolve_session(
        session, token, autocommit=services.db.autocommit_reads
    )
    if user_session is None:
        raise Unauthorized("The session is invalid or has expired.")
    # Named on the request's log lines and its `api_request` analytics event.
    structlog.contextvars.bind_contextvars(user_id=str(user_session.user_id))
    return user_session


CurrentSession = Annotated[UserSession, Depends(get_current_session)]


async def get_current_user(user_session: CurrentSession) -> User:
    return user_session.user


CurrentUser = Annotated[User, Depends(get_current_user)]


@raises(Forbidden)
async def require_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise Forbidden("This requires the admin role.")
    return user


AdminUser = Annotated[User, Depends(require_admin)]


async def get_password_hasher(services: ServicesDep) -> PasswordHasher:
    return services.hasher


PasswordHasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]


def configure_auth(services: Services, settings: AuthSettings, **oauth_client_kwargs: Any) -> None:
    """Point ``services`` at other auth settings: their throttle and OAuth providers
    (tests pass their own settings and an in-process transport for the providers)."""
    services.auth_settings = settings
    services.throttle = AuthThrottle(settings)
    services.oauth = build_oauth(settings, OAuthStateStore(services.db), **oauth_client_kwargs)


async def get_auth_settings(services: ServicesDep) -> AuthSettings:
    return services.auth_settings


AuthSettingsDep = Annotated[AuthSettings, Depends(get_auth_settings)]


@raises(TooManyRequests, ThrottleUnavailable)
async def get_throttle(services: ServicesDep) -> AuthThrottle:
    return services.throttle


ThrottleDep = Annotated[AuthThrottle, Depends(get_throttle)]


async def get_oauth(services: ServicesDep) -> OAuthProviders:
    return services.oauth


OAuthDep = Annotated[OAuthProviders, Depends(get_oauth)]
