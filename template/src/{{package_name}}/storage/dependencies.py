"""The storage backend, its settings and the caller's quota, as dependencies."""

from typing import Annotated

from fastapi import Depends

from ..auth.dependencies import CurrentUser
from ..core.db.unit_of_work import DbSession
from ..core.errors import raises
from ..core.providers import (
    NotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    require_configured,
)
from ..services import Services, ServicesDep
from .backends.base import StorageBackend
from .config import StorageSettings
from .quota import StorageQuota, storage_quota


def configured_storage(services: Services) -> StorageBackend:
    """The backend, or 503 naming the settings it still needs."""
    return require_configured(
        services.storage,
        "File storage",
        alternative="For development, STORAGE_BACKEND=local keeps files on this machine.",
    )


@raises(NotConfigured, ProviderUnavailable, ProviderRejected)
async def get_storage_backend(services: ServicesDep) -> StorageBackend:
    """The backend, or 503 naming the settings it still needs; the backend's own calls
    fail as the provider contract says (503 unavailable, 502 rejected)."""
    return configured_storage(services)


async def get_storage_settings(services: ServicesDep) -> StorageSettings:
    return services.storage_settings


async def get_storage_quota(
    user: CurrentUser, session: DbSession, services: ServicesDep
) -> StorageQuota:
    return await storage_quota(session, services, user.id)


StorageBackendDep = Annotated[StorageBackend, Depends(get_storage_backend)]
StorageSettingsDep = Annotated[StorageSettings, Depends(get_storage_settings)]
StorageQuotaDep = Annotated[StorageQuota, Depends(get_storage_quota)]
