"""How accounts come to be: signing up, an operator's admin, the first admin at start-up.

Signing up answers the same whether or not the address already has an account: a new
address gets a verification link; the owner of an existing account gets an email
saying someone tried to sign up with it, with a link to reset the password. Either way,
only whoever reads that mailbox learns which it was.
"""

import structlog
from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import UserSignedUp
from ..core.config import Settings
from ..core.errors import Conflict
from ..users import repository as user_repository
from ..users.models import Role, User, normalize_email
from . import mailed_links, passwords
from .config import AuthSettings
from .models import TokenPurpose

logger = structlog.get_logger(__name__)


class EmailTaken(Conflict):
    default_message = "An account with this email already exists."


async def register(
    session: AsyncSession,
    settings: Settings,
    auth_settings: AuthSettings,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    name: str | None,
) -> None:
    """Sign ``email`` up, or tell its owner someone tried; the caller cannot tell which."""
    try:
        user = await create_user(session, hasher, email=email, password=password, name=name)
    except EmailTaken:
        existing = await user_repository.get_by_email(session, email)
        if existing is None or not existing.is_active:
            # A deactivated account: an admin decided, so nobody is mailed.
            logger.info("register.ignored", reason="no active account")
            return
        await _mail_account_exists(session, settings, auth_settings, existing)
        return
    track(session, UserSignedUp(user_id=user.id, method="password"))
    await mailed_links.send_verification_email(session, settings, auth_settings, user)


async def create_user(
    session: AsyncSession,
    hasher: PasswordHasher,
    *,
    email: str,
    password: str,
    name: str | None,
    role: Role = Role.USER,
) -> User:
    """A new account with a password; `EmailTaken` when the address has one."""
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
    return user


async def _mail_account_exists(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, user: User
) -> None:
    # A reset link rather than a sign-in link: whoever signs up again has probably
    # forgotten the password (or never had one, signing in through a provider).
    await mailed_links.mail_link(
        session,
        settings,
        user,
        purpose=TokenPurpose.PASSWORD_RESET,
        ttl=auth_settings.password_reset_ttl,
        path=auth_settings.password_reset_path,
        subject=f"You already have a {settings.app_name} account",
        template="account_exists",
    )


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
