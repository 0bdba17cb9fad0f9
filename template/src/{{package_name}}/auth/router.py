"""`/auth`: register, log in (password, magic link, OAuth), mailed-token flows, log out."""

from typing import Annotated, Any
from urllib.parse import urljoin

import structlog
from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.responses import RedirectResponse

from ..core.config import Settings
from ..core.db.unit_of_work import DbSession
from ..core.dependencies import SettingsDep
from ..core.errors import (
    BadRequest,
    ConcurrentChange,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    raises,
)
from ..users.models import User, normalize_email
from ..users.schemas import UserRead
from . import (
    mailed_links,
    oauth,
    oauth_login,
    password_changes,
    password_login,
    registration,
    sessions,
)
from .dependencies import (
    SESSION_COOKIE,
    AuthSettingsDep,
    CurrentSession,
    CurrentUser,
    OAuthDep,
    PasswordHasherDep,
    ThrottleDep,
)
from .oauth_login import OAuthEmailNotVerified
from .oauth_state import SIGN_IN_PATHS
from .one_time_tokens import InvalidToken
from .password_login import EmailNotVerified, InvalidCredentials
from .schemas import (
    Accepted,
    ChangePasswordRequest,
    CheckYourEmail,
    EmailRequest,
    LoginRequest,
    RegisterRequest,
    ResetPasswordRequest,
    TokenRequest,
    TokenResponse,
)
from .throttling import AuthThrottle

logger = structlog.get_logger(__name__)

router = APIRouter(prefix="/auth", tags=["auth"])


def _client_ip(request: Request) -> str | None:
    """Who is calling: the connecting peer, or the client a trusted proxy names
    (`FORWARDED_ALLOW_IPS`; the app applies it before any route runs)."""
    return request.client.host if request.client else None


async def sign_in(
    request: Request,
    response: Response,
    session: DbSession,
    settings: Settings,
    user: User,
    *,
    method: str,
) -> TokenResponse:
    issued = await sessions.start_session(
        session,
        settings,
        user,
        method=method,
        user_agent=request.headers.get("user-agent"),
        ip_address=_client_ip(request),
    )
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(settings.session_ttl.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.session.expires_at)


def _clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, secure=settings.cookie_secure, samesite="lax", path="/"
    )


@router.post("/register", status_code=status.HTTP_202_ACCEPTED)
async def register(
    body: RegisterRequest,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: PasswordHasherDep,
    throttle: ThrottleDep,
) -> CheckYourEmail:
    """The same answer for a new and an already registered email (see `registration`)."""
    await throttle.reserve_mail(normalize_email(body.email), _client_ip(request))
    await registration.register(
        session,
        settings,
        auth_settings,
        hasher,
        email=body.email,
        password=body.password,
        name=body.name,
    )
    return CheckYourEmail()


@router.post("/login")
@raises(InvalidCredentials, EmailNotVerified)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: PasswordHasherDep,
    throttle: ThrottleDep,
) -> TokenResponse:
    email = normalize_email(body.email)
    # Counted before the password is checked: concurrent guesses cannot outrun the limit.
    await throttle.reserve_login(email, _client_ip(request))
    user = await password_login.authenticate(
        session, hasher, auth_settings, email=email, password=body.password
    )
    await throttle.password_matched(email)
    return await sign_in(request, response, session, settings, user, method="password")


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    user_session: CurrentSession, session: DbSession, settings: SettingsDep, response: Response
) -> None:
    await sessions.revoke_session(session, user_session)
    _clear_cookie(response, settings)


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
async def logout_everywhere(
    user: CurrentUser, session: DbSession, settings: SettingsDep, response: Response
) -> None:
    await sessions.revoke_all_sessions(session, user)
    _clear_cookie(response, settings)


@router.post("/verify-email")
@raises(InvalidToken)
async def verify_email(body: TokenRequest, session: DbSession, settings: SettingsDep) -> UserRead:
    user = await mailed_links.verify_email(session, settings, body.token)
    return UserRead.model_validate(user)


@router.post("/verify-email/resend", status_code=status.HTTP_204_NO_CONTENT)
@raises(BadRequest)
async def resend_verification(
    user: CurrentUser,
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    throttle: ThrottleDep,
) -> None:
    if user.email_verified_at is not None:
        raise BadRequest("Your email is already verified.")
    await throttle.reserve_mail(user.email, _client_ip(request))
    await mailed_links.send_verification_email(session, settings, auth_settings, user)


@router.post("/forgot-password", status_code=status.HTTP_202_ACCEPTED)
async def forgot_password(
    body: EmailRequest, request: Request, session: DbSession, throttle: ThrottleDep
) -> Accepted:
    await request_reset(body.email, request, session, throttle)
    return Accepted()


async def request_reset(
    email: str, request: Request, session: DbSession, throttle: AuthThrottle
) -> None:
    """Count the request against the address and the caller, then leave the lookup and the
    mailing to a job: the answer takes the same time for any address."""
    email = normalize_email(email)
    await throttle.reserve_mail(email, _client_ip(request))
    mailed_links.request_password_reset(session, email)


@router.post("/reset-password", status_code=status.HTTP_204_NO_CONTENT)
@raises(InvalidToken)
async def reset_password(
    body: ResetPasswordRequest,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: PasswordHasherDep,
) -> None:
    await password_changes.reset_password(
        session, settings, auth_settings, hasher, token=body.token, password=body.password
    )


@router.post("/change-password", status_code=status.HTTP_204_NO_CONTENT)
@raises(InvalidCredentials)
async def change_password(
    body: ChangePasswordRequest,
    user_session: CurrentSession,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: PasswordHasherDep,
    throttle: ThrottleDep,
) -> None:
    email = user_session.user.email
    # A stolen session must not be a way to guess the password without a limit.
    await throttle.reserve_password_guess(email)
    await password_changes.change_password(
        session,
        settings,
        auth_settings,
        hasher,
        user_session=user_session,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    await throttle.password_matched(email)


@router.post("/magic-link", status_code=status.HTTP_202_ACCEPTED)
async def magic_link(
    body: EmailRequest, request: Request, session: DbSession, throttle: ThrottleDep
) -> Accepted:
    email = normalize_email(body.email)
    await throttle.reserve_mail(email, _client_ip(request))
    mailed_links.request_magic_link(session, email)
    return Accepted()


@router.post("/magic-link/consume")
@raises(InvalidToken)
async def consume_magic_link(
    body: TokenRequest,
    request: Request,
    response: Response,
    session: DbSession,
    settings: SettingsDep,
) -> TokenResponse:
    user = await mailed_links.consume_magic_link(session, body.token)
    return await sign_in(request, response, session, settings, user, method="magic_link")


ProviderName = Annotated[str, Path(max_length=50, pattern=r"^[a-z0-9_-]+$")]


@raises(NotFound)
async def _oauth_client(providers: OAuthDep, provider: ProviderName) -> Any:
    client = providers.client(provider)
    if client is None:
        raise NotFound(f"No OAuth provider {provider!r} is configured.")
    return client


# Authlib's StarletteOAuth2App, imported on first use (see auth/oauth.py).
OAuthClient = Annotated[Any, Depends(_oauth_client)]


# Authlib answers 302 on its way to the provider; the callback 303 on its way back.
@router.get("/oauth/{provider}/authorize", response_class=RedirectResponse, status_code=302)
async def oauth_authorize(request: Request, client: OAuthClient, settings: SettingsDep) -> Response:
    redirect_uri = f"{settings.public_url.rstrip('/')}{SIGN_IN_PATHS}{client.name}/callback"
    response: Response = await client.authorize_redirect(request, redirect_uri)
    return response


@router.get("/oauth/{provider}/callback", response_class=RedirectResponse, status_code=303)
@raises(oauth.OAuthFailed, OAuthEmailNotVerified, Forbidden, ServiceUnavailable, ConcurrentChange)
async def oauth_callback(
    request: Request,
    client: OAuthClient,
    session: DbSession,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
) -> Response:
    import httpx2
    from authlib.integrations.base_client import OAuthError
    from joserfc.errors import JoseError

    try:
        identity = await oauth.fetch_identity(client, request)
    except (OAuthError, JoseError) as exc:
        # A provider error, a mismatched state, or an ID token that fails its checks.
        reason = exc.error
        logger.warning("oauth.failed", provider=client.name, reason=reason)
        raise oauth.OAuthFailed(details={"provider": client.name, "reason": reason}) from exc
    except httpx2.HTTPError as exc:
        logger.warning("oauth.unreachable", provider=client.name, error=repr(exc))
        raise ServiceUnavailable(f"The {client.name} sign-in service did not answer.") from exc
    user = await oauth_login.login_with_identity(session, identity)
    target = urljoin(settings.public_url.rstrip("/") + "/", auth_settings.oauth_redirect_path)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    await sign_in(request, response, session, settings, user, method=client.name)
    return response
