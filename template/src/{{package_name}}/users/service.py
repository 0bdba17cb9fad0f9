"""Changes to user accounts."""

from sqlalchemy.ext.asyncio import AsyncSession

from .models import User
from .schemas import UserUpdate


async def update_profile(session: AsyncSession, user: User, changes: UserUpdate) -> User:
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    await session.flush()
    return user
