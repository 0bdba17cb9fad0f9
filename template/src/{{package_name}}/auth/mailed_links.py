"""Links mailed to users: verify an address, reset a password, sign in by magic link.

Requests for a reset or a magic link only queue a job (`auth.tasks`): the job looks the
address up and mails it, after the response. The request does the same work whether or
not the address has an account, so neither its answer nor its timing says which.
"""

from datetime import timedelta
from urllib.parse import urlencode

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..analytics import track
from ..analytics.events import EmailVerified
from ..core.config import Settings
from ..core.db.types import utcnow
from ..email.service import send_email
from ..users import repository as user_repository
from ..users.models import User, normalize_email
from ..worker.queue import enqueue
from . import one_time_tokens
from .config import AuthSettings
from .models import TokenPurpose

logger = structlog.get_logger(__name__)

RESET_MAIL_TASK = "auth.mail_password_reset"
MAGIC_LINK_MAIL_TASK = "auth.mail_magic_link"


def page_url(settings: Settings, page: str) -> str:
    """A page mailed links open: a path of this app's own pages (under PUBLIC_URL), or the
    full URL of a front end's page."""
    if page.startswith(("https://", "http://")):
        return page
    return settings.public_url.rstrip("/") + page


def _link(settings: Settings, page: str, token: str) -> str:
    return f"{page_url(settings, page)}?{urlencode({'token': token})}"


def _duration(ttl: timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"


async def mail_link(
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
    token = await one_time_tokens.issue(session, user, purpose, ttl=ttl)
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
    await mail_link(
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
    user = await one_time_tokens.consume(session, token, TokenPurpose.VERIFY_EMAIL)
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


def request_password_reset(session: AsyncSession, email: str) -> None:
    """Queue the reset email; the job finds out whether ``email`` has an account."""
    enqueue(session, RESET_MAIL_TASK, email=normalize_email(email))


async def mail_password_reset(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, email: str
) -> None:
    """Mail a reset link if an active account has ``email``; otherwise nothing."""
    user = await _active_user(session, email)
    if user is None:
        logger.info("password_reset.ignored", reason="no active account")
        return
    await mail_link(
        session,
        settings,
        user,
        purpose=TokenPurpose.PASSWORD_RESET,
        ttl=auth_settings.password_reset_ttl,
        path=auth_settings.password_reset_path,
        subject=f"Reset your {settings.app_name} password",
        template="password_reset",
    )


def request_magic_link(session: AsyncSession, email: str) -> None:
    """Queue the sign-in email; the job finds out whether ``email`` has an account."""
    enqueue(session, MAGIC_LINK_MAIL_TASK, email=normalize_email(email))


async def mail_magic_link(
    session: AsyncSession, settings: Settings, auth_settings: AuthSettings, email: str
) -> None:
    """Mail a sign-in link if an active account has ``email``; unknown emails get no
    account (and no email)."""
    user = await _active_user(session, email)
    if user is None:
        logger.info("magic_link.ignored", reason="no active account")
        return
    await mail_link(
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
    user = await one_time_tokens.consume(session, token, TokenPurpose.MAGIC_LINK)
    # Clicking the link proved the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await session.flush()
    return user


async def _active_user(session: AsyncSession, email: str) -> User | None:
    user = await user_repository.get_by_email(session, email)
    return user if user is not None and user.is_active else None
