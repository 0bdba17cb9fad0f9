"""Registration, password login and the life of a session."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.config import Settings
from ..core.db.types import utcnow
from ..core.errors import Conflict, Unauthorized
from ..core.security import hash_token, new_token
from ..email.service import send_email
from ..users import repository as user_repository
from ..users.models import Role, User, normalize_email
from . import passwords
from .models import UserSession

# Touching `last_seen_at` on every request would turn reads into writes.
_LAST_SEEN_RESOLUTION_SECONDS = 300


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "The email or password is incorrect."


@dataclass(frozen=True)
class IssuedSession:
    token: str
    session: UserSession


async def register(
    session: AsyncSession,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    name: str | None,
    role: Role = Role.USER,
) -> User:
    email = normalize_email(email)
    if await user_repository.get_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", details={"field": "email"})
    user = User(
        email=email,
        name=name.strip() if name else None,
        password_hash=await passwords.hash_password(hasher, password),
        role=role,
    )
    session.add(user)
    await session.flush()
    send_email(
        session,
        to=user.email,
        subject="Welcome",
        template="welcome",
        context={"name": user.name, "email": user.email},
    )
    return user


async def authenticate(
    session: AsyncSession, hasher: PasswordHasher, *, email: str, password: str
) -> User:
    user = await user_repository.get_by_email(session, email)
    matched = await passwords.verify_password(
        hasher, user.password_hash if user else None, password
    )
    if user is None or not matched or not user.is_active:
        raise InvalidCredentials()
    assert user.password_hash is not None
    if passwords.needs_rehash(hasher, user.password_hash):
        user.password_hash = await passwords.hash_password(hasher, password)
    return user


async def start_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    user_agent: str | None,
    ip_address: str | None,
) -> IssuedSession:
    token = new_token()
    now = utcnow()
    user_session = UserSession(
        user_id=user.id,
        token_hash=hash_token(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + settings.session_ttl,
        user_agent=user_agent[:255] if user_agent else None,
        ip_address=ip_address,
    )
    session.add(user_session)
    await session.flush()
    return IssuedSession(token=token, session=user_session)


async def resolve_session(session: AsyncSession, token: str) -> UserSession | None:
    """The live session for ``token`` with its user loaded, or None."""
    result = await session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token))
    )
    row = result.one_or_none()
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    if not user_session.is_valid(now) or not user.is_active:
        return None
    user_session.user = user
    if (now - user_session.last_seen_at).total_seconds() > _LAST_SEEN_RESOLUTION_SECONDS:
        user_session.last_seen_at = now
    return user_session


async def revoke_session(session: AsyncSession, user_session: UserSession) -> None:
    user_session.revoked_at = utcnow()
    await session.flush()
