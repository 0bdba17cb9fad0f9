"""Queries on sessions, one-time tokens, linked provider accounts and OAuth states."""

import uuid
from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..users.models import User
from .models import OAuthAccount, OAuthState, OneTimeToken, TokenPurpose, UserSession

# --- sessions -----------------------------------------------------------------


# Built once: run on every authenticated request, and building an ORM statement (with
# its cache key) costs more than running it.
_SESSION_AND_USER = (
    select(UserSession, User)
    .join(User, User.id == UserSession.user_id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


async def get_session_and_user(
    session: AsyncSession, token_hash: str
) -> tuple[UserSession, User] | None:
    result = await session.execute(_SESSION_AND_USER, {"token_hash": token_hash})
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, at: datetime, keep: uuid.UUID | None = None
) -> None:
    """End every live session of the user but ``keep``."""
    statement = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    await session.execute(statement.values(revoked_at=at))


async def delete_sessions_ended_before(session: AsyncSession, cutoff: datetime) -> int | None:
    result = await session.execute(
        delete(UserSession).where(
            or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff)
        )
    )
    count: int | None = getattr(result, "rowcount", None)
    return count


# --- one-time tokens ----------------------------------------------------------


async def get_token_and_user_for_update(
    session: AsyncSession, token_hash: str
) -> tuple[OneTimeToken, User] | None:
    """The token row, locked until the transaction ends (two uses at once: one wins)."""
    result = await session.execute(
        select(OneTimeToken, User)
        .join(User, User.id == OneTimeToken.user_id)
        .where(OneTimeToken.token_hash == token_hash)
        .with_for_update(of=OneTimeToken)
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def retire_tokens(
    session: AsyncSession, user_id: uuid.UUID, purpose: TokenPurpose, *, at: datetime
) -> None:
    """Mark the user's unused tokens for ``purpose`` used."""
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=at)
    )


# --- linked provider accounts -------------------------------------------------


async def get_linked_user(session: AsyncSession, provider: str, subject: str) -> User | None:
    result = await session.execute(
        select(User)
        .join(OAuthAccount, OAuthAccount.user_id == User.id)
        .where(OAuthAccount.provider == provider, OAuthAccount.subject == subject)
    )
    return result.scalar_one_or_none()


# --- OAuth states -------------------------------------------------------------


async def put_oauth_state(
    session: AsyncSession, key: str, value: str, *, expires_at: datetime
) -> None:
    session.add(OAuthState(key=key, value=value, expires_at=expires_at))
    await session.flush()


async def take_oauth_state(session: AsyncSession, key: str, *, now: datetime) -> str | None:
    """Delete the live state under ``key`` and return its value: of two callbacks carrying
    the same state, one gets it and the other nothing."""
    result = await session.execute(
        delete(OAuthState)
        .where(OAuthState.key == key, OAuthState.expires_at > now)
        .returning(OAuthState.value)
    )
    return result.scalar_one_or_none()


async def delete_oauth_state(session: AsyncSession, key: str) -> None:
    await session.execute(delete(OAuthState).where(OAuthState.key == key))


async def delete_oauth_states_expired_before(session: AsyncSession, now: datetime) -> int | None:
    result = await session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))
    count: int | None = getattr(result, "rowcount", None)
    return count
