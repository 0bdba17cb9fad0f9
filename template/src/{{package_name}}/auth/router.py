"""`/auth`: register, log in, log out."""

from fastapi import APIRouter, Request, Response, status

from ..core.db.session import DbSession
from ..core.dependencies import SettingsDep
from ..users.schemas import UserRead
from . import service as auth_service
from .dependencies import SESSION_COOKIE, CurrentSession, PasswordHasherDep
from .schemas import LoginRequest, RegisterRequest, TokenResponse

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterRequest, session: DbSession, hasher: PasswordHasherDep
) -> UserRead:
    user = await auth_service.register(
        session, hasher, email=body.email, password=body.password, name=body.name
    )
    return UserRead.model_validate(user)


@router.post("/login")
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
) -> TokenResponse:
    user = await auth_service.authenticate(
        session, hasher, email=body.email, password=body.password
    )
    issued = await auth_service.start_session(
        session,
        settings,
        user,
        user_agent=request.headers.get("user-agent"),
        ip_address=request.client.host if request.client else None,
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


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    user_session: CurrentSession, session: DbSession, settings: SettingsDep, response: Response
) -> None:
    await auth_service.revoke_session(session, user_session)
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
