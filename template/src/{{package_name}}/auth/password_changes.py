"""The two ways a password changes: with the current one, or with a mailed reset link.
Either way the other sessions end and the owner is told by email."""

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.config import Settings
from ..core.db.types import utcnow
from ..email.service import send_email
from ..users.models import User
from . import mailed_links, one_time_tokens, passwords, sessions
from .config import AuthSettings
from .models import TokenPurpose, UserSession
from .password_login import InvalidCredentials


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
    user = await one_time_tokens.consume(session, token, TokenPurpose.PASSWORD_RESET)
    user.password_hash = password_hash
    # Receiving the mail proved the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await sessions.revoke_all_sessions(session, user)
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
    await sessions.revoke_all_sessions(session, user, keep=user_session)
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
            "link": mailed_links.page_url(settings, auth_settings.password_reset_path),
        },
    )
