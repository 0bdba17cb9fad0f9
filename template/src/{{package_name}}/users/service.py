"""Changes to user accounts."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth import sessions as auth_sessions
from ..core.errors import BadRequest
from .models import Role, User
from .schemas import AdminUserUpdate, UserUpdate

logger = structlog.get_logger(__name__)


async def update_profile(session: AsyncSession, user: User, changes: UserUpdate) -> User:
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    await session.flush()
    return user


async def admin_update(
    session: AsyncSession, admin: User, user: User, changes: AdminUserUpdate
) -> User:
    """Change a user's role or deactivate them; deactivation ends their sessions.

    Admins cannot demote or deactivate themselves, so there is always one left.
    """
    if user.id == admin.id and (changes.role is Role.USER or changes.is_active is False):
        raise BadRequest("You cannot demote or deactivate yourself.")
    if changes.role is not None:
        user.role = changes.role
    if changes.is_active is not None:
        user.is_active = changes.is_active
        if not changes.is_active:
            await auth_sessions.revoke_all_sessions(session, user)
    await session.flush()
    logger.info(
        "user.changed_by_admin",
        user_id=str(user.id),
        admin_id=str(admin.id),
        changes=changes.model_dump(exclude_none=True, mode="json"),
    )
    return user
