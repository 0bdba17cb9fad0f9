"""Registration, logins (password, magic link, OAuth), the mailed-token flows and
the life of a session."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import structlog
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import EmailVerified, UserLoggedIn, UserSignedUp
from ..core.config import Settings
from ..core.db.types import utcnow
from ..core.db.unit_of_work import release_connection
from ..core.errors import BadRequest, Conflict, Forbidden, Unauthorized
from ..core.security import hash_token, new_token
from ..email.service import send_email
from ..users import repository as user_repository
from ..users.models import Role, User, normalize_email
from . import passwords, tokens
from .config import AuthSettings
from .models import OAuthAccount, TokenPurpose, UserSession
from .oauth import OAuthIdentity

logger = structlog.get_logger(__name__)

# Touching `last_seen_at` on every request would turn reads into writes.
_LAST_SEEN_RESOLUTION_SECONDS = 300


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "The email or password is incorrect."


class EmailNotVerified(Forbidden):
    code = "email_not_verified"
    default_message = "Confirm your email address first; we sent you a link."


class OAuthEmailNotVerified(BadRequest):
    code = "oauth_email_not_verified"
    default_message = (
        "The provider did not confirm this email address, so it cannot sign you in. "
        "Verify it with the provider, or sign in another way."
    )


@dataclass(frozen=True)
class IssuedSession:
    token: str
    session: UserSession


class EmailTaken(Conflict):
    default_message = "An account with this email already exists."


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
    # Hashed before the first query: no database connection is held through the hash.
    password_hash = await passwords.hash_password(hasher, password)
    if await user_repository.get_by_email(session, email) is not None:
        raise EmailTaken(details={"field": "email"})
    user = User(
        email=email, name=name.strip() if name else None, password_hash=password_hash, role=role
    )
    try:
        # A concurrent registration of the same address loses here, not in a 500.
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise EmailTaken(details={"field": "email"}) from None
    track(session, UserSignedUp(user_id=user.id, method="password"))
    return user


async def authenticate(
    session: AsyncSession,
    hasher: PasswordHasher,
    auth_settings: AuthSettings,
    *,
    email: str,
    password: str,
) -> User:
    user = await user_repository.get_by_email(session, email)
    # The connection goes back to the pool for the (deliberately slow) hash.
    await release_connection(session)
    matched = await passwords.verify_password(
        hasher, user.password_hash if user else None, password
    )
    if user is None or not matched or not user.is_active:
        raise InvalidCredentials()
    assert user.password_hash is not None
    # Checked only once the password matched: the answer reveals nothing to a guesser.
    if auth_settings.require_email_verification and user.email_verified_at is None:
        raise EmailNotVerified()
    if passwords.needs_rehash(hasher, user.password_hash):
        user.password_hash = await passwords.hash_password(hasher, password)
    return user


async def start_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    method: str,
    user_agent: str | None,
    ip_address: str | None,
) -> IssuedSession:
    """A new session for ``user``, who signed in by ``method`` ("password", "magic_link",
    or the OAuth provider)."""
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
    track(session, UserLoggedIn(user_id=user.id, method=method))
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


async def revoke_all_sessions(
    session: AsyncSession, user: User, *, keep: UserSession | None = None
) -> None:
    """End every live session of ``user`` (but ``keep``, when given)."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    await session.execute(statement.values(revoked_at=utcnow()))
    await session.flush()


# --- mailed links -------------------------------------------------------------


def _link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def _duration(ttl: timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"


async def _mail_link(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    purpose: TokenPurpose,
    ttl: timedelta,
    path: str,
    subject: str,
    template: str,
) -> None:
    """Issue a one-time token for ``purpose`` and mail ``user`` the link that carries it."""
    token = await tokens.issue(session, user, purpose, ttl=ttl)
    send_email(
        session,
        settings,
        to=user.email,
        subject=subject,
        template=template,
        context={
            "name": user.name,
            "email": user.email,
            "link": _link(settings, path, token),
            "expires_in": _duration(ttl),
        },
    )


async def send_verification_email(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, user: User
) -> None:
    await _mail_link(
        session,
        settings,
        user,
        purpose=TokenPurpose.VERIFY_EMAIL,
        ttl=auth_settings.verify_email_ttl,
        path=auth_settings.verify_email_path,
        subject=f"Confirm your email for {settings.app_name}",
        template="verify_email",
    )


async def verify_email(session: AsyncSession, settings: Settings, token: str) -> User:
    """Mark the address verified; the first time, welcome the user."""
    user = await tokens.consume(session, token, TokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        track(session, EmailVerified(user_id=user.id))
        send_email(
            session,
            settings,
            to=user.email,
            subject=f"Welcome to {settings.app_name}",
            template="welcome",
            context={"name": user.name, "email": user.email},
        )
    await session.flush()
    return user


async def request_password_reset(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, email: str
) -> None:
    """Mail a reset link if the account exists; the caller answers the same either way."""
    user = await user_repository.get_by_email(session, email)
    if user is None or not user.is_active:
        logger.info("password_reset.ignored", reason="no active account")
        return
    await _mail_link(
        session,
        settings,
        user,
        purpose=TokenPurpose.PASSWORD_RESET,
        ttl=auth_settings.password_reset_ttl,
        path=auth_settings.password_reset_path,
        subject=f"Reset your {settings.app_name} password",
        template="password_reset",
    )


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    auth_settings: AuthSettings,
    hasher: PasswordHasher,
    *,
    token: str,
    password: str,
) -> User:
    """Set a new password from a mailed token and sign out every session."""
    password_hash = await passwords.hash_password(hasher, password)  # before any query
    user = await tokens.consume(session, token, TokenPurpose.PASSWORD_RESET)
    user.password_hash = password_hash
    # Receiving the mail proved the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await revoke_all_sessions(session, user)
    _send_password_changed(session, settings, auth_settings, user)
    return user


async def change_password(
    session: AsyncSession,
    settings: Settings,
    auth_settings: AuthSettings,
    hasher: PasswordHasher,
    *,
    user_session: UserSession,
    current_password: str,
    new_password: str,
) -> None:
    """Change the password (the current one is required) and end the other sessions."""
    user = user_session.user
    if not await passwords.verify_password(hasher, user.password_hash, current_password):
        raise InvalidCredentials("The current password is incorrect.")
    user.password_hash = await passwords.hash_password(hasher, new_password)
    await revoke_all_sessions(session, user, keep=user_session)
    _send_password_changed(session, settings, auth_settings, user)


def _send_password_changed(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, user: User
) -> None:
    send_email(
        session,
        settings,
        to=user.email,
        subject=f"Your {settings.app_name} password was changed",
        template="password_changed",
        context={
            "name": user.name,
            "email": user.email,
            "link": f"{settings.public_url.rstrip('/')}{auth_settings.password_reset_path}",
        },
    )


async def request_magic_link(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, email: str
) -> None:
    """Mail a sign-in link if the account exists; unknown emails get no account."""
    user = await user_repository.get_by_email(session, email)
    if user is None or not user.is_active:
        logger.info("magic_link.ignored", reason="no active account")
        return
    await _mail_link(
        session,
        settings,
        user,
        purpose=TokenPurpose.MAGIC_LINK,
        ttl=auth_settings.magic_link_ttl,
        path=auth_settings.magic_link_path,
        subject=f"Your sign-in link for {settings.app_name}",
        template="magic_link",
    )


async def consume_magic_link(session: AsyncSession, token: str) -> User:
    user = await tokens.consume(session, token, TokenPurpose.MAGIC_LINK)
    # Clicking the link proved the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await session.flush()
    return user


# --- OAuth --------------------------------------------------------------------


async def login_with_identity(session: AsyncSession, identity: OAuthIdentity) -> User:
    """The user behind a provider identity: linked before, linked now by a *verified*
    email, or created. An unverified email never links or creates anything."""
    try:
        user = await _linked_or_new_user(session, identity)
    except IntegrityError:
        # Two first logins of one account at once: the other one stored the link (or the
        # user) first, and a second look finds it.
        user = await _linked_or_new_user(session, identity)
    if not user.is_active:
        raise Forbidden("This account is deactivated.")
    return user


async def _linked_or_new_user(session: AsyncSession, identity: OAuthIdentity) -> User:
    result = await session.execute(
        select(OAuthAccount, User)
        .join(User, User.id == OAuthAccount.user_id)
        .where(OAuthAccount.provider == identity.provider, OAuthAccount.subject == identity.subject)
    )
    row = result.one_or_none()
    if row is not None:
        linked: User = row[1]
        return linked
    if not identity.email or not identity.email_verified:
        logger.warning(
            "oauth.unverified_email", provider=identity.provider, has_email=bool(identity.email)
        )
        raise OAuthEmailNotVerified()
    created = False
    # A savepoint: losing a race rolls back only this attempt, not the request.
    async with session.begin_nested():
        user = await user_repository.get_by_email(session, identity.email)
        if user is None:
            created = True
            user = User(
                email=normalize_email(identity.email),
                name=identity.name[:100] if identity.name else None,
                password_hash=None,
                email_verified_at=utcnow(),
            )
            session.add(user)
            await session.flush()
            logger.info("oauth.user_created", provider=identity.provider, user_id=str(user.id))
        session.add(
            OAuthAccount(
                user_id=user.id,
                provider=identity.provider,
                subject=identity.subject,
                email=normalize_email(identity.email),
            )
        )
        user.email_verified_at = user.email_verified_at or utcnow()
    if created:
        track(session, UserSignedUp(user_id=user.id, method=identity.provider))
    return user


# --- admins -------------------------------------------------------------------


async def ensure_admin(session: AsyncSession, email: str) -> User:
    """Promote ``email`` to admin, creating a password-less account if there is none
    (its owner signs in with a magic link or sets a password through a reset)."""
    user = await user_repository.get_by_email(session, email)
    if user is None:
        user = User(email=normalize_email(email), password_hash=None, role=Role.ADMIN)
        session.add(user)
        logger.info("admin.created", email=user.email)
    elif user.role is not Role.ADMIN:
        user.role = Role.ADMIN
        logger.info("admin.promoted", email=user.email)
    await session.flush()
    return user
