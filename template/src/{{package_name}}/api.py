"""Every enabled feature's router under `/api/v1` (a seam: one line per feature)."""

from fastapi import APIRouter

from .auth.router import router as auth_router
from .storage.router import router as storage_router
from .users.router import router as users_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(storage_router)
