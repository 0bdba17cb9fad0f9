"""One-time tokens mailed to users (verification, reset and magic links): random,
single-use, expiring, hashed, one purpose each. Not the session tokens (`sessions`)."""

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..core.db.types import utcnow
from ..core.errors import BadRequest
from ..core.security import hash_token, new_token
from ..users.models import User
from . import repository
from .models import OneTimeToken, TokenPurpose

logger = structlog.get_logger(__name__)


class InvalidToken(BadRequest):
    code = "invalid_token"
    default_message = "The link is invalid, was already used or has expired."


async def issue(session: AsyncSession, user: User, purpose: TokenPurpose, *, ttl: timedelta) -> str:
    """A new token for ``user``; earlier unused ones for the same purpose stop working."""
    now = utcnow()
    await repository.retire_tokens(session, user.id, purpose, at=now)
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
    found = await repository.get_token_and_user_for_update(session, hash_token(token))
    now = utcnow()
    reason = None
    if found is None:
        reason = "unknown"
    else:
        stored, user = found
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
    await repository.retire_tokens(session, user.id, purpose, at=now)
    await session.flush()
    return user
