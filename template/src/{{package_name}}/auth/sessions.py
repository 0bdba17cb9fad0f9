"""The life of a session: started by a login, resolved on every request, revoked."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ..analytics import track
from ..analytics.events import UserLoggedIn
from ..core.config import Settings
from ..core.db.types import utcnow
from ..core.security import hash_token, new_token
from ..users.models import User
from . import repository
from .models import UserSession

# Touching `last_seen_at` on every request would turn reads into writes.
_LAST_SEEN_RESOLUTION_SECONDS = 300


@dataclass(frozen=True)
class IssuedSession:
    token: str
    session: UserSession


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


async def resolve_session(
    session: AsyncSession, token: str, *, autocommit: bool = False
) -> UserSession | None:
    """The live session for ``token`` with its user loaded, or None.

    Every request reads it afresh, so a revoked session or a deactivated user is refused
    at once by every process. With ``autocommit`` (`Database.autocommit_reads`) and
    ``session`` not yet begun, the read runs on a connection in autocommit, which the
    session then gives back to the pool: a request that only reads never opens a
    transaction, and the next statement starts one on a connection as usual. The rows
    stay in ``session`` (it does not expire on commit), so changes to them are saved by
    the request's commit.
    """
    token_hash = hash_token(token)
    if autocommit and not session.in_transaction() and not session.identity_map:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        found = await repository.get_session_and_user(session, token_hash)
        await session.commit()  # nothing to commit: ends the autocommit connection's use
    else:
        found = await repository.get_session_and_user(session, token_hash)
    if found is None:
        return None
    user_session, user = found
    now = utcnow()
    if not user_session.is_valid(now) or not user.is_active:
        return None
    # Loaded, not changed: plain assignment would make the commit run a flush.
    set_committed_value(user_session, "user", user)
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
    await repository.revoke_sessions(
        session, user.id, at=utcnow(), keep=keep.id if keep is not None else None
    )
    await session.flush()
