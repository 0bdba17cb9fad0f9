"""One-time tokens mailed to users: random, single-use, expiring, hashed, one purpose each."""

from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.db.types import utcnow
from ..core.errors import BadRequest
from ..core.security import hash_token, new_token
from ..users.models import User
from .models import OneTimeToken, TokenPurpose

logger = structlog.get_logger(__name__)


class InvalidToken(BadRequest):
    code = "invalid_token"
    default_message = "The link is invalid, was already used or has expired."


async def issue(session: AsyncSession, user: User, purpose: TokenPurpose, *, ttl: timedelta) -> str:
    """A new token for ``user``; earlier unused ones for the same purpose stop working."""
    now = utcnow()
    await _retire(session, user, purpose)
    token = new_token()
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(token),
            email=user.email,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def consume(session: AsyncSession, token: str, purpose: TokenPurpose) -> User:
    """The user ``token`` was issued to, marking it used; `InvalidToken` otherwise.

    Expired, reused, wrong-purpose and unknown tokens get the same answer, so the
    response reveals nothing about which it was (the log says).
    """
    result = await session.execute(
        select(OneTimeToken, User)
        .join(User, User.id == OneTimeToken.user_id)
        .where(OneTimeToken.token_hash == hash_token(token))
        .with_for_update(of=OneTimeToken)
    )
    row = result.one_or_none()
    now = utcnow()
    reason = None
    if row is None:
        reason = "unknown"
    else:
        stored, user = row
        if stored.purpose is not purpose:
            reason = "wrong_purpose"
        elif stored.used_at is not None:
            reason = "reused"
        elif stored.expires_at <= now:
            reason = "expired"
        elif stored.email != user.email:
            reason = "email_changed"
        elif not user.is_active:
            reason = "user_inactive"
    if reason is not None:
        logger.info("token.rejected", purpose=purpose.value, reason=reason)
        raise InvalidToken()
    stored.used_at = now
    await _retire(session, user, purpose)
    await session.flush()
    return user


async def _retire(session: AsyncSession, user: User, purpose: TokenPurpose) -> None:
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
