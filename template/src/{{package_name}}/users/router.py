"""`/users/me` and `/admin/users`."""

import uuid

from fastapi import APIRouter

from ..auth.dependencies import AdminUser, CurrentUser
from ..core.db.unit_of_work import DbSession
from ..core.errors import BadRequest, NotFound, raises
from ..core.pagination import Page, PageParams
from . import repository as user_repository
from . import service as user_service
from .schemas import AdminUserUpdate, UserRead, UserUpdate

router = APIRouter(tags=["users"])


@router.get("/users/me")
async def read_me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/users/me")
async def update_me(user: CurrentUser, changes: UserUpdate, session: DbSession) -> UserRead:
    updated = await user_service.update_profile(session, user, changes)
    return UserRead.model_validate(updated)


@router.get("/admin/users")
async def list_users(admin: AdminUser, page: PageParams, session: DbSession) -> Page[UserRead]:
    users, total = await user_repository.list_page(session, offset=page.offset, limit=page.size)
    return Page[UserRead].build([UserRead.model_validate(u) for u in users], total, page)


@router.patch("/admin/users/{user_id}")
@raises(NotFound, BadRequest)
async def update_user(
    user_id: uuid.UUID, changes: AdminUserUpdate, admin: AdminUser, session: DbSession
) -> UserRead:
    user = await user_repository.get_by_id(session, user_id)
    if user is None:
        raise NotFound("No such user.")
    updated = await user_service.admin_update(session, admin, user, changes)
    return UserRead.model_validate(updated)
